package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.pretrain.BackboneFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code diredi pretrain}, then {@code train --backbone}: the file, its use, and the refusals. */
class PretrainCommandTest {

    @TempDir
    Path tmp;

    private static void assertUserError(BadInputTest.Outcome o, String... fragments) {
        assertEquals(2, o.code(), "exit code; stderr: " + o.err());
        for (String f : fragments) {
            assertTrue(o.err().contains(f), "'" + f + "' missing from: " + o.err());
        }
    }

    @Test
    void pretrainsThenTrainsFromTheBackboneAndRefusesMisuse() throws IOException {
        assertUserError(BadInputTest.run("pretrain", "--preset", "nope", "--out", tmp.resolve("x").toString()),
                "unknown model preset 'nope'", "cpu/edge");
        Path file = tmp.resolve("tiny-edge.backbone");
        BadInputTest.Outcome p = BadInputTest.run("pretrain", "--preset", "tiny/edge", "--epochs", "1", "--images",
                "64", "--batch", "32", "--out", file.toString());
        assertEquals(0, p.code(), p.err());
        assertTrue(Files.exists(file) && Files.exists(BackboneFile.manifestOf(file)));
        String id = BackboneFile.read(file).manifest().id();

        Path data = tmp.resolve("scenes");
        TestData.scenes(data, 4);
        assertUserError(BadInputTest.run("train", "--data", data.toString(), "--preset", "tiny/tutor", "--backbone",
                file.toString(), "--epochs", "1", "--out", tmp.resolve("r1").toString()), file.toString(), "tiny/edge");
        assertUserError(BadInputTest.run("train", "--data", data.toString(), "--preset", "tiny/edge", "--backbone",
                file.toString(), "--init", tmp.resolve("any.ckpt").toString(), "--out", tmp.resolve("r2").toString()),
                "--init and --backbone");
        BadInputTest.Outcome t = BadInputTest.run("train", "--data", data.toString(), "--preset", "tiny/edge",
                "--backbone", file.toString(), "--epochs", "1", "--val-split", "none", "--out",
                tmp.resolve("r3").toString());
        assertEquals(0, t.code(), t.err());
        Checkpoint ck = Checkpoint.read(tmp.resolve("r3/model.ckpt"));
        assertEquals("backbone", ck.manifest().parent().relation());
        assertEquals(id, ck.manifest().parent().id());
    }
}
