package org.diredi.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.diredi.profiles.DeviceProfile;
import org.diredi.vision.io.AtomicFiles;

/**
 * Post-training static quantization of an FP32 export into QDQ form, the format int8 toolchains
 * (ONNX Runtime, TensorRT, Sony's IMX500 converter) read:
 *
 * <ul>
 *   <li>every Conv weight becomes an int8 initializer, symmetric per output channel (axis 0,
 *       zero point 0), followed by DequantizeLinear; the bias becomes int32 with scale
 *       {@code s_x * s_w[c]}, as integer convolution accumulates it;</li>
 *   <li>every Conv input gets a QuantizeLinear/DequantizeLinear pair with a per-tensor scale
 *       calibrated as min/max over representative images;</li>
 *   <li>everything else (group norm written out, Resize, head post-ops) stays float.</li>
 * </ul>
 *
 * Per-channel DequantizeLinear needs opset 13, so exports below 13 are refused.
 */
public final class QdqQuantizer {

    public static final int MIN_OPSET = 13;
    public static final String QUANT_KEY = "diredi.quantization";

    /** Activation storage type for the QuantizeLinear/DequantizeLinear pairs. */
    public enum Activations { UINT8, INT8 }

    /**
     * @param reduceRange      7-bit weights ([-64, 63]): ONNX Runtime's fused int8 conv can overflow its
     *                         16-bit intermediate sums with full-range weights on CPUs without VNNI
     * @param powerOfTwoScales round activation scales up to powers of two (Sony's IMX500 toolkit uses
     *                         power-of-two thresholds); rounding up keeps the calibrated range unclipped
     * @param activations      uint8 (asymmetric, zero point from the range) or int8 (symmetric)
     */
    public record Options(boolean reduceRange, boolean powerOfTwoScales, Activations activations) {
        /** Full 8-bit weights, uint8 activations: the usual ONNX Runtime QDQ recipe. */
        public static final Options DEFAULT = new Options(false, false, Activations.UINT8);
        /** 7-bit weights: what verifies on a CPU without VNNI. */
        public static final Options CPU_SAFE = new Options(true, false, Activations.UINT8);
        /** 8-bit symmetric weights and activations with power-of-two scales (IMX500 style). */
        public static final Options IMX500 = new Options(false, true, Activations.INT8);

        public int weightMax() {
            return reduceRange ? 63 : 127;
        }

        public int weightMin() {
            return reduceRange ? -64 : -127; // symmetric: -128 is never used, so |q| <= 127
        }
    }

    /** Per-tensor activation quantization: {@code x ~ scale * (q - zeroPoint)}. */
    public record ActivationParams(float min, float max, float scale, int zeroPoint) {}

    /**
     * The quantized model.
     *
     * @param activations per Conv-input tensor name, its calibrated range and quantization
     * @param convs       how many Conv nodes got int8 weights
     */
    public record Quantized(ModelProto model, Map<String, ActivationParams> activations, int convs,
                            Options options) {
        public byte[] onnx() {
            return model.toByteArray();
        }
    }

    private QdqQuantizer() {}

    public static Quantized quantize(byte[] fp32Onnx, List<float[]> calibration, Options options) {
        try {
            return quantize(ModelProto.parseFrom(fp32Onnx), calibration, options);
        } catch (InvalidProtocolBufferException e) {
            throw new ExportException("not an ONNX model: " + e.getMessage(), e);
        }
    }

    /**
     * Quantizes {@code fp32}, calibrating activation ranges on {@code calibration} (normalised CHW
     * images of the model's input size; a few dozen representative images is typical).
     */
    public static Quantized quantize(ModelProto fp32, List<float[]> calibration, Options options) {
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("static quantization needs at least one calibration image");
        }
        requireOpset(fp32);
        GraphProto g = fp32.getGraph();
        Map<String, TensorProto> inits = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            inits.put(t.getName(), t);
        }
        List<NodeProto> convs = g.getNodeList().stream().filter(QdqQuantizer::isConv).toList();
        Set<String> convInputs = convInputs(convs, inits);
        Map<String, float[]> ranges = calibrate(fp32, calibration, convInputs);
        Map<String, ActivationParams> act = new LinkedHashMap<>();
        for (String x : convInputs) {
            float[] r = ranges.get(x);
            act.put(x, activationParams(r[0], r[1], options));
        }

        QdqRewrite rewrite = new QdqRewrite(g, inits, act, options);
        g.getNodeList().forEach(rewrite::add);
        String desc = String.format(Locale.ROOT, "qdq weights=int%d-per-channel activations=%s%s calibration=%d",
                options.reduceRange() ? 7 : 8, options.activations().name().toLowerCase(Locale.ROOT),
                options.powerOfTwoScales() ? "-pow2" : "", calibration.size());
        ModelProto.Builder m = fp32.toBuilder().setGraph(rewrite.finish());
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(QUANT_KEY).setValue(desc));
        return new Quantized(m.build(), act, convs.size(), options);
    }

    private static void requireOpset(ModelProto fp32) {
        int opset = fp32.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty())
                .mapToInt(o -> (int) o.getVersion()).findFirst().orElse(0);
        if (opset < MIN_OPSET) {
            throw new ExportException("opset " + opset + " cannot be quantized: per-channel DequantizeLinear needs "
                    + "opset >= " + MIN_OPSET + " (export at opset 13)");
        }
    }

    private static boolean isConv(NodeProto n) {
        return n.getDomain().isEmpty() && n.getOpType().equals("Conv");
    }

    /** The tensors the Conv nodes read, in node order; every Conv weight must be an initializer. */
    private static Set<String> convInputs(List<NodeProto> convs, Map<String, TensorProto> inits) {
        Set<String> convInputs = new LinkedHashSet<>();
        for (NodeProto c : convs) {
            if (!inits.containsKey(c.getInput(1))) {
                throw new ExportException("Conv '" + c.getName() + "' has a computed weight; only initializer weights are quantized");
            }
            convInputs.add(c.getInput(0));
        }
        return convInputs;
    }

    private record QWeight(String dequantized, float[] scales) {}

    /**
     * The QDQ rewrite of a graph, node by node in topological order: each Conv reads its input
     * through a QuantizeLinear/DequantizeLinear pair, its weight and bias through DequantizeLinear
     * of int8 and int32 initializers. Every pair, weight and bias is made once and shared by the
     * Convs that read the same tensor; new names never collide with the graph's.
     */
    private static final class QdqRewrite {
        private final GraphProto g;
        private final Map<String, TensorProto> inits;
        private final Map<String, ActivationParams> act;
        private final Options options;
        private final GraphProto.Builder out;
        private final List<TensorProto> keptInits = new ArrayList<>();
        private final Set<String> replacedWeights = new HashSet<>();
        private final Set<String> used = new HashSet<>();
        private final Map<String, String> dequantized = new HashMap<>(); // activation -> its DQ output
        private final Map<String, QWeight> weights = new HashMap<>();
        private final Map<String, String> biasDq = new HashMap<>();

        QdqRewrite(GraphProto g, Map<String, TensorProto> inits, Map<String, ActivationParams> act, Options options) {
            this.g = g;
            this.inits = inits;
            this.act = act;
            this.options = options;
            this.out = g.toBuilder().clearNode();
            g.getNodeList().forEach(n -> used.addAll(n.getOutputList()));
            g.getInitializerList().forEach(t -> used.add(t.getName()));
            g.getInputList().forEach(v -> used.add(v.getName()));
        }

        /** Appends {@code n}: unchanged unless it is a Conv, which reads quantized inputs. */
        void add(NodeProto n) {
            if (!isConv(n)) {
                out.addNode(n);
                return;
            }
            String x = n.getInput(0);
            ActivationParams a = act.get(x);
            String xdq = dequantizedActivation(x, a);
            // Head convolutions are shared across pyramid levels: quantize each weight once.
            String base = n.getInput(1);
            QWeight qw = weights.get(base);
            if (qw == null) {
                qw = quantizeWeight(inits.get(base));
                weights.put(base, qw);
            }
            replacedWeights.add(base);
            NodeProto.Builder conv = n.toBuilder().setInput(0, xdq).setInput(1, qw.dequantized());
            String bdq = dequantizedBias(n, xdq, a, qw.scales());
            if (bdq != null) {
                conv.setInput(2, bdq);
            }
            out.addNode(conv);
        }

        /** One pair per tensor, inserted before its first Conv consumer: topological order holds. */
        private String dequantizedActivation(String x, ActivationParams a) {
            String xdq = dequantized.get(x);
            if (xdq != null) {
                return xdq;
            }
            String s = fresh(used, x + "_scale");
            String zp = fresh(used, x + "_zero_point");
            keptInits.add(scalarFloat(s, a.scale()));
            keptInits.add(options.activations() == Activations.UINT8
                    ? bytes(zp, TensorProto.DataType.UINT8, new byte[] {(byte) a.zeroPoint()})
                    : bytes(zp, TensorProto.DataType.INT8, new byte[] {(byte) a.zeroPoint()}));
            String q = fresh(used, x + "_quantized");
            xdq = fresh(used, x + "_dequantized");
            out.addNode(node("QuantizeLinear", q, List.of(x, s, zp)));
            out.addNode(node("DequantizeLinear", xdq, List.of(q, s, zp)));
            dequantized.put(x, xdq);
            return xdq;
        }

        /** Symmetric per-output-channel int8 weight plus its DequantizeLinear (axis 0, zero point 0). */
        private QWeight quantizeWeight(TensorProto w) {
            float[] wf = floats(w);
            int cout = (int) w.getDims(0);
            int per = wf.length / cout;
            float[] ws = new float[cout];
            byte[] wq = new byte[wf.length];
            for (int c = 0; c < cout; c++) {
                float m = 0;
                for (int i = c * per; i < (c + 1) * per; i++) {
                    m = Math.max(m, Math.abs(wf[i]));
                }
                // an all-zero channel still needs a positive scale
                ws[c] = m > 0 ? m / options.weightMax() : 1f;
                for (int i = c * per; i < (c + 1) * per; i++) {
                    long q = Math.round(wf[i] / ws[c]);
                    wq[i] = (byte) Math.max(options.weightMin(), Math.min(options.weightMax(), q));
                }
            }
            String base = w.getName();
            String wqName = fresh(used, base + "_quantized");
            String wsName = fresh(used, base + "_scale");
            String wzName = fresh(used, base + "_zero_point");
            String wdq = fresh(used, base + "_dequantized");
            TensorProto.Builder wqt = TensorProto.newBuilder().setName(wqName)
                    .setDataType(TensorProto.DataType.INT8.getNumber()).setRawData(ByteString.copyFrom(wq));
            w.getDimsList().forEach(wqt::addDims);
            keptInits.add(wqt.build());
            keptInits.add(floatVector(wsName, ws));
            keptInits.add(bytes(wzName, TensorProto.DataType.INT8, new byte[cout], cout));
            out.addNode(node("DequantizeLinear", wdq, List.of(wqName, wsName, wzName), "axis", 0L));
            return new QWeight(wdq, ws);
        }

        /**
         * The DequantizeLinear output of the Conv's int32 bias at scale {@code s_x * s_w[c]}, as an
         * integer convolution accumulates it; null when the Conv has no initializer bias.
         */
        private String dequantizedBias(NodeProto n, String xdq, ActivationParams a, float[] ws) {
            String biasKey = n.getInputCount() > 2 ? n.getInput(2) + "|" + xdq : "";
            if (biasDq.containsKey(biasKey)) {
                return biasDq.get(biasKey); // same bias and same input scale: same int32 bias
            }
            if (!(n.getInputCount() > 2 && !n.getInput(2).isEmpty() && inits.containsKey(n.getInput(2)))) {
                return null;
            }
            float[] b = floats(inits.get(n.getInput(2)));
            int cout = ws.length;
            float[] bs = new float[cout];
            ByteBuffer bq = ByteBuffer.allocate(4 * cout).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < cout; c++) {
                bs[c] = a.scale() * ws[c];
                bq.putInt((int) Math.max(Integer.MIN_VALUE + 1L,
                        Math.min(Integer.MAX_VALUE, Math.round((double) b[c] / bs[c]))));
            }
            String bbase = n.getInput(2);
            String bqName = fresh(used, bbase + "_quantized");
            String bsName = fresh(used, bbase + "_scale");
            String bdq = fresh(used, bbase + "_dequantized");
            keptInits.add(TensorProto.newBuilder().setName(bqName).setDataType(TensorProto.DataType.INT32.getNumber())
                    .addDims(cout).setRawData(ByteString.copyFrom(bq.array())).build());
            keptInits.add(floatVector(bsName, bs));
            out.addNode(node("DequantizeLinear", bdq, List.of(bqName, bsName), "axis", 0L));
            replacedWeights.add(bbase);
            biasDq.put(biasKey, bdq);
            return bdq;
        }

        /** The rewritten graph: float weights nothing reads any more dropped, quantized ones appended. */
        GraphProto.Builder finish() {
            // A weight shared with a non-Conv node stays.
            Set<String> stillRead = new HashSet<>();
            out.getNodeList().forEach(n -> stillRead.addAll(n.getInputList()));
            out.clearInitializer();
            for (TensorProto t : g.getInitializerList()) {
                if (!replacedWeights.contains(t.getName()) || stillRead.contains(t.getName())) {
                    out.addInitializer(t);
                }
            }
            out.addAllInitializer(keptInits);
            return out;
        }
    }

    /** Memory needed on {@code profile} with int8 activations (shapes from one ONNX Runtime run). */
    public static MemoryReport memoryReport(Quantized q, DeviceProfile profile) {
        return MemoryReport.of(q.model(), tensorShapes(q.model()), 1, profile);
    }

    /**
     * Writes the quantized model to {@code out} with its manifest (the FP32 export's, marked
     * {@code int8}, with this file's hash, size and operators) and, when {@code profile} is given,
     * the memory report as {@code <name>.memory.json}. The model is written first, so a manifest
     * never describes a file that is not there.
     */
    public static ExportManifest write(Quantized q, ExportManifest fp32, Path out, DeviceProfile profile) {
        byte[] bytes = q.onnx();
        Map<String, Integer> ops = new java.util.TreeMap<>();
        q.model().getGraph().getNodeList().forEach(n -> ops.merge(n.getOpType(), 1, Integer::sum));
        ExportManifest m = new ExportManifest(fp32.format(), java.time.Instant.now().toString(),
                out.getFileName().toString(), OnnxExporter.sha256(bytes), bytes.length, "int8", fp32.opset(),
                fp32.irVersion(), fp32.checkpoint(), fp32.preset(), fp32.model(), fp32.classes(), fp32.inputSize(),
                fp32.input(), fp32.outputs(), fp32.strides(), fp32.normalisation(), fp32.decoding(),
                fp32.foldedBatchNorms(), ops);
        try {
            AtomicFiles.writeBytes(out, bytes);
            AtomicFiles.writeJson(ExportManifest.pathFor(out), m);
            if (profile != null) {
                String n = ExportManifest.pathFor(out).getFileName().toString();
                AtomicFiles.writeJson(out.resolveSibling(n.substring(0, n.length() - 5) + ".memory.json"),
                        memoryReport(q, profile));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        return OnnxExporter.withProvenance(out, m, List.of(fp32.asParent("quantized from")),
                profile == null ? Map.of() : Map.of("profile", profile.name()));
    }

    /** Scale and zero point covering [min, max] (widened to include 0, which must be exact). */
    static ActivationParams activationParams(float min, float max, Options o) {
        float lo = Math.min(0f, min);
        float hi = Math.max(0f, max);
        float scale;
        int zp;
        if (o.activations() == Activations.INT8) {
            scale = Math.max(Math.abs(lo), Math.abs(hi)) / 127f;
            scale = positive(scale, o);
            zp = 0;
        } else {
            scale = positive((hi - lo) / 255f, o);
            zp = (int) Math.max(0, Math.min(255, Math.round(-lo / scale)));
        }
        return new ActivationParams(min, max, scale, zp);
    }

    private static float positive(float scale, Options o) {
        if (!(scale > 0) || Float.isInfinite(scale)) {
            scale = 1f; // a constant-zero tensor: any positive scale represents it
        }
        return o.powerOfTwoScales() ? powerOfTwoAtLeast(scale) : scale;
    }

    /** Smallest power of two {@code >= v} (v > 0), exactly representable as a float. */
    static float powerOfTwoAtLeast(float v) {
        int e = Math.getExponent(v);
        float p = Math.scalb(1f, e);
        return p >= v ? p : Math.scalb(1f, e + 1);
    }

    /**
     * Min and max of each named tensor over the images, found by running the FP32 model in ONNX
     * Runtime with those tensors added as extra graph outputs. Graph inputs are measured directly.
     */
    public static Map<String, float[]> calibrate(ModelProto fp32, List<float[]> images, Set<String> tensors) {
        GraphProto g = fp32.getGraph();
        Set<String> inputs = new HashSet<>();
        g.getInputList().forEach(v -> inputs.add(v.getName()));
        Set<String> outputs = new HashSet<>();
        g.getOutputList().forEach(v -> outputs.add(v.getName()));
        GraphProto.Builder gb = g.toBuilder();
        for (String t : tensors) {
            if (!inputs.contains(t) && !outputs.contains(t)) {
                gb.addOutput(floatOutput(t));
            }
        }
        long[] inShape = g.getInput(0).getType().getTensorType().getShape().getDimList().stream()
                .mapToLong(d -> d.getDimValue()).toArray();
        String inName = g.getInput(0).getName();
        Map<String, float[]> ranges = new LinkedHashMap<>();
        for (String t : tensors) {
            ranges.put(t, new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(fp32.toBuilder().setGraph(gb).build().toByteArray(), so)) {
                for (float[] img : images) {
                    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(img), inShape);
                         OrtSession.Result r = s.run(Map.of(inName, x), tensors.stream()
                                 .filter(t -> !inputs.contains(t)).collect(java.util.stream.Collectors.toSet()))) {
                        for (String t : tensors) {
                            FloatBuffer b = inputs.contains(t) ? FloatBuffer.wrap(img)
                                    : ((OnnxTensor) r.get(t).orElseThrow()).getFloatBuffer();
                            float[] mm = ranges.get(t);
                            while (b.hasRemaining()) {
                                float v = b.get();
                                mm[0] = Math.min(mm[0], v);
                                mm[1] = Math.max(mm[1], v);
                            }
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new ExportException("calibration run failed in ONNX Runtime: " + e.getMessage(), e);
        }
        return ranges;
    }

    /**
     * Static shapes of every float tensor the graph computes (and of its inputs), by running it once
     * in ONNX Runtime on a zero image with all node outputs exposed: the exporter writes no
     * value_info, and a run is the simplest shape inference that cannot disagree with the runtime.
     */
    public static Map<String, long[]> tensorShapes(ModelProto model) {
        GraphProto g = model.getGraph();
        GraphProto.Builder gb = g.toBuilder();
        Set<String> outputs = new HashSet<>();
        g.getOutputList().forEach(v -> outputs.add(v.getName()));
        Set<String> initNames = new HashSet<>();
        g.getInitializerList().forEach(t -> initNames.add(t.getName()));
        List<String> wanted = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) {
                if (!o.isEmpty() && !outputs.contains(o)) {
                    gb.addOutput(ValueInfoProto.newBuilder().setName(o));
                }
                if (!o.isEmpty()) {
                    wanted.add(o);
                }
            }
        }
        long[] inShape = g.getInput(0).getType().getTensorType().getShape().getDimList().stream()
                .mapToLong(d -> d.getDimValue()).toArray();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(g.getInput(0).getName(), inShape);
        int n = 1;
        for (long d : inShape) {
            n *= (int) d;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            // no graph optimisation, so every tensor of the written graph is still there to fetch
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession s = env.createSession(model.toBuilder().setGraph(gb).build().toByteArray(), so);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[n]), inShape);
                 OrtSession.Result r = s.run(Map.of(g.getInput(0).getName(), x))) {
                for (String t : wanted) {
                    var v = r.get(t);
                    if (v.isPresent() && v.get() instanceof OnnxTensor ot) {
                        shapes.put(t, ot.getInfo().getShape());
                    }
                }
            }
        } catch (OrtException e) {
            throw new ExportException("shape run failed in ONNX Runtime: " + e.getMessage(), e);
        }
        return shapes;
    }

    static float[] floats(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.FLOAT.getNumber()) {
            throw new ExportException("initializer '" + t.getName() + "' is not float");
        }
        if (!t.getRawData().isEmpty()) {
            FloatBuffer fb = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] v = new float[fb.remaining()];
            fb.get(v);
            return v;
        }
        float[] v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getFloatData(i);
        }
        return v;
    }

    private static String fresh(Set<String> used, String base) {
        String n = base;
        for (int i = 2; !used.add(n); i++) {
            n = base + "_" + i;
        }
        return n;
    }

    private static NodeProto node(String op, String output, List<String> inputs, Object... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output).addAllInput(inputs);
        for (int i = 0; i < attrs.length; i += 2) {
            b.addAttribute(AttributeProto.newBuilder().setName((String) attrs[i])
                    .setType(AttributeProto.AttributeType.INT).setI((Long) attrs[i + 1]));
        }
        return b.build();
    }

    private static TensorProto scalarFloat(String name, float v) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array()))
                .build();
    }

    private static TensorProto floatVector(String name, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addDims(v.length).setRawData(ByteString.copyFrom(b.array())).build();
    }

    private static TensorProto bytes(String name, TensorProto.DataType type, byte[] v, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(v));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static ValueInfoProto floatOutput(String name) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber())))
                .build();
    }
}
