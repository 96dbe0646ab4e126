package org.diredi.bench.inference;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.report.Machine;
import org.diredi.inference.OnnxModel;
import org.diredi.inference.engine.EngineTimer;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.MarkdownTable;

/** {@code bench latency}: batch-1 latency of the same model through DJL (libtorch) and ONNX Runtime FP32 / INT8. */
public final class LatencyBenchmark {

    /** Untimed runs before each engine's timed ones. */
    private static final int WARMUP = 30;

    /**
     * @param checkpoint the model checkpoint (DJL)
     * @param onnx       its exported files to time
     * @param data       VOC dataset whose first 50 test images are fed
     * @param runs       timed runs per engine
     * @param threads    intra-op threads for ONNX Runtime
     * @param out        results folder
     */
    public record Settings(Path checkpoint, List<Path> onnx, Path data, int runs, int threads, Path out) {}

    private LatencyBenchmark() {}

    /** Times every engine, writes latency.md and latency.json; prints and returns the Markdown. */
    public static String run(Settings s) throws IOException {
        Checkpoint ck = Checkpoint.read(s.checkpoint());
        Map<String, EngineTimer.Timing> results = time(s, ck);
        double base = results.values().iterator().next().p50Ms();
        MarkdownTable t = new MarkdownTable("engine", "p50 ms", "p99 ms", "speed-up vs DJL (p50)");
        for (Map.Entry<String, EngineTimer.Timing> e : results.entrySet()) {
            t.row(e.getKey(), String.format("%.2f", e.getValue().p50Ms()), String.format("%.2f", e.getValue().p99Ms()),
                    String.format("%.2fx", base / e.getValue().p50Ms()));
        }
        String md = "## Batch-1 inference latency, " + ck.manifest().model() + "\n\n" + Machine.describe()
                + " ONNX Runtime " + s.threads() + " threads; " + s.runs() + " timed runs after " + WARMUP
                + " warm-up runs, network only.\n\n" + t + "\n";
        Files.createDirectories(s.out());
        AtomicFiles.writeString(s.out().resolve("latency.md"), md);
        AtomicFiles.writeJson(s.out().resolve("latency.json"), Map.of("machine", Machine.facts(), "results", results));
        System.out.println(md);
        return md;
    }

    /** DJL first (the reference), then each ONNX file, by engine name. */
    private static Map<String, EngineTimer.Timing> time(Settings s, Checkpoint ck) {
        List<float[]> images = EngineTimer.images(s.data(), "test", ck.manifest().model().inputSize(), 50);
        Map<String, EngineTimer.Timing> results = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            results.put("DJL PyTorch FP32", EngineTimer.time(WARMUP, s.runs(), DjlEngine.of(ck.toModel(m), m, images)));
        }
        for (Path f : s.onnx()) {
            try (OnnxModel om = new OnnxModel(f, s.threads())) {
                results.put("ONNX Runtime " + (f.getParent() == null ? "" : f.getParent().getFileName() + "/")
                        + f.getFileName(), EngineTimer.time(WARMUP, s.runs(), EngineTimer.onnxRuntime(om, images)));
            }
        }
        return results;
    }
}
