package org.diredi.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.bench.training.ChildJvm;
import org.diredi.bench.training.PeakProbes;
import org.diredi.core.TestData;
import org.diredi.vision.config.ConfigFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench perf --quick} end to end on tiny scenes with the tiny presets (child JVMs, export,
 * four engines, delta, broker, edge runtime): every section is there with positive, finite figures,
 * and every ratio in perf.json is the quotient of the figures it reports. The figures themselves are
 * smoke values; the benchmark run is BENCHMARKS.md's business.
 */
class PerfBenchTest {

    @TempDir
    Path tmp;

    @Test
    void quickRunReportsEverySectionWithConsistentRatios() throws Exception {
        Path data = tmp.resolve("scenes");
        TestData.scenes(data, 8);
        Path out = tmp.resolve("perf");
        // what 'diredi bench perf --quick --family tiny --devices 3 --edge-frames 10' runs
        PerfSettings quick = PerfSettings.builder().data(data).family("tiny").batch(4).warmup(1).steps(3).runs(20)
                .deltaSteps(2).devices(3).parallelSenders(2).edgeFrames(10).quick(true).out(out)
                .probes(PeakProbes.QUICK).build();
        assertDoesNotThrow(() -> PerfBenchmark.run(quick, "diredi bench perf --quick --family tiny --data " + data
                + " --devices 3 --edge-frames 10 --out " + out));
        JsonNode j = ConfigFiles.JSON.readTree(out.resolve("perf.json").toFile());
        String md = Files.readString(out.resolve("perf.md"));
        for (String h : new String[] {"### 1. Training", "### 2. Inference", "### 3. Knowledge delta",
                "### 4. Transfers", "### 5. Peak memory", "diredi bench perf --quick"}) {
            assertTrue(md.contains(h), "perf.md lacks " + h);
        }
        assertTrue(j.get("machine").get("cores").asInt() > 0);

        JsonNode t = j.get("training");
        double peak = 0;
        for (JsonNode p : t.get("peaks")) {
            assertEquals(p.get("gflop").asDouble() / p.get("bestSeconds").asDouble(), positive(p, "gflops"), 1e-9);
            peak = Math.max(peak, p.get("gflops").asDouble());
        }
        assertEquals(peak, positive(t, "peakGflops"), 0);
        assertEquals(2, t.get("rows").size());
        for (JsonNode row : t.get("rows")) {
            double fwd = positive(row, "forwardGflopsPerImage");
            assertEquals(3 * fwd, positive(row, "trainGflopsPerImage"), 1e-12);
            double achieved = positive(row, "imagesPerSecond") * row.get("trainGflopsPerImage").asDouble();
            assertEquals(achieved, positive(row, "achievedGflops"), 1e-9 * achieved);
            assertEquals(achieved / peak, positive(row, "utilisation"), 1e-12);
            assertEquals(row.get("utilisation").asDouble() >= 0.5, row.get("met").asBoolean());
            assertFalse(row.get("limits").asText().isBlank());
            positive(row.get("perStepMs"), "forwardMs");
            positive(row.get("perStepMs"), "backwardMs");
        }
        // under the launcher (./diredi test) each preset also trains with glibc's default malloc, side by side
        boolean tuned = ChildJvm.MALLOC_TUNING.stream().anyMatch(v -> System.getenv(v) != null);
        assertEquals(tuned ? 2 : 0, t.get("allocator").size(), t.get("allocator").toString());
        for (JsonNode a : t.get("allocator")) {
            assertEquals(positive(a, "tunedImagesPerSecond") / positive(a, "defaultImagesPerSecond"),
                    positive(a, "ratio"), 1e-12);
        }
        assertEquals(tuned, md.contains("glibc's defaults"));

        JsonNode inf = j.get("inference").get("rows");
        assertEquals(4, inf.size());
        double djl = positive(inf.get(0), "p50Ms");
        double ort = positive(inf.get(1), "p50Ms");
        for (JsonNode row : inf) {
            if (!row.get("error").isNull()) { // OpenCV DNN may refuse the model: the row says why
                assertFalse(row.get("error").asText().isBlank());
                continue;
            }
            double p50 = positive(row, "p50Ms");
            assertTrue(positive(row, "p99Ms") >= p50);
            assertEquals(djl / p50, positive(row, "vsDjl"), 1e-12);
            assertEquals(ort / p50, positive(row, "vsOrtFp32"), 1e-12);
            assertTrue(row.get("maxAbsDiffClsVsOrtFp32").asDouble() >= 0);
        }
        assertEquals(1.0, inf.get(0).get("vsDjl").asDouble(), 0);

        JsonNode d = j.get("delta").get("rows");
        assertEquals(3, d.size());
        double full = d.get(0).get("bytes").asDouble();
        double map32 = d.get(1).get("testMap").asDouble();
        for (JsonNode row : d) {
            assertEquals(positive(row, "bytes") / full, positive(row, "vsFullTutor"), 1e-12);
            double map = row.get("testMap").asDouble();
            assertTrue(map >= 0 && map <= 1, "mAP in [0, 1]: " + map);
            assertEquals(100 * (map - map32), row.get("mapPointsVsFp32").asDouble(), 1e-9);
        }
        assertTrue(d.get(2).get("bytes").asLong() < d.get(1).get("bytes").asLong(), "fp16 delta is smaller");
        assertTrue(d.get(1).get("bytes").asLong() < full, "neck + head delta is smaller than the tutor");

        JsonNode tr = j.get("transfer").get("rows");
        assertEquals(4, tr.size()); // two delta uploads, sequential and parallel fan-out
        for (JsonNode row : tr) {
            JsonNode x = row.get("figures");
            assertEquals(x.get("receivers").asInt(), x.get("completed").asInt());
            assertTrue(row.get("met").asBoolean());
            double bytes = positive(x, "payloadBytes") * x.get("completed").asInt();
            assertEquals(bytes / positive(x, "seconds") / 1e6, positive(x, "megabytesPerSecond"), 1e-9);
        }
        assertEquals(3, tr.get(2).get("figures").get("receivers").asInt());

        JsonNode mem = j.get("memory").get("rows");
        assertEquals(3, mem.size()); // training edge, training tutor, edge runtime
        for (JsonNode row : mem) {
            assertEquals(positive(row, "peakRssBytes") / 1048576.0, positive(row, "peakRssMiB"), 1e-9);
        }
        assertTrue(mem.get(2).get("met").asBoolean(), "the tiny edge runtime stays within the cpu profile's budget");
    }

    /** The field, checked to be a finite number > 0. */
    private static double positive(JsonNode node, String field) {
        JsonNode v = node.get(field);
        assertNotNull(v, "missing " + field + " in " + node);
        assertTrue(v.isNumber(), field + " is not a number: " + v);
        double x = v.asDouble();
        assertTrue(Double.isFinite(x) && x > 0, field + " = " + x);
        return x;
    }
}
