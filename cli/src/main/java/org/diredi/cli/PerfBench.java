package org.diredi.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.Presets;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.DetectionSet;
import org.diredi.core.train.TrainConfig;
import org.diredi.export.ExportManifest;
import org.diredi.export.OnnxExporter;
import org.diredi.export.QdqQuantizer;
import org.diredi.inference.OnnxModel;
import org.diredi.profiles.DeviceProfile;
import org.diredi.profiles.Profiles;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.io.AtomicFiles;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.dnn.Dnn;
import org.opencv.dnn.Net;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Issue 8: every hot path in one run, side by side as ratios and against its target: training
 * throughput against this machine's libtorch peak, inference engines on one exported model, the
 * knowledge delta in fp32 / fp16, transfers over the embedded broker, and peak memory.
 */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = {"One run over every hot path, written as perf.md (BENCHMARKS.md-ready) and perf.json:",
            "1 training img/s and FLOP/s of the edge and tutor presets against a matmul / conv peak of the same",
            "libtorch; 2 batch-1 latency of ONNX Runtime FP32 / int8, OpenCV DNN and DJL on one exported edge",
            "model; 3 neck + head delta bytes in fp32 / fp16 and the updated tutor's test mAP; 4 delta upload and",
            "OTA fan-out to simulated devices over the embedded broker; 5 peak RSS of training and the edge",
            "runtime (child JVMs). Without --checkpoint, tiny-budget models are trained on the way (the training",
            "runs of section 1), so the command runs from a fresh clone."})
final class PerfBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "FashionScenes root; generated with defaults if absent "
            + "(default: ${DEFAULT-VALUE})")
    Path data = Path.of("work/fashion-scenes");

    @Option(names = "--checkpoint", split = ",", paramLabel = "CKPT",
            description = "trained edge and/or tutor checkpoints (role from each manifest's preset) for sections 2-5;"
                    + " missing roles use the tiny-budget models of section 1")
    List<Path> checkpoints = new ArrayList<>();

    @Option(names = "--family", description = "preset family trained in section 1 (default: ${DEFAULT-VALUE})")
    String family = "cpu";

    @Option(names = "--batch", description = "training batch (default: ${DEFAULT-VALUE})")
    int batch = 16;

    @Option(names = "--warmup", description = "untimed training steps first (default: ${DEFAULT-VALUE})")
    int warmup = 5;

    @Option(names = "--steps", description = "timed training steps per preset (default: ${DEFAULT-VALUE})")
    int steps = 30;

    @Option(names = "--runs", description = "timed inference runs per engine, after runs/10 warm-up (default: ${DEFAULT-VALUE})")
    int runs = 300;

    @Option(names = "--threads", description = "ONNX Runtime / OpenCV / edge runtime threads (default: libtorch's"
            + " -Dai.djl.pytorch.num_threads, else the cores)")
    Integer threads;

    @Option(names = "--delta-steps", description = "fine-tuning steps of the tutor that make the delta (default: ${DEFAULT-VALUE})")
    int deltaSteps = 20;

    @Option(names = "--devices", description = "simulated devices of the OTA fan-out (default: ${DEFAULT-VALUE})")
    int devices = 100;

    @Option(names = "--parallel-senders", description = "cloud connections of the parallel fan-out round; 1 skips it"
            + " (default: ${DEFAULT-VALUE})")
    int parallelSenders = 4;

    @Option(names = "--edge-frames", description = "frames of the edge-runtime memory run (default: ${DEFAULT-VALUE})")
    int edgeFrames = 500;

    @Option(names = "--quick", description = "smoke settings (batch 4, 1 + 3 steps, 20 runs, 5 devices, small peak"
            + " probes) for options not given explicitly")
    boolean quick;

    @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/bench-perf");

    /** Peak probes: matmul side, conv batch, repetitions (best of). */
    private int matmulSide = 2048;
    private int convBatch = 8;
    private int peakReps = 5;
    /** Filled on the way, for the report's text. */
    private int calibrationImages;
    private final Map<String, String> modelSource = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        applyQuick();
        validate();
        long start = System.nanoTime();
        org.diredi.vision.scenes.FashionScenes.ensure(data);
        data = data.toAbsolutePath();
        Files.createDirectories(out);
        out = out.toAbsolutePath();
        int ortThreads = threads != null ? threads : Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads",
                Integer.toString(Runtime.getRuntime().availableProcessors())));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command());
        json.put("machine", org.diredi.core.report.Machine.facts());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("family", family);
        settings.put("batch", batch);
        settings.put("warmupSteps", warmup);
        settings.put("timedSteps", steps);
        settings.put("inferenceRuns", runs);
        settings.put("inferenceThreads", ortThreads);
        settings.put("deltaSteps", deltaSteps);
        settings.put("devices", devices);
        settings.put("parallelSenders", parallelSenders);
        settings.put("edgeFrames", edgeFrames);
        settings.put("quick", quick);
        settings.put("data", data.toString());
        json.put("settings", settings);
        Map<String, Path> given = givenCheckpoints();

        // 1. peak of this libtorch, then each preset's training in its own JVM (also section 5's RSS)
        System.out.println("perf: [1/5] libtorch peak (matmul, conv)");
        List<PerfRows.Peak> peaks = peaks();
        double peak = peaks.stream().mapToDouble(PerfRows.Peak::gflops).max().orElseThrow();
        List<PerfRows.Training> training = new ArrayList<>();
        List<PerfRows.Memory> memory = new ArrayList<>();
        Map<String, Path> ckpts = new LinkedHashMap<>(given);
        for (String role : List.of("edge", "tutor")) {
            String preset = family + "/" + role;
            Path save = given.containsKey(role) ? null : out.resolve("tiny-budget-" + role + ".ckpt");
            System.out.printf("perf: [1/5] training %s, %d + %d steps of batch %d, in a child JVM%n", preset, warmup,
                    steps, batch);
            TrainChild c = trainChild(preset, save);
            training.add(PerfRows.Training.of(c.result(), peak, limits(c.result(), peak)));
            memory.add(new PerfRows.Memory("training " + preset + " (child JVM, batch " + batch + ")", c.peakRss(),
                    c.peakRss() / 1048576.0, String.format("RSS %.0f MiB after decoding the %d training images"
                            + " (%.0f MiB of float pixels held in the heap, as DetectorTrainer does); JVM %s",
                    c.result().rssAfterDataBytes() / 1048576.0, c.result().datasetImages(),
                    c.result().datasetBytes() / 1048576.0, String.join(" ", heapOptions())), "-", null));
            if (save != null) {
                ckpts.put(role, save);
                modelSource.put(role, save + " (trained " + (warmup + steps) + " steps in this run: a tiny budget,"
                        + " its accuracy means nothing)");
            } else {
                modelSource.put(role, given.get(role).toString());
            }
        }
        json.put("training", Map.of("peaks", peaks, "peakGflops", peak, "rows", training));

        // 2. inference engines on one exported edge model
        System.out.println("perf: [2/5] inference engines on the exported edge model");
        Path fp32 = out.resolve("edge-fp32.onnx");
        Path int8 = out.resolve("edge-int8.onnx");
        Checkpoint edge = Checkpoint.read(ckpts.get("edge"));
        int size = edge.manifest().model().inputSize();
        ExportManifest em = OnnxExporter.export(ckpts.get("edge"), fp32, OnnxExporter.DEFAULT_OPSET);
        List<float[]> calibration = calibration(size);
        calibrationImages = calibration.size();
        QdqQuantizer.Quantized q = QdqQuantizer.quantize(Files.readAllBytes(fp32), calibration,
                QdqQuantizer.Options.DEFAULT);
        QdqQuantizer.write(q, em, int8, null);
        List<PerfRows.Inference> inference = inference(ckpts.get("edge"), fp32, int8, q, size, ortThreads);
        json.put("inference", Map.of("model", edge.manifest().model().toString(), "checkpoint",
                ckpts.get("edge").toString(), "fp32Bytes", Files.size(fp32), "int8Bytes", Files.size(int8),
                "threads", ortThreads, "rows", inference));

        // 3. the knowledge delta in fp32 and fp16
        System.out.println("perf: [3/5] knowledge delta (fine-tune the tutor " + deltaSteps + " steps, fp32 / fp16)");
        Path deltaDir = out.resolve("delta");
        List<PerfRows.Delta> delta = delta(ckpts.get("tutor"), deltaDir);
        json.put("delta", Map.of("tutor", ckpts.get("tutor").toString(), "fineTuneSteps", deltaSteps, "rows", delta));

        // 4. transfers over the embedded broker
        System.out.println("perf: [4/5] transfers over the embedded broker (" + devices + " devices)");
        List<PerfTransfer.Row> tr = PerfTransfer.run(out.resolve("transfer"),
                List.of(deltaDir.resolve("delta-fp32.delta"), deltaDir.resolve("delta-fp16.delta")), fp32, devices,
                parallelSenders, System.out);
        List<PerfRows.Transfer> transfer = new ArrayList<>();
        for (PerfTransfer.Row r : tr) {
            transfer.add(new PerfRows.Transfer(r, "every receiver gets the hash-checked file",
                    r.completed() == r.receivers()));
        }
        json.put("transfer", Map.of("rows", transfer));

        // 5. the edge runtime's memory (training's came from section 1)
        System.out.println("perf: [5/5] edge runtime memory (child JVM, " + edgeFrames + " frames)");
        memory.add(edgeMemory(fp32, ortThreads));
        json.put("memory", Map.of("rows", memory));

        AtomicFiles.deleteTree(out.resolve("transfer")); // broker store and device staging: scratch
        double minutes = (System.nanoTime() - start) / 60e9;
        json.put("minutes", minutes);
        String md = markdown(peaks, training, inference, em, delta, transfer, memory, ortThreads, minutes);
        AtomicFiles.writeString(out.resolve("perf.md"), md);
        AtomicFiles.writeJson(out.resolve("perf.json"), json);
        System.out.println();
        System.out.println(md);
        System.out.println("wrote " + out.resolve("perf.md") + " and " + out.resolve("perf.json"));
        return 0;
    }

    private void applyQuick() {
        if (!quick) {
            return;
        }
        var pr = spec.commandLine().getParseResult();
        if (!pr.hasMatchedOption("--batch")) {
            batch = 4;
        }
        if (!pr.hasMatchedOption("--warmup")) {
            warmup = 1;
        }
        if (!pr.hasMatchedOption("--steps")) {
            steps = 3;
        }
        if (!pr.hasMatchedOption("--runs")) {
            runs = 20;
        }
        if (!pr.hasMatchedOption("--delta-steps")) {
            deltaSteps = 2;
        }
        if (!pr.hasMatchedOption("--devices")) {
            devices = 5;
        }
        if (!pr.hasMatchedOption("--parallel-senders")) {
            parallelSenders = 2;
        }
        if (!pr.hasMatchedOption("--edge-frames")) {
            edgeFrames = 30;
        }
        matmulSide = 1024;
        convBatch = 2;
        peakReps = 2;
    }

    private void validate() {
        if (batch < 2 || warmup < 0 || steps < 1 || runs < 1 || deltaSteps < 1 || devices < 1 || parallelSenders < 1
                || edgeFrames < 1) {
            throw new IllegalArgumentException("--batch must be >= 2, --warmup >= 0, and --steps, --runs, --delta-steps,"
                    + " --devices, --parallel-senders, --edge-frames >= 1");
        }
        Presets.get(family + "/edge");
    }

    private String command() {
        return "diredi " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }

    /** The role (edge / tutor) of each given checkpoint, from its manifest's preset name. */
    private Map<String, Path> givenCheckpoints() {
        Map<String, Path> m = new LinkedHashMap<>();
        for (Path p : checkpoints) {
            String preset = Checkpoint.read(p).manifest().model().name();
            String name = preset.substring(preset.indexOf('/') + 1);
            String role = name.startsWith("edge") ? "edge" : name; // cpu/edge-bn is an edge model too
            if (!role.equals("edge") && !role.equals("tutor")) {
                throw new IllegalArgumentException(p + " holds a " + preset + " model: expected an edge or tutor preset");
            }
            if (m.put(role, p) != null) {
                throw new IllegalArgumentException("two " + role + " checkpoints given: " + m.get(role) + " and " + p);
            }
        }
        return m;
    }

    // ---- 1. training ------------------------------------------------------------------------

    /** Best-of-N GFLOP/s of a large matmul and a large 3x3 conv through DJL NDArray ops (2 FLOPs per MAC). */
    private List<PerfRows.Peak> peaks() {
        List<PerfRows.Peak> out = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            int n = matmulSide;
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            out.add(PerfRows.Peak.of("matmul", n + "x" + n + " @ " + n + "x" + n + " fp32", 2.0 * n * n * n, peakReps,
                    best(() -> a.matMul(b))));
            int c = 64;
            int hw = 128;
            NDArray x = m.randomUniform(-1, 1, new Shape(convBatch, c, hw, hw));
            NDArray w = m.randomUniform(-0.1f, 0.1f, new Shape(c, c, 3, 3));
            NDArray bias = m.zeros(new Shape(c));
            out.add(PerfRows.Peak.of("conv2d 3x3, pad 1", convBatch + "x" + c + "x" + hw + "x" + hw + " -> " + c
                    + " channels fp32", 2.0 * convBatch * c * c * 9 * hw * hw, peakReps,
                    best(() -> Conv2d.conv2d(x, w, bias, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow())));
        }
        return out;
    }

    private double best(java.util.function.Supplier<NDArray> op) {
        for (int i = 0; i < 2; i++) {
            op.get().close();
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < peakReps; i++) {
            long t0 = System.nanoTime();
            try (NDArray r = op.get()) {
                // libtorch on CPU is synchronous; reading one value only makes sure the result exists
                r.getFloat(new long[r.getShape().dimension()]);
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    private record TrainChild(TimedTraining.Result result, long peakRss) {}

    private TrainChild trainChild(String preset, Path save) throws Exception {
        List<String> args = new ArrayList<>(List.of(preset, data.toString(), Integer.toString(batch),
                Integer.toString(warmup), Integer.toString(steps)));
        if (save != null) {
            args.add(save.toString());
        }
        Path log = out.resolve("train-" + preset.replace('/', '-') + ".log");
        ChildJvm.Outcome o = ChildJvm.run(System.getProperty("java.class.path"), ChildJvm.inheritedOptions(),
                TimedTraining.class.getName(), args, log, 3600);
        String line = o.output().lines().filter(l -> l.startsWith(TimedTraining.RESULT)).reduce((a, b) -> b).orElse(null);
        if (o.exitCode() != 0 || line == null) {
            throw new IllegalStateException("training " + preset + " failed (exit " + o.exitCode() + "); see " + log
                    + ":\n" + tail(o.output()));
        }
        TimedTraining.Result r = ConfigFiles.JSON.readValue(line.substring(TimedTraining.RESULT.length()),
                TimedTraining.Result.class);
        // The child's own VmHWM at its end is exact; the outside reading is a fallback without /proc/self.
        return new TrainChild(r, Math.max(r.peakRssBytes(), o.peakRssBytes()));
    }

    /** Measured facts for the "what limits it" column: where a step's time goes and how fast each part ran. */
    private static String limits(TimedTraining.Result r, double peak) {
        TimedTraining.Phases p = r.perStep();
        double perImageFlop = r.forwardGflopsPerImage() * r.images() / Math.max(1, r.timedSteps());
        double fwd = perImageFlop / (p.forwardMs() / 1e3);
        double bwd = 2 * perImageFlop / (p.backwardMs() / 1e3);
        return String.format("%s; forward alone %.1f GFLOP/s (%.0f%% of peak), backward alone %.1f GFLOP/s (%.0f%%);"
                        + " FLOPs count convolutions only (GroupNorm, activations, loss are extra work)", p.shares(), fwd,
                100 * fwd / peak, bwd, 100 * bwd / peak);
    }

    private static List<String> heapOptions() {
        return ChildJvm.inheritedOptions().stream().filter(o -> o.startsWith("-Xm")).toList();
    }

    // ---- 2. inference -----------------------------------------------------------------------

    /** 32 validation images, as {@code diredi export --int8} uses by default. */
    private List<float[]> calibration(int size) {
        return EngineTimer.images(data, "val", size, 32);
    }

    private List<PerfRows.Inference> inference(Path ckpt, Path fp32, Path int8, QdqQuantizer.Quantized q, int size,
                                               int ortThreads) {
        List<float[]> images = EngineTimer.images(data, "test", size, 50);
        int warm = Math.max(5, runs / 10);
        Map<String, EngineTimer.Timing> t = new LinkedHashMap<>();
        Map<String, float[]> cls = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        String djl = "DJL PyTorch FP32";
        String ort = "ONNX Runtime FP32";
        String ort8 = "ONNX Runtime int8 (QDQ)";
        String cv = "OpenCV DNN FP32";
        try (NDManager m = NDManager.newBaseManager()) {
            EngineTimer.Engine e = EngineTimer.djl(Checkpoint.read(ckpt).toModel(m), m, images);
            cls.put(djl, e.run(0)[0]);
            t.put(djl, EngineTimer.time(warm, runs, e));
        }
        for (String name : List.of(ort, ort8)) {
            try (OnnxModel om = new OnnxModel(name.equals(ort) ? fp32 : int8, ortThreads)) {
                EngineTimer.Engine e = EngineTimer.onnxRuntime(om, images);
                cls.put(name, e.run(0)[0]);
                t.put(name, EngineTimer.time(warm, runs, e));
            }
        }
        try (OpenCvEngine e = new OpenCvEngine(fp32, images, size, ortThreads)) {
            cls.put(cv, e.run(0)[0]);
            t.put(cv, EngineTimer.time(warm, runs, e));
        } catch (Throwable ex) { // CvException, UnsatisfiedLinkError: the row says why, the bench goes on
            errors.put(cv, ex.getClass().getSimpleName() + ": " + String.valueOf(ex.getMessage()).strip());
        }
        double djlP50 = t.get(djl).p50Ms();
        double ortP50 = t.get(ort).p50Ms();
        double cvP50 = t.containsKey(cv) ? t.get(cv).p50Ms() : Double.NaN;
        Map<String, Integer> ops = new TreeMap<>();
        q.model().getGraph().getNodeList().forEach(n -> ops.merge(n.getOpType(), 1, Integer::sum));
        boolean vnni = Boolean.TRUE.equals(org.diredi.core.report.Machine.facts().get("avx512_vnni"));
        List<PerfRows.Inference> rows = new ArrayList<>();
        for (String name : List.of(djl, ort, ort8, cv)) {
            EngineTimer.Timing x = t.get(name);
            double p50 = x == null ? Double.NaN : x.p50Ms();
            double p99 = x == null ? Double.NaN : x.p99Ms();
            double diff = cls.containsKey(name) ? EngineTimer.maxAbsDiff(cls.get(name), cls.get(ort)) : Double.NaN;
            String target = "-";
            Boolean met = null;
            String notes = "";
            if (name.equals(ort8)) {
                target = ">= 3x DJL and >= 1.3x ORT FP32";
                met = djlP50 / p50 >= 3 && ortP50 / p50 >= 1.3;
                notes = String.format("%d of %d Conv with int8 weights; %d QuantizeLinear + %d DequantizeLinear nodes;"
                                + " float ops kept: %s; CPU VNNI: %s", q.convs(), ops.getOrDefault("Conv", 0),
                        ops.getOrDefault("QuantizeLinear", 0), ops.getOrDefault("DequantizeLinear", 0),
                        floatOps(ops), vnni ? "yes" : "no");
            } else if (name.equals(ort)) {
                target = "ahead of OpenCV DNN (p50)";
                met = Double.isFinite(cvP50) ? ortP50 < cvP50 : null;
                notes = Double.isFinite(cvP50) ? String.format("%.2fx OpenCV DNN", cvP50 / ortP50)
                        : "OpenCV DNN did not run";
            } else if (name.equals(djl)) {
                notes = "reference; libtorch threads " + System.getProperty("ai.djl.pytorch.num_threads", "default");
            } else {
                notes = "the same fp32.onnx file";
            }
            rows.add(new PerfRows.Inference(name, name.equals(djl) ? ckpt.getFileName().toString()
                    : (name.equals(ort8) ? int8 : fp32).getFileName().toString(), p50, p99, djlP50 / p50, ortP50 / p50,
                    diff, target, met, notes, errors.get(name)));
        }
        return rows;
    }

    private static String floatOps(Map<String, Integer> ops) {
        List<String> kept = new ArrayList<>();
        ops.forEach((op, n) -> {
            if (!op.equals("Conv") && !op.equals("QuantizeLinear") && !op.equals("DequantizeLinear")) {
                kept.add(op + " " + n);
            }
        });
        return String.join(", ", kept);
    }

    /** OpenCV DNN reading the exported ONNX file, fed the same preprocessed images. */
    static final class OpenCvEngine implements EngineTimer.Engine, AutoCloseable {
        private final Net net;
        private final Mat blob;
        private final List<float[]> images;
        private final List<String> outputs = List.of(OnnxModel.CLS, OnnxModel.BOX, OnnxModel.CENTERNESS);

        OpenCvEngine(Path onnx, List<float[]> images, int size, int threads) {
            nu.pattern.OpenCV.loadLocally();
            Core.setNumThreads(threads);
            this.net = Dnn.readNetFromONNX(onnx.toString());
            net.setPreferableBackend(Dnn.DNN_BACKEND_OPENCV);
            net.setPreferableTarget(Dnn.DNN_TARGET_CPU);
            this.blob = new Mat(new int[] {1, 3, size, size}, CvType.CV_32F);
            this.images = images;
        }

        @Override
        public float[][] run(int i) {
            blob.put(new int[] {0, 0, 0, 0}, images.get(i % images.size()));
            net.setInput(blob, OnnxModel.INPUT);
            List<Mat> outs = new ArrayList<>();
            net.forward(outs, outputs);
            float[][] r = new float[outs.size()][];
            for (int k = 0; k < outs.size(); k++) {
                Mat o = outs.get(k);
                r[k] = new float[(int) o.total()];
                o.get(new int[o.dims()], r[k]);
                o.release();
            }
            return r;
        }

        @Override
        public void close() {
            blob.release();
        }
    }

    // ---- 3. knowledge delta -----------------------------------------------------------------

    /**
     * Fine-tunes the tutor for {@link #deltaSteps} steps on training images (AdamW, constant lr 5e-4,
     * as a short RD run), takes the neck + head difference (Eq. 9 with gamma 1 against the tutor
     * itself), writes it as fp32 and fp16 .delta files (KnowledgeDelta's own float16 storage),
     * applies each to the tutor (Eq. 10, lambda 1) and evaluates on the test split.
     */
    private List<PerfRows.Delta> delta(Path tutorPath, Path dir) throws IOException {
        Files.createDirectories(dir);
        Checkpoint tutor = Checkpoint.read(tutorPath);
        ClassList classes = tutor.classes();
        VocDataset trainDs = VocDataset.load(data, "train", ClassList.read(data.resolve("classes.txt")));
        int n = Math.min(trainDs.size(), Math.max(batch, deltaSteps * batch));
        VocDataset subset = VocDataset.of(trainDs.root(), "train", trainDs.classes(), trainDs.images().subList(0, n));
        List<TensorFile.Tensor> tuned;
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector model = tutor.toModel(m);
            TimedTraining.run(model, m, TrainConfig.DEFAULTS.withBatchSize(batch),
                    DetectionSet.load(subset, model.config().inputSize()), 0, deltaSteps, 5e-4f);
            tuned = ModelWeights.snapshot(model);
        }
        List<TensorFile.Tensor> d = KnowledgeDelta.difference(tuned, tutor.weights(), 1.0, KnowledgeDelta.parts(false));
        DeltaManifest dm = new DeltaManifest(null, null, tutor.manifest().id(), tutor.manifest().weightsSha256(),
                classes.names(), List.of(), List.of(), 1.0, "neck+head", null, Map.of(), 0, 0, 0, null,
                Map.of("source", "bench perf: tutor fine-tuned " + deltaSteps + " steps of batch " + batch));
        Path f32 = dir.resolve("delta-fp32.delta");
        Path f16 = dir.resolve("delta-fp16.delta");
        KnowledgeDelta.write(f32, dm, d, false);
        KnowledgeDelta.write(f16, dm, d, true);
        // Like for like: the tutor as a weights-only checkpoint, the form model.ckpt takes.
        Path full = dir.resolve("tutor-weights.ckpt");
        Checkpoint.write(full, tutor.manifest(), tutor.weights(), null);
        long fullBytes = Files.size(full);
        VocDataset test = VocDataset.load(data, "test", ClassList.read(data.resolve("classes.txt")));
        double before = Stages.evaluate(tutorPath, test, null).map();
        KnowledgeDelta d32 = KnowledgeDelta.read(f32);
        KnowledgeDelta d16 = KnowledgeDelta.read(f16);
        List<TensorFile.Tensor> w32 = d32.applyTo(tutor.weights(), 1.0, tutorPath.toString());
        List<TensorFile.Tensor> w16 = d16.applyTo(tutor.weights(), 1.0, tutorPath.toString());
        Path u32 = dir.resolve("tutor+delta-fp32.ckpt");
        Path u16 = dir.resolve("tutor+delta-fp16.ckpt");
        Checkpoint.write(u32, tutor.manifest(), w32, null);
        Checkpoint.write(u16, tutor.manifest(), w16, null);
        double map32 = Stages.evaluate(u32, test, null).map();
        double map16 = Stages.evaluate(u16, test, null).map();
        double relErr = relativeError(d16.tensors(), d32.tensors());
        double maxW = maxAbsDiff(w16, w32);
        long values = d32.manifest().values();
        List<PerfRows.Delta> rows = new ArrayList<>();
        rows.add(new PerfRows.Delta("full tutor checkpoint (weights only, fp32)", fullBytes, 1.0, before,
                100 * (before - map32), "-", null, tutor.manifest().model().name() + ", before the update; "
                + tutor.weights().stream().mapToLong(t -> t.data().length).sum() + " values"));
        long b32 = Files.size(f32);
        long b16 = Files.size(f16);
        rows.add(new PerfRows.Delta("neck + head delta, fp32", b32, b32 / (double) fullBytes, map32, 0.0, "-", null,
                String.format("%d tensors, %d values, |dW| = %.4g; mAP of the tutor + delta (Eq. 10, lambda 1)",
                        d32.manifest().tensors(), values, d32.manifest().l2Norm())));
        rows.add(new PerfRows.Delta("neck + head delta, fp16", b16, b16 / (double) fullBytes, map16, 100 * (map16 - map32),
                "mAP within 0.1 point of the fp32 delta", Math.abs(100 * (map16 - map32)) <= 0.1,
                String.format("KnowledgeDelta float16 storage; relative error of dW %.2g, max |W16 - W32| %.2g;"
                        + " %.2fx the fp32 delta's bytes", relErr, maxW, b16 / (double) b32)));
        return rows;
    }

    private static double relativeError(List<TensorFile.Tensor> a, List<TensorFile.Tensor> b) {
        double num = 0;
        double den = 0;
        Map<String, TensorFile.Tensor> bb = TensorFile.byName(b);
        for (TensorFile.Tensor t : a) {
            float[] x = t.data();
            float[] y = bb.get(t.name()).data();
            for (int i = 0; i < x.length; i++) {
                num += (double) (x[i] - y[i]) * (x[i] - y[i]);
                den += (double) y[i] * y[i];
            }
        }
        return Math.sqrt(num / Math.max(den, Double.MIN_NORMAL));
    }

    private static double maxAbsDiff(List<TensorFile.Tensor> a, List<TensorFile.Tensor> b) {
        double m = 0;
        Map<String, TensorFile.Tensor> bb = TensorFile.byName(b);
        for (TensorFile.Tensor t : a) {
            m = Math.max(m, EngineTimer.maxAbsDiff(t.data(), bb.get(t.name()).data()));
        }
        return m;
    }

    // ---- 5. edge runtime memory -------------------------------------------------------------

    /**
     * The camera program ({@code EdgeMain run}: folder source, preprocessing, ONNX Runtime, decode +
     * NMS, MQTT off) in a JVM with the launcher's edge options, on the edge runtime's own classpath
     * when ./diredi provides it.
     */
    private PerfRows.Memory edgeMemory(Path onnx, int ortThreads) throws Exception {
        Path dir = out.resolve("edge-runtime");
        AtomicFiles.deleteTree(dir);
        Files.createDirectories(dir);
        String yaml = String.join("\n",
                "device: {customer: perf, id: perf-cam}",
                "profile: cpu",
                "modelDir: '" + dir.resolve("models") + "'",
                "initialModel: '" + onnx + "'",
                "source: {type: folder, path: '" + data.resolve("JPEGImages") + "', loop: true, fpsLimit: 0}",
                "mqtt: {enabled: false}",
                "threads: " + ortThreads, "");
        Files.writeString(dir.resolve("edge.yaml"), yaml);
        String edgeCp = ChildJvm.edgeClasspath();
        String cp = edgeCp != null ? edgeCp : System.getProperty("java.class.path");
        List<String> opts = List.of("-Xmx1g", "-Djava.awt.headless=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        ChildJvm.Outcome o = ChildJvm.run(cp, opts, "org.diredi.edge.cli.EdgeMain", List.of("run", "--config",
                dir.resolve("edge.yaml").toString(), "--frames", Integer.toString(edgeFrames)), dir.resolve("edge.log"),
                1800);
        if (o.exitCode() != 0) {
            throw new IllegalStateException("the edge runtime failed (exit " + o.exitCode() + "); see "
                    + dir.resolve("edge.log") + ":\n" + tail(o.output()));
        }
        String status = o.output().substring(Math.max(0, o.output().lastIndexOf("\n{") + 1));
        Map<?, ?> s = ConfigFiles.JSON.readValue(status, Map.class);
        DeviceProfile p = Profiles.resolve("cpu");
        double mib = o.peakRssBytes() / 1048576.0;
        return new PerfRows.Memory("edge runtime (EdgeMain run, ORT FP32, " + edgeFrames + " frames)", o.peakRssBytes(),
                mib, String.format("%s; %s fps, frame p50 %s ms; %s classpath; JVM %s; VmHWM polled every 50 ms",
                        onnx.getFileName(), s.get("fps"), s.get("latencyMs") instanceof Map<?, ?> l ? l.get("p50") : "?",
                        edgeCp != null ? "edge-runtime's own (no libtorch)" : "the full diredi (libtorch never loaded)",
                        String.join(" ", opts.subList(0, 1))),
                "<= cpu profile memory budget (" + p.memoryBudgetBytes() / 1048576 + " MiB)",
                o.peakRssBytes() > 0 ? o.peakRssBytes() <= p.memoryBudgetBytes() : null);
    }

    private static String tail(String s) {
        String[] lines = s.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 20), lines.length));
    }

    // ---- report -----------------------------------------------------------------------------

    private String markdown(List<PerfRows.Peak> peaks, List<PerfRows.Training> training,
                            List<PerfRows.Inference> inference, ExportManifest em, List<PerfRows.Delta> delta, List<PerfRows.Transfer> transfer, List<PerfRows.Memory> memory,
                            int ortThreads, double minutes) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("## Performance: every hot path in one run (issue 8)\n\n```bash\n./").append(command().strip())
                .append("\n```\n\n").append(org.diredi.core.report.Machine.describe()).append(" ONNX Runtime / OpenCV / edge runtime threads ")
                .append(ortThreads).append(", OMP_WAIT_POLICY=").append(System.getenv().getOrDefault("OMP_WAIT_POLICY",
                        "unset")).append(". Data: ").append(data).append(". The run took ")
                .append(String.format("%.1f", minutes)).append(" min").append(quick ? " (--quick: smoke settings, the"
                        + " figures are not benchmarks)" : "").append(".\n\n");
        b.append("### 1. Training throughput against this machine's libtorch peak\n\n")
                .append("Peak: the best of ").append(peakReps).append(" calls of each op, same process and libtorch as"
                        + " the training runs; the machine's peak is the higher of the two.\n\n")
                .append(PerfRows.peaks(peaks).strip()).append("\n\nTraining: ").append(warmup).append(" warm-up + ")
                .append(steps).append(" timed steps of batch ").append(batch).append(" on the training split"
                        + " (augmentation on, AdamW, DetectorTrainer's step), each preset in its own JVM."
                        + " FLOP convention: 2 FLOPs per multiply-accumulate, convolutions only, counted on the real"
                        + " graph (FlopCounter); forward + backward = 3x forward.\n\n")
                .append(PerfRows.training(training).strip()).append("\n\n");
        b.append("### 2. Inference, batch 1, one exported edge model\n\n").append(modelSource.get("edge")).append(": ")
                .append(em.preset()).append(", ")
                .append(em.inputSize()).append(" px; ").append(Files.size(out.resolve("edge-fp32.onnx")))
                .append(" bytes FP32, ").append(Files.size(out.resolve("edge-int8.onnx")))
                .append(" bytes int8 (QdqQuantizer defaults: per-channel 8-bit weights, uint8 activations calibrated on ")
                .append(calibrationImages).append(" validation images). Network only (no decode / NMS); every engine gets"
                        + " the same inputs (cycling through up to 50 test images), ").append(runs)
                .append(" timed runs after ").append(Math.max(5, runs / 10))
                .append(" warm-up runs; ratios are p50 against p50 (> 1: faster).\n\n")
                .append(PerfRows.inference(inference).strip()).append("\n\n");
        b.append("### 3. Knowledge delta, fp32 and fp16\n\nTutor: ").append(modelSource.get("tutor"))
                .append(". The tutor fine-tuned ").append(deltaSteps)
                .append(" steps (batch ").append(batch).append(", AdamW lr 5e-4) gives the neck + head delta;"
                        + " Eq. 10 with lambda 1 applies it; VOC mAP@0.5 on the test split. 1 point = 0.01 mAP.\n\n")
                .append(PerfRows.delta(delta).strip()).append("\n\n");
        b.append("### 4. Transfers over the embedded broker (loopback)\n\nChunked transfers (QoS 1, per-chunk SHA-256,"
                        + " TransferSender window ").append(org.diredi.messaging.TransferSender.DEFAULT_WINDOW)
                .append(") through HiveMQ CE in this JVM with the product's accounts, ACLs and chunk sizes; every"
                        + " device is its own MQTT client and TransferReceiver (chunks staged on disk, assembled,"
                        + " hash-checked). Seconds: first publish to the last receiver's check, after one untimed"
                        + " warm-up upload. MB = 10^6 bytes.\n\n")
                .append(PerfRows.transfer(transfer).strip()).append("\n\n");
        b.append("### 5. Peak memory (VmHWM)\n\n").append(PerfRows.memory(memory).strip()).append("\n");
        return b.toString();
    }
}
