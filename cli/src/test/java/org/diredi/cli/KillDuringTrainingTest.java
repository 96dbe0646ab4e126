package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 a real training process at several moments, including while it writes checkpoints: the
 * latest checkpoint always reads, and --resume finishes the run.
 */
class KillDuringTrainingTest {

    @TempDir
    Path tmp;

    private Process start(Path data, Path out, boolean resume) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Djava.awt.headless=true", "org.diredi.cli.Diredi", "train", "--data", data.toString(), "--preset",
                "edge", "--epochs", "40", "--val-split", "none", "--out", out.toString()));
        if (resume) {
            cmd.add("--resume");
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
    }

    @Test
    void aKilledRunLeavesAReadableCheckpointAndResumes() throws Exception {
        Path data = tmp.resolve("scenes");
        TestData.scenes(data, 4);
        Path out = tmp.resolve("run");
        Path last = out.resolve("last.ckpt");
        int kills = 0;
        int lastEpoch = 0;
        for (int round = 0; round < 4; round++) {
            Process p = start(data, out, Files.exists(last));
            // wait for the next checkpoint to appear or change, then kill at once (often mid-write)
            long before = Files.exists(last) ? Files.getLastModifiedTime(last).toMillis() : 0;
            long deadline = System.currentTimeMillis() + 120_000;
            while (System.currentTimeMillis() < deadline && p.isAlive()
                    && (!Files.exists(last) || Files.getLastModifiedTime(last).toMillis() == before)) {
                Thread.sleep(20);
            }
            Thread.sleep(37L * round); // a little later each round
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            kills++;
            assertTrue(Files.exists(last), "a checkpoint exists after kill " + kills + ": " + Files.readString(tmp.resolve("log.txt")));
            int epoch = Checkpoint.read(last).manifest().progress().epoch(); // must read: never half-written
            assertTrue(epoch >= lastEpoch, "progress never goes back");
            lastEpoch = epoch;
            try (var files = Files.list(out)) {
                assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".ckpt")
                        && !f.getFileName().toString().equals("last.ckpt")
                        && !f.getFileName().toString().equals("model.ckpt")), "no stray checkpoint files");
            }
        }
        Process finish = start(data, out, true);
        assertTrue(finish.waitFor(300, TimeUnit.SECONDS), "resumed run finishes");
        assertEquals(0, finish.exitValue(), Files.readString(tmp.resolve("log.txt")));
        assertEquals(40, Checkpoint.read(out.resolve("model.ckpt")).manifest().progress().epoch());
        assertTrue(Files.readString(tmp.resolve("log.txt")).contains("resuming"));
        try (var files = Files.list(out)) {
            List<String> left = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertTrue(left.isEmpty(), "temp files left by the kills are cleaned on resume: " + left);
        }
    }
}
