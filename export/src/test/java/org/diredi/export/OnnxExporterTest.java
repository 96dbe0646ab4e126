package org.diredi.export;

import org.diredi.inference.OnnxModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.train.TrainConfig;
import org.diredi.profiles.ProfileChecker;
import org.diredi.profiles.Profiles;
import org.diredi.profiles.Violation;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.fcos.FcosGrid;
import org.diredi.vision.image.Preprocess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxExporterTest {

    /** A tiny ResNet FCOS: exercises the max-pool stem and residuals with projection shortcuts. */
    private static final ModelConfig TINY_RESNET =
            ModelConfig.fcos("test/resnet").resnet(1, 1, 1, 1).width(8).fpn(16).headConvs(1).groupNorm(4).input(64);

    @TempDir
    static Path dir;

    private static List<float[]> scenes;
    private static List<VocImage> sceneImages;

    @BeforeAll
    static void makeScenes() {
        VocDataset train = TestData.scenes(dir.resolve("scenes"), 6);
        sceneImages = train.images();
        int s = TestData.SMALL.inputSize();
        scenes = sceneImages.stream().map(i -> Preprocess.toChw(VocDataset.readImage(i), s, s)).toList();
    }

    /**
     * Random but deterministic weights, with batch-norm statistics and affines far from the
     * identity (so folding is really tested) and head outputs spread enough that decoding gives a
     * handful of distinct detections.
     */
    static FcosDetector randomModel(NDManager m, ModelConfig config, long seed) {
        FcosDetector d = new FcosDetector(config, ClassList.FASHION).init(m);
        Random r = new Random(seed);
        for (Pair<String, Parameter> p : d.getParameters()) {
            String name = p.getKey();
            long[] shape = p.getValue().getArray().getShape().getShape();
            float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            boolean last = name.contains("clsLogits") || name.contains("boxPred") || name.contains("centerness");
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (p.getValue().getType()) {
                    case WEIGHT -> (float) (r.nextGaussian() * (last ? 0.05 : Math.sqrt(2.0 / fanIn(shape))));
                    case BIAS -> (float) (name.contains("clsLogits") ? -2.5 + r.nextGaussian() : 0.1 * r.nextGaussian());
                    case GAMMA -> 0.5f + r.nextFloat();
                    case BETA -> (float) (0.2 * r.nextGaussian());
                    case RUNNING_MEAN -> (float) (0.5 * r.nextGaussian());
                    case RUNNING_VAR -> 0.3f + 2.7f * r.nextFloat();
                    default -> 0.7f + 0.8f * r.nextFloat(); // FCOS per-level scales
                };
            }
            p.getValue().getArray().set(FloatBuffer.wrap(v));
        }
        return d;
    }

    private static long fanIn(long[] shape) {
        long f = 1;
        for (int i = 1; i < shape.length; i++) {
            f *= shape[i];
        }
        return f;
    }

    private static Path checkpoint(FcosDetector d, String name) throws IOException {
        Path f = dir.resolve(name);
        Manifest m = new Manifest(null, null, null, "edge", d.config(), d.classes().names(),
                new Manifest.DataInfo("scenes", "train", null, 6, 9), TrainConfig.DEFAULTS, null, null,
                new Manifest.Progress(0, 0, 0), null, Map.of(), null);
        Checkpoint.write(f, m, ModelWeights.snapshot(d), null);
        return f;
    }

    @Test
    void anExportedCheckpointMatchesDjlOnRealScenes() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector original = randomModel(m, TestData.SMALL, 7);
            Path ckpt = checkpoint(original, "edge.ckpt");
            Path onnx = dir.resolve("out/edge.onnx");

            ExportManifest man = OnnxExporter.export(ckpt, onnx, OnnxExporter.DEFAULT_OPSET);

            // the manifest describes the file written next to it
            ExportManifest back = ExportManifest.read(dir.resolve("out/edge.json"));
            assertEquals(man.onnxSha256(), back.onnxSha256());
            assertEquals(OnnxExporter.sha256(Files.readAllBytes(onnx)), back.onnxSha256());
            assertEquals(Files.size(onnx), back.onnxBytes());
            assertEquals(Checkpoint.read(ckpt).manifest().id(), back.checkpoint().id());
            assertEquals("test/small", back.preset());
            assertEquals(ClassList.FASHION.names(), back.classes());
            assertEquals(13, back.opset());
            assertEquals(List.of("cls_logits", "box_distances", "centerness"),
                    back.outputs().stream().map(ExportManifest.Tensor::name).toList());
            assertEquals(List.of(1L, 144L + 36 + 9, 10L), back.outputs().get(0).shape());
            assertEquals(List.of(8, 16, 32), back.strides());
            assertEquals(Preprocess.mean(0), back.normalisation().mean().get(0));
            // every batch norm folded, none left in the graph; group norm written out
            assertTrue(back.foldedBatchNorms() > 10, "folded " + back.foldedBatchNorms());
            assertFalse(back.operators().containsKey("BatchNormalization"));
            assertTrue(back.operators().containsKey("ReduceMean") && back.operators().containsKey("Clip")
                    && back.operators().containsKey("Resize"), back.operators().toString());

            // DJL on the checkpoint's model against ONNX Runtime on the export, on real scenes
            FcosDetector model = Checkpoint.read(ckpt).toModel(m);
            OnnxParity.Result parity = OnnxParity.compare(model, onnx, scenes);
            System.out.println("parity opset 13: " + parity);
            assertTrue(parity.cls() <= OnnxParity.TOLERANCE, parity.toString());
            // box distances: 1e-4 in the head's own units (pixels / stride, see OnnxParity)
            assertTrue(parity.boxStrideUnits() <= OnnxParity.TOLERANCE, parity.toString());
            assertTrue(parity.box() <= OnnxParity.TOLERANCE * 32, parity.toString());
            assertTrue(parity.centerness() <= OnnxParity.TOLERANCE, parity.toString());
            assertTrue(parity.boxMagnitude() > 1 && parity.clsMagnitude() > 1, "outputs are not trivial: " + parity);

            // decoded detections agree
            FcosDecoder decoder = new FcosDecoder(new FcosGrid(96, ModelConfig.STRIDES), 10,
                    new FcosDecoder.Config(0.5f, 1000, 0.6f, 100));
            int total = 0;
            try (OnnxModel ort = new OnnxModel(onnx, 1); NDManager step = m.newSubManager()) {
                assertEquals("test/small", ort.metadata().get("diredi.preset"));
                assertEquals(String.join(",", ClassList.FASHION.names()), ort.metadata().get("diredi.classes"));
                var ps = new ai.djl.training.ParameterStore(step, false);
                for (int i = 0; i < scenes.size(); i++) {
                    VocImage img = sceneImages.get(i);
                    var out = model.run(ps, step.create(scenes.get(i), model.inputShape(1)), false);
                    List<Detection> djl = decoder.decode(out.classLogits().toFloatArray(), out.boxes().toFloatArray(),
                            out.centerness().toFloatArray(), img.width(), img.height());
                    OnnxModel.Outputs o = ort.run(scenes.get(i));
                    List<Detection> onx = decoder.decode(o.cls(), o.box(), o.centerness(), img.width(), img.height());
                    assertSameDetections(djl, onx, 0.5f, img.id());
                    // below the cap, so no near-tie decides which detection is the 100th
                    assertTrue(djl.size() < 100, img.id() + ": " + djl.size() + " detections");
                    total += djl.size();
                }
            }
            System.out.println("detections compared: " + total + " over " + scenes.size() + " images");
            assertTrue(total >= scenes.size(), "too few detections to compare: " + total);
        }
    }

    @Test
    void otherOpsetsAndAResNetBackboneAlsoMatch() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector small = randomModel(m, TestData.SMALL, 11);
            for (int opset : new int[] {11, 17, 18, 21}) {
                Path onnx = dir.resolve("small-" + opset + ".onnx");
                OnnxExporter.export(small, onnx, opset, null);
                OnnxParity.Result r = OnnxParity.compare(small, onnx, scenes.subList(0, 2));
                System.out.println("parity opset " + opset + ": " + r);
                assertTrue(r.within(OnnxParity.TOLERANCE), "opset " + opset + ": " + r);
            }
            FcosDetector resnet = randomModel(m, TINY_RESNET, 5);
            Path onnx = dir.resolve("resnet.onnx");
            ExportManifest man = OnnxExporter.export(resnet, onnx, 13, null);
            assertNull(man.checkpoint());
            assertTrue(man.operators().containsKey("MaxPool"), man.operators().toString());
            List<float[]> inputs = new ArrayList<>();
            Random r = new Random(3);
            for (int i = 0; i < 2; i++) {
                float[] x = new float[3 * 64 * 64];
                for (int j = 0; j < x.length; j++) {
                    x[j] = (float) r.nextGaussian();
                }
                inputs.add(x);
            }
            OnnxParity.Result pr = OnnxParity.compare(resnet, onnx, inputs);
            System.out.println("parity resnet: " + pr);
            assertTrue(pr.within(OnnxParity.TOLERANCE), pr.toString());
        }
    }

    @Test
    void theExportFitsTheFp32AndJetsonProfilesAndTheImx500SaysWhatToFix() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path onnx = dir.resolve("profiled.onnx");
            OnnxExporter.export(randomModel(m, TestData.SMALL, 3), onnx, 13, null);
            assertEquals(List.of(), ProfileChecker.check(onnx, Profiles.load("jetson-nano").withInputSize(96)));
            assertEquals(List.of(), ProfileChecker.check(onnx, Profiles.load("cpu").withInputSize(96)));
            assertEquals(List.of(), ProfileChecker.check(onnx, Profiles.load("local-pc").withInputSize(96)));
            // at opset 17 the Nano's TensorRT 8.2 cannot read it
            Path o17 = dir.resolve("profiled-17.onnx");
            OnnxExporter.export(randomModel(m, TestData.SMALL, 3), o17, 17, null);
            List<Violation> nano = ProfileChecker.check(o17, Profiles.load("jetson-nano"));
            assertEquals(Set.of(Violation.Kind.OPSET, Violation.Kind.INPUT_SIZE),
                    nano.stream().map(Violation::kind).collect(Collectors.toSet()), nano.toString());
            // FP32 weights and the written-out group norm are what an int8 sensor cannot take
            List<Violation> imx = ProfileChecker.check(onnx, Profiles.load("imx500").withInputSize(96));
            Set<Violation.Kind> kinds = imx.stream().map(Violation::kind).collect(Collectors.toSet());
            assertEquals(Set.of(Violation.Kind.PRECISION, Violation.Kind.OPERATOR), kinds, imx.toString());
            assertTrue(imx.stream().anyMatch(v -> v.message().contains("ReduceMean")), imx.toString());
        }
    }

    @Test
    void aCorruptCheckpointGivesTheCheckpointErrorAndWritesNothing() throws IOException {
        Path good;
        try (NDManager m = NDManager.newBaseManager()) {
            good = checkpoint(new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m), "good.ckpt");
        }
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.ckpt");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        Path out = dir.resolve("never/cut.onnx");
        var e = assertThrows(Checkpoint.CheckpointException.class, () -> OnnxExporter.export(cut, out, 13));
        assertTrue(e.getMessage().contains("cut.ckpt") && e.getMessage().contains("truncated or corrupt"), e.getMessage());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(ExportManifest.pathFor(out)));

        var missing = assertThrows(Checkpoint.CheckpointException.class,
                () -> OnnxExporter.export(dir.resolve("nope.ckpt"), out, 13));
        assertTrue(missing.getMessage().contains("nope.ckpt"), missing.getMessage());

        var opset = assertThrows(ExportException.class, () -> OnnxExporter.export(good, out, 10));
        assertTrue(opset.getMessage().contains("opset 10") && opset.getMessage().contains("11 to 21"),
                opset.getMessage());
        assertFalse(Files.exists(out));

        Path text = dir.resolve("text.onnx");
        Files.writeString(text, "not a model");
        var notOnnx = assertThrows(org.diredi.inference.InferenceException.class, () -> new OnnxModel(text, 1));
        assertTrue(notOnnx.getMessage().contains("text.onnx"), notOnnx.getMessage());
    }

    @Test
    void manifestPathsAndIrVersions() {
        assertEquals(Path.of("a/edge.json"), ExportManifest.pathFor(Path.of("a/edge.onnx")));
        assertEquals(Path.of("a/edge.bin.json"), ExportManifest.pathFor(Path.of("a/edge.bin")));
        assertEquals(6, OnnxExporter.irVersion(11));
        assertEquals(7, OnnxExporter.irVersion(13));
        assertEquals(8, OnnxExporter.irVersion(18));
        assertEquals(10, OnnxExporter.irVersion(21));
        var e = assertThrows(ExportException.class, () -> ExportManifest.read(Path.of("no/such.json")));
        assertNotNull(e.getMessage());
    }

    /** Every clear detection (score above threshold + 1e-3) of one list has its twin in the other. */
    private static void assertSameDetections(List<Detection> a, List<Detection> b, float thr, String image) {
        assertTwins(a, b, thr, image);
        assertTwins(b, a, thr, image);
    }

    private static void assertTwins(List<Detection> from, List<Detection> in, float thr, String image) {
        for (Detection d : from) {
            if (d.score() < thr + 1e-3f) {
                continue; // a tiny difference may put a borderline candidate on either side
            }
            boolean found = in.stream().anyMatch(o -> o.classId() == d.classId()
                    && Math.abs(o.score() - d.score()) < 1e-4 && o.box().iou(d.box()) > 0.999f);
            assertTrue(found, image + ": no twin for " + d + " among " + in);
        }
    }
}
