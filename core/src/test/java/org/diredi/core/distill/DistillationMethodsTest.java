package org.diredi.core.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.train.DetectionObjective;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocObject;
import org.junit.jupiter.api.Test;

/**
 * pkd's scale invariance, logits' response distillation, boxes' localisation distillation, the inheriting start
 * and FGD's diagnostics.
 */
class DistillationMethodsTest {

    private static final List<List<VocObject>> BOXES = List.of(
            List.of(new VocObject(0, new Box(2, 3, 14, 12), false, false)),
            List.of(new VocObject(0, new Box(10, 12, 30, 28), false, false)));

    /** Three levels of 8x8, 4x4, 2x2 for two images, all weights 1. */
    private static FgdLoss loss(NDManager m, boolean normalise, int c) {
        FgdLoss l = new FgdLoss(new FgdConfig(0.8f, 1f, 1f, 1f, 1f), c, c, normalise);
        Shape[] shapes = levels(c);
        l.initialize(m, DataType.FLOAT32, shapes[0], shapes[1], shapes[2], shapes[0], shapes[1], shapes[2]);
        return l;
    }

    private static Shape[] levels(int c) {
        return new Shape[] {new Shape(2, c, 8, 8), new Shape(2, c, 4, 4), new Shape(2, c, 2, 2)};
    }

    private static NDList features(NDManager m, int c, float offset) {
        NDList out = new NDList();
        for (Shape s : levels(c)) {
            out.add(m.randomNormal(s).add(offset));
        }
        return out;
    }

    private static NDList scaled(NDList f, float k) {
        return new NDList(f.stream().map(a -> a.mul(k)).toList());
    }

    @Test
    void pkdIsUnchangedWhenBothMapsAreScaledAlikeAndFgdIsNot() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            NDList s = features(m, 4, 0.5f);
            NDList t = features(m, 4, 1f);
            ParameterStore ps = new ParameterStore(m, false);
            FgdLoss pkd = loss(m, true, 4);
            FgdLoss fgd = loss(m, false, 4);
            for (FgdLoss l : List.of(pkd, fgd)) {
                FgdLoss.Terms once = l.evaluate(ps, s, t, BOXES, 32);
                FgdLoss.Terms tenfold = l.evaluate(ps, scaled(s, 10f), scaled(t, 10f), BOXES, 32);
                float a = once.total().getFloat();
                float b = tenfold.total().getFloat();
                assertTrue(a > 0, "the maps differ: " + a);
                if (l == pkd) {
                    assertEquals(a, b, 1e-4f * a, "pkd: the same loss at 10x the features");
                    for (String term : List.of("fg", "bg", "attention", "global")) {
                        assertEquals(term(once, term), term(tenfold, term), 1e-4f * a, term);
                    }
                } else {
                    assertTrue(b > 5 * a, "fgd follows the magnitude: " + a + " -> " + b);
                }
            }
            // standardised: every channel of every image has mean 0 and variance 1 over H x W
            NDArray z = FgdLoss.standardise(s.get(0).mul(7f).add(3f)).reshape(2, 4, 64);
            assertEquals(0f, z.mean(new int[] {2}).abs().max().getFloat(), 1e-5f);
            assertEquals(1f, z.square().mean(new int[] {2}).min().getFloat(), 1e-4f);
            assertEquals(1f, z.square().mean(new int[] {2}).max().getFloat(), 1e-4f);
        }
    }

    private static float term(FgdLoss.Terms t, String name) {
        return switch (name) {
            case "fg" -> t.fg().getFloat();
            case "bg" -> t.bg().getFloat();
            case "attention" -> t.attention().getFloat();
            default -> t.global().getFloat();
        };
    }

    @Test
    void diagnosticsMeasureMagnitudeAndAttentionSaturation() {
        try (NDManager m = NDManager.newBaseManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            FgdLoss l = loss(m, false, 4);
            // uniform maps: attention spread evenly (largest share 1 / (H W)), identical maps: no attention loss
            NDList flat = new NDList(Arrays.stream(levels(4)).map(s -> m.full(s, 2f)).toList());
            Map<String, NDArray> d = l.evaluate(ps, flat, flat, BOXES, 32).diagnostics();
            assertEquals(List.of("p3_teacher_abs", "p3_student_abs", "p3_teacher_att_max", "p3_student_att_max",
                    "p3_att_share"), d.keySet().stream().limit(5).toList());
            assertEquals(15, d.size(), "five per level: " + d.keySet());
            assertEquals(2f, d.get("p4_teacher_abs").getFloat(), 1e-6f);
            assertEquals(1f / 64, d.get("p3_teacher_att_max").getFloat(), 1e-7f);
            assertEquals(1f / 16, d.get("p4_student_att_max").getFloat(), 1e-7f);
            assertEquals(0f, d.get("p5_att_share").getFloat(), 0f);
            // one large cell: the temperature's softmax puts (nearly) all attention there
            NDArray spike = m.zeros(levels(4)[0]);
            spike.set(new NDIndex(":, :, 3, 5"), 100f);
            NDList spiky = new NDList(spike, flat.get(1), flat.get(2));
            Map<String, NDArray> s = l.evaluate(ps, flat, spiky, BOXES, 32).diagnostics();
            assertEquals(1f, s.get("p3_teacher_att_max").getFloat(), 1e-5f);
            // the student's attention is uniform: spatial L1 2 (64 - 1), channel L1 0, out of 2 (64 + 4)
            assertEquals(2f * 63 / 64 * 64 / (2f * (64 + 4)), s.get("p3_att_share").getFloat(), 1e-4f);
            assertEquals(100f / 64, s.get("p3_teacher_abs").getFloat(), 1e-5f);
        }
    }

    @Test
    void logitsIsZeroForTheTeachersOutputsAndPullsTheStudentTowardThem() {
        try (NDManager m = NDManager.newBaseManager()) {
            Distillation logits = headMethod(m, "logits");
            ParameterStore ps = new ParameterStore(m, false);
            int c = ClassList.FASHION.size();
            m.getEngine().setRandomSeed(5);
            NDArray tCls = m.randomNormal(new Shape(1, 2, c)).mul(3f);
            NDArray tCtr = m.create(new float[] {1.5f, -0.5f}).reshape(1, 2);
            DetectorOutput t = head(m, tCls, tCtr);
            assertEquals(0f, logits.loss(head(m, tCls.duplicate(), tCtr.duplicate()), t, null, ps).total().getFloat(),
                    1e-6f, "the student says what the teacher says");
            // off zero: relu's and abs' kinks give the BCE from logits a one-sided gradient exactly there
            NDArray sCls = m.full(tCls.getShape(), 0.25f);
            NDArray sCtr = m.full(tCtr.getShape(), 0.25f);
            sCls.setRequiresGradient(true);
            sCtr.setRequiresGradient(true);
            float before;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Distillation.Loss l = logits.loss(head(m, sCls, sCtr), t, null, ps);
                before = l.total().getFloat();
                assertEquals(List.of("logits_cls", "logits_ctr"), List.copyOf(l.terms().keySet()));
                gc.backward(l.total());
            }
            assertTrue(before > 0, "the student differs: " + before);
            // the gradient points away from the teacher: a step against it moves every logit toward the teacher's
            float[] g = sCls.getGradient().toFloatArray();
            float[] tv = tCls.toFloatArray();
            for (int i = 0; i < g.length; i++) {
                assertTrue(-g[i] * (tv[i] - 0.25f) > 0, "logit " + i + ": grad " + g[i] + " teacher " + tv[i]);
            }
            float[] gc = sCtr.getGradient().toFloatArray();
            assertTrue(gc[0] < 0 && gc[1] > 0, Arrays.toString(gc));
            NDArray stepCls = sCls.sub(sCls.getGradient().mul(0.5f));
            NDArray stepCtr = sCtr.sub(sCtr.getGradient().mul(0.5f));
            float after = logits.loss(head(m, stepCls, stepCtr), t, null, ps).total().getFloat();
            assertTrue(after < before, before + " -> " + after);
            assertEquals(Map.of("logits.temperature", 1.5, "logits.weight", 1.0), logits.settings());
        }
    }

    @Test
    void boxesTeachTheTeachersBoxesWhereItIsConfidentAndIgnoreTheRest() {
        try (NDManager m = NDManager.newBaseManager()) {
            Distillation boxes = headMethod(m, "boxes");
            ParameterStore ps = new ParameterStore(m, false);
            int c = ClassList.FASHION.size();
            // three locations: confident (0.95), unsure (0.5), below the confidence floor (0.007)
            NDArray tCls = m.full(new Shape(1, 3, c), -9f);
            tCls.set(new NDIndex("0, 0, 1"), 3f);
            tCls.set(new NDIndex("0, 1, 2"), 0f);
            tCls.set(new NDIndex("0, 2, 3"), -5f);
            NDArray tBox = m.create(new float[] {4, 5, 6, 7, 10, 10, 10, 10, 3, 3, 3, 3}).reshape(1, 3, 4);
            DetectorOutput t = new DetectorOutput(tCls, tBox, m.zeros(new Shape(1, 3)), new NDList());
            assertEquals(0f, boxes.loss(withBoxes(t, tBox.duplicate()), t, null, ps).total().getFloat(), 1e-6f,
                    "the student's boxes are the teacher's");
            // a wild box where the teacher sees nothing teaches nothing (and gives no NaN)
            NDArray wild = m.create(new float[] {4, 5, 6, 7, 10, 10, 10, 10, 1e30f, 1e30f, 0, 0}).reshape(1, 3, 4);
            assertEquals(0f, boxes.loss(withBoxes(t, wild), t, null, ps).total().getFloat(), 1e-6f);

            NDArray sBox = m.create(new float[] {8, 5, 3, 7, 10, 20, 10, 5, 1e30f, 1e30f, 0, 0}).reshape(1, 3, 4);
            sBox.setRequiresGradient(true);
            float before;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Distillation.Loss l = boxes.loss(withBoxes(t, sBox), t, null, ps);
                before = l.total().getFloat();
                assertEquals(List.of("boxes_giou"), List.copyOf(l.terms().keySet()));
                gc.backward(l.total());
            }
            assertTrue(before > 0, "the student's boxes differ: " + before);
            float[] g = sBox.getGradient().toFloatArray();
            assertArrayEquals(new float[] {0, 0, 0, 0}, Arrays.copyOfRange(g, 8, 12), "no gradient below the floor");
            // the left distance is too large, the right too small: a step against the gradient fixes both
            assertTrue(g[0] > 0 && g[2] < 0, Arrays.toString(g));
            NDArray step = sBox.sub(sBox.getGradient().mul(2f));
            float after = boxes.loss(withBoxes(t, step), t, null, ps).total().getFloat();
            assertTrue(after < before, before + " -> " + after);
            assertEquals(Map.of("boxes.weight", 1.0), boxes.settings());

            // nowhere sure: nothing to teach, and a wild box gives neither NaN nor gradient
            DetectorOutput unsure = new DetectorOutput(m.full(new Shape(1, 3, c), -9f), tBox,
                    m.zeros(new Shape(1, 3)), new NDList());
            NDArray wilder = wild.duplicate();
            wilder.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Distillation.Loss l = boxes.loss(withBoxes(unsure, wilder), unsure, null, ps);
                assertEquals(0f, l.total().getFloat(), 0f);
                gc.backward(l.total());
            }
            for (float x : wilder.getGradient().toFloatArray()) {
                assertEquals(0f, x, 0f);
            }
        }
    }

    /** A method that reads only the head's outputs, built for a small detector as its own teacher. */
    private static Distillation headMethod(NDManager m, String name) {
        FcosDetector teacher = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
        return Distillations.create(name, new Distillation.Setup(teacher, teacher, m, FgdConfig.DEFAULTS));
    }

    private static DetectorOutput withBoxes(DetectorOutput o, NDArray boxes) {
        return new DetectorOutput(o.classLogits(), boxes, o.centerness(), o.features());
    }

    /** Head outputs (boxes zero, no features) of class and center-ness logits. */
    private static DetectorOutput head(NDManager m, NDArray cls, NDArray ctr) {
        Shape s = cls.getShape();
        return new DetectorOutput(cls, m.zeros(new Shape(s.get(0), s.get(1), 4)), ctr, new NDList());
    }

    @Test
    void inheritingCopiesExactlyTheShapeMatchedNeckAndHeadTensors() {
        // same FPN and head width as TestData.SMALL, another backbone (lateral convs' inputs differ) and a second
        // head conv the teacher does not have
        ModelConfig studentConfig = ModelConfig.fcos("test/inherit").mobileNetV2(0.35f).depth(0.35f).fpn(32)
                .headConvs(2).groupNorm(8).input(96);
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector teacher = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            FcosDetector student = new FcosDetector(studentConfig, ClassList.FASHION).init(m);
            Map<String, TensorFile.Tensor> t = byName(ModelWeights.snapshot(teacher));
            Map<String, TensorFile.Tensor> before = byName(ModelWeights.snapshot(student));
            Set<String> expected = before.values().stream()
                    .filter(x -> FcosDetector.isNeckOrHead(x.name()) && t.containsKey(x.name())
                            && Arrays.equals(t.get(x.name()).shape(), x.shape()))
                    .map(TensorFile.Tensor::name).collect(Collectors.toSet());

            DistillationObjective obj = new DistillationObjective(teacher, student, m,
                    FgdConfig.DEFAULTS.withInherit(true), new DetectionObjective(FcosLoss.Config.DEFAULT), 1f);
            Map<String, TensorFile.Tensor> after = byName(ModelWeights.snapshot(student));

            assertEquals(expected, Set.copyOf(obj.inherited()));
            assertTrue(expected.stream().anyMatch(n -> n.startsWith(FcosDetector.HEAD))
                    && expected.stream().anyMatch(n -> n.startsWith(FcosDetector.NECK) && n.contains("output")), expected.toString());
            assertTrue(before.keySet().stream().anyMatch(n -> n.startsWith(FcosDetector.NECK) && n.contains("lateral")
                    && n.endsWith("weight") && !expected.contains(n)), "a lateral conv's shape differs");
            for (String n : before.keySet()) {
                float[] want = expected.contains(n) ? t.get(n).data() : before.get(n).data();
                assertArrayEquals(want, after.get(n).data(), n);
                if (expected.contains(n) && !n.contains("running")) {
                    assertFalse(Arrays.equals(before.get(n).data(), t.get(n).data()) && n.endsWith("weight")
                            && before.get(n).data().length > 8, n + ": random init already equal to the teacher's?");
                }
            }
            // off by default: the student keeps its own neck and head
            FcosDetector fresh = new FcosDetector(studentConfig, ClassList.FASHION).init(m);
            Map<String, TensorFile.Tensor> own = byName(ModelWeights.snapshot(fresh));
            new DistillationObjective(teacher, fresh, m, FgdConfig.DEFAULTS,
                    new DetectionObjective(FcosLoss.Config.DEFAULT), 1f);
            Map<String, TensorFile.Tensor> kept = byName(ModelWeights.snapshot(fresh));
            own.forEach((n, x) -> assertArrayEquals(x.data(), kept.get(n).data(), n));
        }
    }

    private static Map<String, TensorFile.Tensor> byName(List<TensorFile.Tensor> ts) {
        Map<String, TensorFile.Tensor> out = new LinkedHashMap<>();
        ts.forEach(x -> out.put(x.name(), x));
        return out;
    }
}
