package org.diredi.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.inference.OnnxModel;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.MarkdownTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Batch-1 latency of the same edge model through DJL (libtorch) and ONNX Runtime FP32 / INT8. */
@Command(name = "latency", mixinStandardHelpOptions = true,
        description = {"Batch-1 inference latency (p50 / p99, network only, no decode) of one model through DJL",
            "PyTorch and ONNX Runtime (the FP32 and int8 files of 'diredi export'), on the same real images,",
            "side by side as ratios. Writes latency.md and latency.json."})
final class ExportBench implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "CKPT", description = "the model checkpoint")
    Path checkpoint;

    @Option(names = "--onnx", split = ",", required = true, paramLabel = "FILE",
            description = "exported models to time (FP32 and int8 .onnx files)")
    List<Path> onnx;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "VOC dataset with the images to feed")
    Path data;

    @Option(names = "--runs", description = "timed runs per engine (default: ${DEFAULT-VALUE})")
    int runs = 300;

    @Option(names = "--threads", description = "intra-op threads for ONNX Runtime (default: ${DEFAULT-VALUE})")
    int threads = 2;

    @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/bench-latency");

    @Override
    public Integer call() throws Exception {
        Checkpoint ck = Checkpoint.read(checkpoint);
        List<float[]> images = EngineTimer.images(data, "test", ck.manifest().model().inputSize(), 50);
        Map<String, EngineTimer.Timing> results = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            results.put("DJL PyTorch FP32", EngineTimer.time(30, runs, EngineTimer.djl(ck.toModel(m), m, images)));
        }
        for (Path f : onnx) {
            try (OnnxModel om = new OnnxModel(f, threads)) {
                results.put("ONNX Runtime " + (f.getParent() == null ? "" : f.getParent().getFileName() + "/") + f.getFileName(),
                        EngineTimer.time(30, runs, EngineTimer.onnxRuntime(om, images)));
            }
        }
        double base = results.values().iterator().next().p50Ms();
        MarkdownTable t = new MarkdownTable("engine", "p50 ms", "p99 ms", "speed-up vs DJL (p50)");
        for (Map.Entry<String, EngineTimer.Timing> e : results.entrySet()) {
            t.row(e.getKey(), String.format("%.2f", e.getValue().p50Ms()), String.format("%.2f", e.getValue().p99Ms()),
                    String.format("%.2fx", base / e.getValue().p50Ms()));
        }
        String md = "## Batch-1 inference latency, " + ck.manifest().model() + "\n\n" + org.diredi.core.report.Machine.describe() + " ONNX Runtime "
                + threads + " threads; " + runs + " timed runs after 30 warm-up runs, network only.\n\n" + t + "\n";
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("latency.md"), md);
        AtomicFiles.writeJson(out.resolve("latency.json"), Map.of("machine", org.diredi.core.report.Machine.facts(), "results", results));
        System.out.println(md);
        return 0;
    }
}
