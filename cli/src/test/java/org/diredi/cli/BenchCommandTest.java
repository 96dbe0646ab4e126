package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The bench commands are a shell over the bench module: their options parse, reach the benchmark and
 * its checks (bad settings: exit 2 before any work). The benchmarks themselves are tested in bench.
 */
class BenchCommandTest {

    @Test
    void everyBenchCommandListsItsOptions() {
        String[][] expected = {
            {"train", "--presets", "--epochs", "--backbones"},
            {"distill", "--classes", "--fgd", "--feature-weight"},
            {"latency", "--checkpoint", "--onnx", "--threads"},
            {"perf", "--checkpoint", "--delta-steps", "--parallel-senders", "--edge-frames", "--quick"},
            {"rollout", "--cameras", "--model", "--canaries", "--healthy-seconds", "--status-every"},
        };
        for (String[] e : expected) {
            var r = BadInputTest.run("bench", e[0], "--help");
            assertEquals(0, r.code(), r.err());
            for (int i = 1; i < e.length; i++) {
                assertTrue(r.out().contains(e[i]), "bench " + e[0] + " --help lacks " + e[i] + ":\n" + r.out());
            }
        }
    }

    @Test
    void perfRefusesBadSettingsAndQuickKeepsExplicitOptions() {
        var r = BadInputTest.run("bench", "perf", "--batch", "1", "--out", "unused");
        assertEquals(2, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("--batch must be >= 2"), r.err());
        // --quick's smoke batch (4) applies only to options not given: the explicit 1 is still refused
        r = BadInputTest.run("bench", "perf", "--quick", "--batch", "1", "--out", "unused");
        assertEquals(2, r.code(), r.err() + r.out());
    }

    @Test
    void rolloutRefusesBadSettingsBeforeAnyWork() {
        var r = BadInputTest.run("bench", "rollout", "--cameras", "3", "--canaries", "4", "--out", "unused");
        assertEquals(2, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("0 <= --canaries <= --cameras"), r.err());
        r = BadInputTest.run("bench", "rollout", "--model", "no-such.onnx", "--out", "unused");
        assertEquals(2, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("--model no-such.onnx: file not found"), r.err());
    }

    @Test
    void distillWantsThreeEpochBudgets() {
        var r = BadInputTest.run("bench", "distill", "--epochs", "1,2", "--out", "unused");
        assertEquals(2, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("--epochs takes three numbers"), r.err());
    }
}
