package org.diredi.bench.inference;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.diredi.bench.PerfSettings;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.report.Machine;
import org.diredi.export.ExportManifest;
import org.diredi.export.OnnxExporter;
import org.diredi.export.QdqQuantizer;
import org.diredi.inference.OnnxModel;
import org.diredi.inference.engine.EngineTimer;
import org.diredi.inference.engine.OpenCvEngine;

/**
 * Section 2 of {@code bench perf}: one edge checkpoint exported to ONNX (FP32, and int8 QDQ with the
 * quantizer's defaults), then batch-1 latency of DJL, ONNX Runtime FP32 / int8 and OpenCV DNN on the
 * same preprocessed test images, as ratios against DJL and ONNX Runtime FP32.
 */
public final class InferenceSection {

    static final String DJL = "DJL PyTorch FP32";
    static final String ORT = "ONNX Runtime FP32";
    static final String ORT8 = "ONNX Runtime int8 (QDQ)";
    static final String CV = "OpenCV DNN FP32";
    private static final List<String> ENGINES = List.of(DJL, ORT, ORT8, CV);

    /** The exported files (section 4 ships {@code fp32}, section 5 runs it) and the engines' rows. */
    public record Result(Path checkpoint, String model, ExportManifest manifest, Path fp32, Path int8, long fp32Bytes,
                         long int8Bytes, int calibrationImages, int threads, List<InferenceRow> rows) {
        public Map<String, Object> json() {
            return Map.of("model", model, "checkpoint", checkpoint.toString(), "fp32Bytes", fp32Bytes, "int8Bytes",
                    int8Bytes, "threads", threads, "rows", rows);
        }
    }

    /** Each engine's timing, first class logits (for the difference against ORT FP32) and failure. */
    private record Measured(Map<String, EngineTimer.Timing> timing, Map<String, float[]> cls,
                            Map<String, String> errors) {
        void add(String engine, EngineTimer.Engine e, int warmup, int runs) {
            cls.put(engine, e.run(0)[0]);
            timing.put(engine, EngineTimer.time(warmup, runs, e));
        }

        double p50(String engine) {
            EngineTimer.Timing x = timing.get(engine);
            return x == null ? Double.NaN : x.p50Ms();
        }

        double p99(String engine) {
            EngineTimer.Timing x = timing.get(engine);
            return x == null ? Double.NaN : x.p99Ms();
        }
    }

    /** A row's target, whether it was met (null: no target) and its notes. */
    private record Verdict(String target, Boolean met, String notes) {}

    private final PerfSettings s;
    private final int threads;

    public InferenceSection(PerfSettings settings) {
        this.s = settings;
        this.threads = settings.inferenceThreads();
    }

    /** Exports {@code edgeCheckpoint} into the results folder and times the four engines on it. */
    public Result run(Path edgeCheckpoint) throws IOException {
        System.out.println("perf: [2/5] inference engines on the exported edge model");
        Path fp32 = s.out().resolve("edge-fp32.onnx");
        Path int8 = s.out().resolve("edge-int8.onnx");
        Checkpoint edge = Checkpoint.read(edgeCheckpoint);
        int size = edge.manifest().model().inputSize();
        ExportManifest em = OnnxExporter.export(edgeCheckpoint, fp32, OnnxExporter.DEFAULT_OPSET);
        // 32 validation images, as diredi export --int8 uses by default
        List<float[]> calibration = EngineTimer.images(s.data(), "val", size, 32);
        QdqQuantizer.Quantized q = QdqQuantizer.quantize(Files.readAllBytes(fp32), calibration,
                QdqQuantizer.Options.DEFAULT);
        QdqQuantizer.write(q, em, int8, null);
        Measured m = time(edgeCheckpoint, fp32, int8, size);
        List<InferenceRow> rows = new ArrayList<>();
        for (String name : ENGINES) {
            String file = (name.equals(DJL) ? edgeCheckpoint : name.equals(ORT8) ? int8 : fp32).getFileName().toString();
            double p50 = m.p50(name);
            double diff = m.cls().containsKey(name) ? EngineTimer.maxAbsDiff(m.cls().get(name), m.cls().get(ORT))
                    : Double.NaN;
            Verdict v = verdict(name, m, q);
            rows.add(new InferenceRow(name, file, p50, m.p99(name), m.p50(DJL) / p50, m.p50(ORT) / p50, diff,
                    v.target(), v.met(), v.notes(), m.errors().get(name)));
        }
        return new Result(edgeCheckpoint, edge.manifest().model().toString(), em, fp32, int8, Files.size(fp32),
                Files.size(int8), calibration.size(), threads, rows);
    }

    private Measured time(Path ckpt, Path fp32, Path int8, int size) {
        List<float[]> images = EngineTimer.images(s.data(), "test", size, 50);
        int warm = Math.max(5, s.runs() / 10);
        Measured m = new Measured(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        try (NDManager nd = NDManager.newBaseManager()) {
            m.add(DJL, DjlEngine.of(Checkpoint.read(ckpt).toModel(nd), nd, images), warm, s.runs());
        }
        for (String name : List.of(ORT, ORT8)) {
            try (OnnxModel om = new OnnxModel(name.equals(ORT) ? fp32 : int8, threads)) {
                m.add(name, EngineTimer.onnxRuntime(om, images), warm, s.runs());
            }
        }
        try (OpenCvEngine e = new OpenCvEngine(fp32, images, size, threads)) {
            m.add(CV, e, warm, s.runs());
        } catch (Throwable ex) { // CvException, UnsatisfiedLinkError: the row says why, the bench goes on
            m.errors().put(CV, ex.getClass().getSimpleName() + ": " + String.valueOf(ex.getMessage()).strip());
        }
        return m;
    }

    private static Verdict verdict(String name, Measured m, QdqQuantizer.Quantized q) {
        double p50 = m.p50(name);
        double ortP50 = m.p50(ORT);
        double cvP50 = m.p50(CV);
        if (name.equals(ORT8)) {
            return new Verdict(">= 3x DJL and >= 1.3x ORT FP32", m.p50(DJL) / p50 >= 3 && ortP50 / p50 >= 1.3,
                    int8Notes(q));
        }
        if (name.equals(ORT)) {
            return Double.isFinite(cvP50)
                    ? new Verdict("ahead of OpenCV DNN (p50)", ortP50 < cvP50, String.format("%.2fx OpenCV DNN", cvP50 / ortP50))
                    : new Verdict("ahead of OpenCV DNN (p50)", null, "OpenCV DNN did not run");
        }
        if (name.equals(DJL)) {
            return new Verdict("-", null, "reference; libtorch threads "
                    + System.getProperty("ai.djl.pytorch.num_threads", "default"));
        }
        return new Verdict("-", null, "the same fp32.onnx file");
    }

    /** What the int8 graph holds: quantized convs, Q / DQ nodes, the ops left in float, and whether the CPU has VNNI. */
    private static String int8Notes(QdqQuantizer.Quantized q) {
        Map<String, Integer> ops = new TreeMap<>();
        q.model().getGraph().getNodeList().forEach(n -> ops.merge(n.getOpType(), 1, Integer::sum));
        boolean vnni = Boolean.TRUE.equals(Machine.facts().get("avx512_vnni"));
        List<String> floatOps = new ArrayList<>();
        ops.forEach((op, n) -> {
            if (!op.equals("Conv") && !op.equals("QuantizeLinear") && !op.equals("DequantizeLinear")) {
                floatOps.add(op + " " + n);
            }
        });
        return String.format("%d of %d Conv with int8 weights; %d QuantizeLinear + %d DequantizeLinear nodes;"
                        + " float ops kept: %s; CPU VNNI: %s", q.convs(), ops.getOrDefault("Conv", 0),
                ops.getOrDefault("QuantizeLinear", 0), ops.getOrDefault("DequantizeLinear", 0),
                String.join(", ", floatOps), vnni ? "yes" : "no");
    }

    /** The report's section 2; {@code source} says where the edge checkpoint came from. */
    public String markdown(Result r, String source) {
        return new StringBuilder("### 2. Inference, batch 1, one exported edge model\n\n").append(source).append(": ")
                .append(r.manifest().preset()).append(", ").append(r.manifest().inputSize()).append(" px; ")
                .append(r.fp32Bytes()).append(" bytes FP32, ").append(r.int8Bytes())
                .append(" bytes int8 (QdqQuantizer defaults: per-channel 8-bit weights, uint8 activations calibrated on ")
                .append(r.calibrationImages()).append(" validation images). Network only (no decode / NMS); every engine"
                        + " gets the same inputs (cycling through up to 50 test images), ").append(s.runs())
                .append(" timed runs after ").append(Math.max(5, s.runs() / 10))
                .append(" warm-up runs; ratios are p50 against p50 (> 1: faster).\n\n")
                .append(InferenceRow.table(r.rows()).strip()).append("\n\n").toString();
    }
}
