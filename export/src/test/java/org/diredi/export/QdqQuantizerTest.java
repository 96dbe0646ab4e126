package org.diredi.export;

import org.diredi.inference.OnnxModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.diredi.core.TestData;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.profiles.ProfileChecker;
import org.diredi.profiles.Profiles;
import org.diredi.profiles.Violation;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.fcos.FcosGrid;
import org.diredi.vision.image.Preprocess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QdqQuantizerTest {

    @TempDir
    static Path dir;

    private static List<float[]> scenes;
    private static List<VocImage> sceneImages;
    private static VocDataset train;
    private static byte[] fp32;
    private static byte[] trained;
    private static ExportManifest trainedManifest;

    @BeforeAll
    static void setUp() {
        train = TestData.scenes(dir.resolve("scenes"), 8);
        sceneImages = train.images();
        int s = TestData.SMALL.inputSize();
        scenes = sceneImages.stream().map(i -> Preprocess.toChw(VocDataset.readImage(i), s, s)).toList();
        try (NDManager m = NDManager.newBaseManager()) {
            // random weights with batch-norm statistics far from identity (see OnnxExporterTest)
            FcosDetector d = OnnxExporterTest.randomModel(m, TestData.SMALL, 7);
            fp32 = OnnxExporter.toOnnx(d, 13, null).onnx();
        }
        // A briefly trained model, committed as a fixture: training is reproducible on one CPU but not
        // across CPUs (oneDNN picks other kernels), and a model trained elsewhere quantizes differently,
        // which made this test pass here and fail on the CI machine. TrainedFixture.main rebuilds it.
        trained = TrainedFixture.onnx();
        trainedManifest = TrainedFixture.manifest();
    }

    @Test
    void int8ModelsTrackTheFp32ModelAndDetectTheSameObjects() throws IOException {
        StringBuilder failures = new StringBuilder();
        for (QdqQuantizer.Options o : List.of(QdqQuantizer.Options.CPU_SAFE, QdqQuantizer.Options.DEFAULT,
                QdqQuantizer.Options.IMX500)) {
            Compared t = compare("trained", trained, o);
            Compared r = compare("random", fp32, o);
            // Only 7-bit weights are checked tightly: on CPUs without VNNI (like this one) ONNX Runtime's
            // fused u8s8 conv saturates 16-bit sums with full 8-bit weights, so those figures are
            // reported but judge the CPU, not the model (they are expected to be fine on the device).
            if (o.reduceRange()) {
                // bound: 10% of the largest logit magnitude (measured: see the printed figures)
                if (t.cls > 0.1 * t.clsMag || t.agree < scenes.size() - 1) {
                    failures.append(t).append('\n');
                }
                if (r.cls > 0.15 * r.clsMag) {
                    failures.append(r).append('\n');
                }
            }
            // the arithmetic itself (no int8 kernel involved) stays within the same bound for every option
            if (t.simulated > 0.1 * t.clsMag) {
                failures.append("simulated ").append(t).append('\n');
            }
            assertTrue(t.bytes < trained.length / 2, t.bytes + " vs " + trained.length);
        }
        assertTrue(failures.isEmpty(), failures.toString());
    }

    private record Compared(String what, QdqQuantizer.Options o, int bytes, int fp32Bytes, double cls, double clsMag,
                            double ctr, int agree, int images, int withDetections, double simulated) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s int8 %s: %,d B vs fp32 %,d B; max |fp32 - int8| cls %.4f "
                    + "(|x| <= %.2f), centerness %.4f; top detection agrees in %d/%d images (%d with detections)",
                    what, o, bytes, fp32Bytes, cls, clsMag, ctr, agree, images, withDetections);
        }
    }

    private static Compared compare(String what, byte[] model, QdqQuantizer.Options o) throws IOException {
        Path f32 = dir.resolve(what + "-fp32.onnx");
        Files.write(f32, model);
        FcosDecoder decoder = new FcosDecoder(new FcosGrid(96, ModelConfig.STRIDES), 10,
                new FcosDecoder.Config(0.05f, 1000, 0.6f, 100));
        QdqQuantizer.Quantized q = QdqQuantizer.quantize(model, scenes, o);
        Path qf = dir.resolve(what + "-int8.onnx");
        Files.write(qf, q.onnx());
        double cls = 0;
        double clsMag = 0;
        double ctr = 0;
        int agree = 0;
        int with = 0;
        try (OnnxModel a = new OnnxModel(f32, 1); OnnxModel b = new OnnxModel(qf, 1)) {
            for (int i = 0; i < scenes.size(); i++) {
                OnnxModel.Outputs x = a.run(scenes.get(i));
                OnnxModel.Outputs y = b.run(scenes.get(i));
                for (int k = 0; k < x.cls().length; k++) {
                    cls = Math.max(cls, Math.abs(x.cls()[k] - y.cls()[k]));
                    clsMag = Math.max(clsMag, Math.abs(x.cls()[k]));
                }
                for (int k = 0; k < x.centerness().length; k++) {
                    ctr = Math.max(ctr, Math.abs(x.centerness()[k] - y.centerness()[k]));
                }
                VocImage img = sceneImages.get(i);
                Detection dx = top(decoder.decode(x.cls(), x.box(), x.centerness(), img.width(), img.height()));
                Detection dy = top(decoder.decode(y.cls(), y.box(), y.centerness(), img.width(), img.height()));
                with += dx != null ? 1 : 0;
                if (dx != null && dy != null && dx.classId() == dy.classId() && dx.box().iou(dy.box()) > 0.7f) {
                    agree++;
                }
            }
        }
        Map<Integer, Long> byType = new java.util.TreeMap<>();
        for (TensorProto t : q.model().getGraph().getInitializerList()) {
            byType.merge(t.getDataType(), (long) t.getRawData().size(), Long::sum);
        }
        System.out.println("initializer bytes by ONNX data type: " + byType);
        double simulated = simulatedClsDiff(f32, q.onnx());
        System.out.printf("  %s %s: max cls diff with ONNX Runtime optimisations off (float-simulated QDQ, "
                + "no fused int8 kernels): %.4f%n", what, o, simulated);
        Compared c = new Compared(what, o, q.onnx().length, model.length, cls, clsMag, ctr, agree, scenes.size(), with,
                simulated);
        System.out.println(c);
        return c;
    }

    @Test
    void theGraphHasInt8WeightsAndQdqPairsAndPassesTheImx500WeightCheck() throws IOException {
        QdqQuantizer.Quantized q = QdqQuantizer.quantize(fp32, scenes.subList(0, 2), QdqQuantizer.Options.CPU_SAFE);
        GraphProto g = q.model().getGraph();
        Map<String, TensorProto> inits = g.getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, t -> t));
        Map<String, NodeProto> producer = new HashMap<>();
        g.getNodeList().forEach(n -> n.getOutputList().forEach(o -> producer.put(o, n)));
        int convs = 0;
        for (NodeProto n : g.getNodeList()) {
            if (!n.getOpType().equals("Conv")) {
                continue;
            }
            convs++;
            NodeProto w = producer.get(n.getInput(1));
            assertEquals("DequantizeLinear", w.getOpType());
            TensorProto wq = inits.get(w.getInput(0));
            assertEquals(TensorProto.DataType.INT8.getNumber(), wq.getDataType());
            assertEquals(wq.getDims(0), inits.get(w.getInput(1)).getDims(0), "one scale per output channel");
            for (byte b : wq.getRawData().toByteArray()) {
                assertTrue(b >= -64 && b <= 63, "7-bit weights: " + b);
            }
            NodeProto x = producer.get(n.getInput(0));
            assertEquals("DequantizeLinear", x.getOpType());
            assertEquals("QuantizeLinear", producer.get(x.getInput(0)).getOpType());
        }
        assertEquals(q.convs(), convs);
        assertTrue(convs > 15, "convs " + convs);
        // no float Conv weights left; group norm etc. stays float
        // the only 4-D float initializers left are group-norm affines (1, C, 1, 1), which stay float
        assertEquals(List.of(), inits.values().stream().filter(t -> t.getDataType() == TensorProto.DataType.FLOAT.getNumber()
                && t.getDimsCount() == 4 && t.getDims(0) != 1).map(t -> t.getName() + t.getDimsList()).toList());
        Set<String> ops = g.getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toSet());
        assertTrue(ops.contains("ReduceMean") && ops.contains("Resize"), ops.toString());

        Path f = dir.resolve("checked.onnx");
        Files.write(f, q.onnx());
        List<Violation> imx = ProfileChecker.check(f, Profiles.load("imx500").withInputSize(96));
        assertFalse(imx.stream().anyMatch(v -> v.kind() == Violation.Kind.PRECISION), imx.toString());

        var low = assertThrows(ExportException.class, () -> QdqQuantizer.quantize(
                ModelProto.parseFrom(fp32).toBuilder().setOpsetImport(0,
                        OperatorSetIdProto.newBuilder().setDomain("").setVersion(11)).build(),
                scenes, QdqQuantizer.Options.DEFAULT));
        assertTrue(low.getMessage().contains("opset 11"), low.getMessage());
    }

    @Test
    void powerOfTwoScalesAreExactPowersOfTwo() {
        QdqQuantizer.Quantized q = QdqQuantizer.quantize(fp32, scenes.subList(0, 2), QdqQuantizer.Options.IMX500);
        assertFalse(q.activations().isEmpty());
        for (var e : q.activations().entrySet()) {
            float s = e.getValue().scale();
            int bits = Float.floatToIntBits(s);
            assertEquals(0, bits & 0x7fffff, e.getKey() + " scale " + s + " is not a power of two");
            assertEquals(0, e.getValue().zeroPoint(), "int8 activations are symmetric");
            float range = Math.max(Math.abs(e.getValue().min()), Math.abs(e.getValue().max()));
            assertTrue(127 * s >= range * 0.9999f, e.getKey() + ": rounding up never clips the range");
            assertTrue(127 * s / 2 < range || range == 0, e.getKey() + ": the smallest such power");
        }
        assertEquals(1f, QdqQuantizer.powerOfTwoAtLeast(1f));
        assertEquals(0.125f, QdqQuantizer.powerOfTwoAtLeast(0.1f));
        assertEquals(4f, QdqQuantizer.powerOfTwoAtLeast(2.0001f));
        // uint8: zero is exact, range covered
        var p = QdqQuantizer.activationParams(-1f, 3f, QdqQuantizer.Options.DEFAULT);
        assertEquals(4f / 255, p.scale(), 1e-7);
        assertEquals(64, p.zeroPoint());
    }

    @Test
    void memoryReportSumsLiveTensorsOnAHandMadeGraph() {
        // x(1x4x8x8) -> a=Conv(x) -> b=Relu(a) -> c=Conv(b) -> y=Add(c, a)
        // 256 B per tensor at int8. Live at a: x, a; at b: a, b (x freed); at c: a, b, c (a is read
        // again by Add) = 768, the peak; at y: a, c, y.
        GraphProto.Builder g = GraphProto.newBuilder().setName("hand");
        g.addInput(vi("x", 1, 4, 8, 8));
        g.addOutput(vi("y", 1, 4, 8, 8));
        g.addInitializer(TensorProto.newBuilder().setName("w1").setDataType(TensorProto.DataType.INT8.getNumber())
                .addDims(4).addDims(4).addDims(1).addDims(1));
        g.addInitializer(TensorProto.newBuilder().setName("s1").setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addDims(4));
        g.addInitializer(TensorProto.newBuilder().setName("w2").setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addDims(4).addDims(4).addDims(1).addDims(1));
        g.addNode(n("DequantizeLinear", "w1d", "w1", "s1"));
        g.addNode(n("Conv", "a", "x", "w1d"));
        g.addNode(n("Relu", "b", "a"));
        g.addNode(n("Conv", "c", "b", "w2"));
        g.addNode(n("Add", "y", "c", "a"));
        ModelProto m = ModelProto.newBuilder().setGraph(g).build();
        Map<String, long[]> shapes = new HashMap<>();
        for (String t : List.of("x", "a", "b", "c", "y")) {
            shapes.put(t, new long[] {1, 4, 8, 8});
        }
        MemoryReport r = MemoryReport.of(m, shapes, 1, Profiles.load("imx500"));
        assertEquals(16 + 16 + 64, r.weightBytes()); // int8 4x4, float scales 4, float 4x4
        assertEquals(768, r.peakActivationBytes());
        assertEquals("c", r.peakNode());
        assertEquals(768, r.largestLayerBytes()); // Add: c + a + y
        assertTrue(r.fits(), r.toString());
        MemoryReport f32 = MemoryReport.of(m, shapes, 4, null);
        assertEquals(3072, f32.peakActivationBytes());
    }

    @Test
    void memoryReportOfTheQuantizedDetectorAgainstTheImx500Budget() {
        QdqQuantizer.Quantized q = QdqQuantizer.quantize(fp32, scenes.subList(0, 1), QdqQuantizer.Options.IMX500);
        var profile = Profiles.load("imx500").withInputSize(96);
        MemoryReport r = MemoryReport.of(q.model(), QdqQuantizer.tensorShapes(q.model()), 1, profile);
        MemoryReport f = MemoryReport.of(ModelProto.newBuilder().setGraph(q.model().getGraph()).build(),
                Map.of(), 1, null);
        System.out.println("imx500 memory: " + r);
        assertTrue(r.peakActivationBytes() >= 3 * 96 * 96, r.toString());
        assertTrue(r.largestLayerBytes() <= r.peakActivationBytes() * 2, r.toString());
        assertEquals(f.weightBytes(), r.weightBytes());
        assertTrue(r.fits(), r.toString());
    }

    @Test
    void aWrittenInt8ExportHasItsManifestAndMemoryReport() throws IOException {
        QdqQuantizer.Quantized q = QdqQuantizer.quantize(trained, scenes, QdqQuantizer.Options.IMX500);
        Path out = dir.resolve("int8/trained-int8.onnx");
        ExportManifest m = QdqQuantizer.write(q, trainedManifest, out, Profiles.load("imx500").withInputSize(96));
        ExportManifest back = ExportManifest.read(dir.resolve("int8/trained-int8.json"));
        assertEquals("int8", back.precision());
        assertEquals(OnnxExporter.sha256(Files.readAllBytes(out)), back.onnxSha256());
        assertEquals(m.onnxBytes(), Files.size(out));
        assertEquals(trainedManifest.outputs(), back.outputs());
        assertEquals(m, back);
        assertEquals(back.onnxSha256(), back.provenance().sha256());
        assertEquals(Map.of("precision", "int8", "profile", "imx500"), Map.of("precision",
                back.provenance().settings().get("precision"), "profile", back.provenance().settings().get("profile")));
        assertEquals("quantized from", back.provenance().parents().get(0).relation());
        assertEquals(trainedManifest.onnxSha256(), back.provenance().parents().get(0).sha256());
        assertTrue(back.operators().get("DequantizeLinear") > back.operators().get("Conv"), back.operators().toString());
        String mem = Files.readString(dir.resolve("int8/trained-int8.memory.json"));
        assertTrue(mem.contains("peakActivationBytes") && mem.contains("weightBytes"), mem);
        try (OnnxModel r = new OnnxModel(out, 1)) {
            assertTrue(r.metadata().get(QdqQuantizer.QUANT_KEY).contains("pow2"), r.metadata().toString());
        }
    }

    /** FP32 vs the QDQ graph run op by op in float: the quantization error without any int8 kernel. */
    private static double simulatedClsDiff(Path f32, byte[] qdq) throws IOException {
        var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        double d = 0;
        try (OnnxModel a = new OnnxModel(f32, 1);
             var so = new ai.onnxruntime.OrtSession.SessionOptions()) {
            so.setOptimizationLevel(ai.onnxruntime.OrtSession.SessionOptions.OptLevel.NO_OPT);
            so.setIntraOpNumThreads(1);
            try (var s = env.createSession(qdq, so)) {
                for (float[] img : scenes) {
                    float[] x = a.run(img).cls();
                    try (var t = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(img),
                                new long[] {1, 3, 96, 96});
                         var r = s.run(Map.of(OnnxExporter.INPUT, t))) {
                        var b = ((ai.onnxruntime.OnnxTensor) r.get(OnnxExporter.CLS).orElseThrow()).getFloatBuffer();
                        for (float v : x) {
                            d = Math.max(d, Math.abs(v - b.get()));
                        }
                    }
                }
            }
        } catch (ai.onnxruntime.OrtException e) {
            throw new IOException(e);
        }
        return d;
    }

    private static Detection top(List<Detection> ds) {
        return ds.stream().max((a, b) -> Float.compare(a.score(), b.score())).orElse(null);
    }

    private static NodeProto n(String op, String out, String... in) {
        return NodeProto.newBuilder().setOpType(op).setName(out).addOutput(out).addAllInput(List.of(in)).build();
    }

    private static ValueInfoProto vi(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }
}
