package org.diredi.cli;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.model.FcosDetector;
import org.diredi.inference.OnnxModel;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.image.Images;
import org.diredi.vision.image.Preprocess;
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
        int s = ck.manifest().model().inputSize();
        VocDataset ds = VocDataset.load(data, "test", ClassList.read(data.resolve("classes.txt")));
        List<float[]> images = new ArrayList<>();
        for (int i = 0; i < Math.min(50, ds.size()); i++) {
            images.add(Preprocess.toChw(Images.read(ds.images().get(i).imagePath()), s, s));
        }
        Map<String, double[]> results = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector model = ck.toModel(m);
            ParameterStore ps = new ParameterStore(m, false);
            results.put("DJL PyTorch FP32", time(i -> {
                try (NDManager sub = m.newSubManager()) {
                    model.forward(ps, new NDList(sub.create(images.get(i % images.size()), new Shape(1, 3, s, s))), false)
                            .get(0).toFloatArray();
                }
            }));
        }
        for (Path f : onnx) {
            try (OnnxModel om = new OnnxModel(f, threads)) {
                results.put("ONNX Runtime " + (f.getParent() == null ? "" : f.getParent().getFileName() + "/") + f.getFileName(),
                        time(i -> om.run(images.get(i % images.size()))));
            }
        }
        double base = results.values().iterator().next()[0];
        MarkdownTable t = new MarkdownTable("engine", "p50 ms", "p99 ms", "speed-up vs DJL (p50)");
        for (Map.Entry<String, double[]> e : results.entrySet()) {
            t.row(e.getKey(), String.format("%.2f", e.getValue()[0]), String.format("%.2f", e.getValue()[1]),
                    String.format("%.2fx", base / e.getValue()[0]));
        }
        String md = "## Batch-1 inference latency, " + ck.manifest().model() + "\n\n" + Machine.describe() + " ONNX Runtime "
                + threads + " threads; " + runs + " timed runs after 30 warm-up runs, network only.\n\n" + t + "\n";
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("latency.md"), md);
        AtomicFiles.writeJson(out.resolve("latency.json"), Map.of("machine", Machine.facts(), "results", results));
        System.out.println(md);
        return 0;
    }

    private double[] time(java.util.function.IntConsumer run) {
        for (int i = 0; i < 30; i++) {
            run.accept(i);
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            run.accept(i);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[runs / 2], ms[Math.min(runs - 1, (int) Math.ceil(runs * 0.99) - 1)]};
    }
}
