package org.diredi.bench.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.diredi.vision.config.ConfigFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench rollout on a handful of cameras: every camera applies the signed update, the canary first; results written. */
class RolloutBenchmarkTest {

    @TempDir
    Path tmp;

    @Test
    void everySimulatedCameraAppliesTheUpdateAfterTheCanaryAndTheResultsAreWritten() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RolloutBenchmark.Result r = RolloutBenchmark.run(new RolloutBenchmark.Settings(4,
                Path.of("..", "models", "demo", "cpu-edge-v0.ckpt"), 1, 1, 1, 30, tmp),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        String out = log.toString(StandardCharsets.UTF_8);
        assertEquals(4, r.applied(), out);
        double canary = r.phases().get(0).seconds();
        double proven = r.phases().get(1).seconds();
        assertTrue(canary > 0 && canary < proven, "the canary applied it before it was proven: " + r.phases());
        assertTrue(proven >= 1.0, "the canary ran it healthily for healthySeconds first: " + r.phases());
        assertTrue(r.phases().get(3).seconds() > 0, "the rest applied it after the canary was proven: " + r.phases());
        assertTrue(out.contains("SHIPPED cam-0000"), out);
        String md = RolloutBenchmark.write(r, tmp.resolve("out"));
        assertTrue(md.contains("| release -> every camera applied") && md.contains("4/4 cameras applied v1"), md);
        assertEquals(4, ((Number) ConfigFiles.JSON.readValue(tmp.resolve("out/rollout.json").toFile(), Map.class)
                .get("applied")).intValue());
        assertTrue(Files.notExists(tmp.resolve("scratch")), "the per-camera copies are removed");
    }
}
