package org.diredi.core.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.diredi.core.TestData;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.fcos.FcosTargets;
import org.diredi.core.fcos.TargetBatch;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.train.DetectionObjective;
import org.diredi.core.train.StepBatch;
import org.diredi.vision.box.Box;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.fcos.FcosGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillationsTest {

    @TempDir
    Path tmp;

    @Test
    void namesResolveToTheirMethodsAndSums() {
        assertEquals(List.of("none", "fgd", "pkd", "logits", "boxes"), List.copyOf(Distillations.known()));
        assertEquals(List.of("pkd", "logits"), Distillations.parse("pkd+logits"));
        assertEquals(List.of("fgd"), Distillations.parse("fgd"));
        assertEquals(List.of("none"), Distillations.parse(" none "));
        assertEquals(List.of("fgd", "none"), Distillations.parse("fgd+none"));
        assertEquals("fgd", FgdConfig.DEFAULTS.distillation());
        assertEquals("none", FgdConfig.DEFAULTS.withDistillation("none").distillation());
        try (NDManager m = NDManager.newBaseManager()) {
            Distillation.Setup setup = setup(m);
            Distillation fgd = Distillations.create("fgd", setup);
            assertInstanceOf(FgdDistillation.class, fgd);
            assertTrue(fgd.usesTeacher());
            Distillation none = Distillations.create("none", setup);
            assertInstanceOf(NoDistillation.class, none);
            assertFalse(none.usesTeacher());
            assertNull(none.trainableBlock(), "nothing of its own to train or save");
            assertTrue(none.settings().isEmpty());
            Distillation sum = Distillations.create("none+fgd", setup);
            assertTrue(sum.usesTeacher());
            assertEquals(fgd.settings(), sum.settings());
            List<String> names = sum.trainableBlock().getParameters().keys();
            assertTrue(!names.isEmpty() && names.stream().allMatch(n -> n.startsWith("01fgd_")), names.toString());
        }
    }

    @Test
    void unknownOrRepeatedNamesAreRefusedNamingTheKnownOnes() throws Exception {
        for (String bad : new String[] {"kd", "fgd+kd", "fgd+", "FGD"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Distillations.parse(bad), bad);
            assertTrue(e.getMessage().contains("unknown distillation method")
                    && e.getMessage().contains("known are none, fgd, pkd, logits, boxes, or a sum"), e.getMessage());
        }
        var twice = assertThrows(IllegalArgumentException.class, () -> Distillations.parse("fgd+fgd"));
        assertTrue(twice.getMessage().contains("'fgd' appears twice"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FgdConfig.DEFAULTS.withDistillation("kd"));
        assertThrows(IllegalArgumentException.class, () -> FgdConfig.DEFAULTS.withDistillation(null));
        // in a settings file: the file and the known names in the message; a valid name loads
        Path f = tmp.resolve("fgd.yaml");
        Files.writeString(f, "distillation: kd\n");
        var e = assertThrows(ConfigFiles.ConfigException.class,
                () -> ConfigFiles.load(f, FgdConfig.class, FgdConfig.DEFAULTS));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("known are none, fgd"),
                e.getMessage());
        Files.writeString(f, "distillation: none\ntemperature: 0.5\n");
        FgdConfig d = FgdConfig.DEFAULTS;
        assertEquals(new FgdConfig("none", 0.5f, d.alpha(), d.beta(), d.gamma(), d.lambda()),
                ConfigFiles.load(f, FgdConfig.class, d));
        Files.writeString(f, "temperature: 0.5\n");
        assertEquals("fgd", ConfigFiles.load(f, FgdConfig.class, FgdConfig.DEFAULTS).distillation(), "fgd by default");
        Files.writeString(f, "distillation: pkd+logits\nlogitsTemperature: 2\ninherit: true\npkdScale: 10\n");
        assertEquals(new FgdConfig("pkd+logits", d.temperature(), d.alpha(), d.beta(), d.gamma(), d.lambda(), 10f, 2f,
                1f, 1f, true), ConfigFiles.load(f, FgdConfig.class, d));
        Files.writeString(f, "logitsTemperature: 0\n");
        var t = assertThrows(ConfigFiles.ConfigException.class, () -> ConfigFiles.load(f, FgdConfig.class, d));
        assertTrue(t.getMessage().contains("logitsTemperature must be > 0"), t.getMessage());
    }

    @Test
    void fgdKeepsTheCheckpointNamesOfItsAlignConvsAndGcBlocks() {
        try (NDManager m = NDManager.newBaseManager()) {
            Distillation.Setup setup = setup(m);
            Block block = Distillations.create("fgd", setup).trainableBlock();
            assertInstanceOf(FgdLoss.class, block);
            // FgdLoss built as before methods had names: resumed checkpoints hold these tensors
            FgdLoss direct = new FgdLoss(FgdConfig.DEFAULTS, DistillationTest.STUDENT.fpnChannels(),
                    TestData.SMALL.fpnChannels());
            direct.initialize(m, DataType.FLOAT32, Stream.concat(Stream.of(setup.student().featureShapes(1)),
                    Stream.of(setup.teacher().featureShapes(1))).toArray(Shape[]::new));
            assertEquals(shapes(direct), shapes(block));
            assertTrue(shapes(block).containsKey("01align0_weight"), shapes(block).keySet().toString());
        }
    }

    @Test
    void noneAddsAZeroTermAndFgdAddsFgdLossTimesItsWeight() {
        try (NDManager m = NDManager.newBaseManager()) {
            Distillation.Setup setup = setup(m);
            FcosDetector teacher = setup.teacher();
            FcosDetector student = setup.student();
            ParameterStore ps = new ParameterStore(m, false);
            StepBatch batch = batch(m, student);
            DetectorOutput out = student.run(ps, batch.images(), false);
            DetectionObjective det = new DetectionObjective(FcosLoss.Config.DEFAULT);
            float detOnly = det.loss(out, batch, ps, new HashMap<>()).getFloat();

            DistillationObjective none = new DistillationObjective(teacher, student, m,
                    FgdConfig.DEFAULTS.withDistillation("none"), det, 5f);
            Map<String, NDArray> terms = new HashMap<>();
            assertEquals(detOnly, none.loss(out, batch, ps, terms).getFloat(), 0f);
            assertEquals(java.util.Set.of("cls", "box", "ctr"), terms.keySet());
            assertNull(none.trainableBlock());
            assertEquals(List.of("weight.gt", "weight.feature"), List.copyOf(none.settings().keySet()));

            DistillationObjective fgd = new DistillationObjective(teacher, student, m, FgdConfig.DEFAULTS, det, 5f);
            FgdLoss loss = (FgdLoss) fgd.trainableBlock();
            float byHand = loss.evaluate(ps, out.features(), teacher.run(ps, batch.images(), false).features(),
                    batch.objects(), student.config().inputSize()).total().getFloat();
            assertTrue(byHand > 0, "the models differ, so FGD is positive: " + byHand);
            Map<String, NDArray> fgdTerms = new java.util.LinkedHashMap<>();
            float expected = detOnly + 5f * byHand;
            assertEquals(expected, fgd.loss(out, batch, ps, fgdTerms).getFloat(), 1e-6f * expected);
            assertEquals(List.of("cls", "box", "ctr", "fgd_fg", "fgd_bg", "fgd_att", "fgd_global"),
                    fgdTerms.keySet().stream().filter(k -> !k.startsWith("diag.")).toList());
            assertEquals(15, fgdTerms.keySet().stream().filter(k -> k.startsWith("diag.fgd_p")).count(),
                    "five diagnostics per level: " + fgdTerms.keySet());
            assertEquals(List.of("fgd.temperature", "fgd.alpha", "fgd.beta", "fgd.gamma", "fgd.lambda", "weight.gt",
                    "weight.feature"), List.copyOf(fgd.settings().keySet()));
            assertSame(loss, fgd.method().trainableBlock());
        }
    }

    @Test
    void pkdAndLogitsSumWithTheirOwnTermsAndSettings() {
        try (NDManager m = NDManager.newBaseManager()) {
            Distillation.Setup setup = setup(m);
            ParameterStore ps = new ParameterStore(m, false);
            StepBatch batch = batch(m, setup.student());
            DetectorOutput out = setup.student().run(ps, batch.images(), false);
            DetectorOutput t = setup.teacher().run(ps, batch.images(), false).withoutGradient();
            Distillation sum = Distillations.create("pkd+logits", setup);
            Distillation.Loss l = sum.loss(out, t, batch, ps);
            assertEquals(List.of("pkd_fg", "pkd_bg", "pkd_att", "pkd_global", "logits_cls", "logits_ctr"),
                    l.terms().keySet().stream().filter(k -> !k.startsWith("diag.")).toList());
            float parts = Distillations.create("pkd", setup).loss(out, t, batch, ps).total().getFloat()
                    + Distillations.create("logits", setup).loss(out, t, batch, ps).total().getFloat();
            assertTrue(parts > 0);
            Map<String, Double> st = sum.settings();
            assertEquals(FgdConfig.DEFAULTS.alpha() * 1000.0, st.get("pkd.alpha"), 1e-9, "the authors' weights");
            assertEquals(1.5, st.get("logits.temperature"), 0);
            assertNotNull(sum.trainableBlock(), "pkd's align convs and GcBlocks train");
            // the total is the sum of the logged terms (diagnostics excluded)
            double terms = l.terms().entrySet().stream().filter(e -> !e.getKey().startsWith("diag."))
                    .mapToDouble(e -> e.getValue().getFloat()).sum();
            assertEquals(terms, l.total().getFloat(), 1e-5 * terms);
        }
    }

    private static Distillation.Setup setup(NDManager m) {
        FcosDetector teacher = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
        FcosDetector student = new FcosDetector(DistillationTest.STUDENT, ClassList.FASHION).init(m);
        return new Distillation.Setup(teacher, student, m, FgdConfig.DEFAULTS);
    }

    /** Two random images with one object each, and their FCOS targets. */
    private static StepBatch batch(NDManager m, FcosDetector student) {
        int s = student.config().inputSize();
        List<List<VocObject>> objects = List.of(List.of(new VocObject(1, new Box(10, 12, 50, 60), false, false)),
                List.of(new VocObject(4, new Box(40, 30, 90, 80), false, false)));
        FcosTargets targets = new FcosTargets(new FcosGrid(s, ModelConfig.STRIDES), FcosTargets.Config.forInput(s));
        m.getEngine().setRandomSeed(7);
        return new StepBatch(m.randomNormal(student.inputShape(2)),
                TargetBatch.of(m, objects.stream().map(targets::assign).toList(), student.classes().size()), objects);
    }

    private static Map<String, List<Long>> shapes(Block b) {
        Map<String, List<Long>> out = new java.util.LinkedHashMap<>();
        b.getParameters().forEach(p -> out.put(p.getKey(),
                java.util.Arrays.stream(p.getValue().getArray().getShape().getShape()).boxed().toList()));
        return out;
    }
}
