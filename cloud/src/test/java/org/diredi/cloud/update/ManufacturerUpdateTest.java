package org.diredi.cloud.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.model.Presets;
import org.diredi.core.train.TrainConfig;
import org.diredi.onprem.ReverseDistillation;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manufacturer's update path on tiny models with a zero delta (tutor 2 = tutor 1): the steps run in
 * order, a rejecting gate stops the service's path before Distill C, an experiment's path distills anyway,
 * and a rerun reuses every step's output.
 */
class ManufacturerUpdateTest {

    @TempDir
    static Path dir;
    static Map<String, Path> models;
    static KnowledgeDelta delta;
    static String added;
    static ManufacturerUpdate.OwnData own;

    @BeforeAll
    static void setUp() throws Exception {
        VocDataset train = TestData.scenes(dir.resolve("data"), 8);
        VocDataset val = VocDataset.load(dir.resolve("data"), "val", ClassList.FASHION);
        // the added class has validation objects, so the gate judges its (zero) gain
        added = ClassList.FASHION.name(val.images().stream().flatMap(i -> i.objects().stream()).findFirst()
                .orElseThrow().classId());
        List<String> presumed = ClassList.FASHION.names().stream().filter(c -> !c.equals(added)).toList();
        models = TestData.tinyTutorAndEdge(dir.resolve("m"), train.restrictTo(presumed));
        Checkpoint tutor = Checkpoint.read(models.get("tutor"));
        delta = ReverseDistillation.delta(tutor, tutor, tutor, ClassList.FASHION, List.of(added), List.of(),
                new ReverseDistillation.Settings(TrainConfig.DEFAULTS, 1f, 1f, 1.0, false, FgdConfig.DEFAULTS),
                Map.of(), Map.of(), dir.resolve("zero.delta"));
        List<String> update = new ArrayList<>(presumed);
        update.add(added);
        own = new ManufacturerUpdate.OwnData(val, train, update);
    }

    static ManufacturerUpdate.Settings settings(ManufacturerUpdate.WhenRejected whenRejected) {
        TrainConfig one = TrainConfig.DEFAULTS.withEpochs(1).atBatchSize(4);
        return new ManufacturerUpdate.Settings(1.0, GatePolicy.DEFAULTS,
                new ManufacturerUpdate.DistillC(one, 1.5f, 0.01f), whenRejected);
    }

    static ManufacturerUpdate.Inputs inputs() {
        return new ManufacturerUpdate.Inputs(models.get("tutor"), models.get("edge"), Presets.get("tiny/edge"), delta);
    }

    static ManufacturerUpdate.Layout layout(String name) {
        Path job = dir.resolve(name);
        return new ManufacturerUpdate.Layout(job.resolve("tutor-updated.ckpt"), job, job.resolve("edge-distill-C"));
    }

    @Test
    void aRejectingGateStopsTheServicesPathBeforeDistillC() throws Exception {
        List<String> steps = new ArrayList<>();
        ManufacturerUpdate.Listener listener = new ManufacturerUpdate.Listener() {
            @Override
            public void applied(Path updatedTutor) {
                steps.add("applied " + Files.exists(updatedTutor));
            }

            @Override
            public void verified(Verification v) {
                steps.add("verified " + v.decision().accepted());
            }
        };
        ManufacturerUpdate.Layout out = layout("stop");
        ManufacturerUpdate.Result r = new ManufacturerUpdate(settings(ManufacturerUpdate.WhenRejected.STOP), listener)
                .run(inputs(), own, out);
        assertEquals(List.of("applied true", "verified false"), steps);
        assertFalse(r.gate().accepted(), "a zero delta cannot gain the 10 points the default gate asks of " + added);
        assertTrue(r.gate().reasons().stream().anyMatch(s -> s.startsWith(added + " (added)")), r.gate().reasons()
                .toString());
        assertNull(r.distillC());
        assertFalse(Files.exists(out.distillCDir()));
        assertTrue(Files.exists(out.gateDir().resolve("gate.md")) && Files.exists(out.gateDir().resolve("gate.json")));
        var m = Checkpoint.read(out.updatedTutor()).manifest();
        assertEquals(Checkpoint.read(models.get("tutor")).manifest().weightsSha256(), m.weightsSha256(),
                "Eq. 10 with a zero delta leaves the weights as they were");
    }

    @Test
    void withoutLabelsTheAddedClassIsJudgedOnTheCustomersFiguresAndItsFiringRateIsMeasured() throws Exception {
        ManufacturerUpdate.Settings s = settings(ManufacturerUpdate.WhenRejected.STOP);
        ManufacturerUpdate.Settings unlabelled = new ManufacturerUpdate.Settings(s.lambda(), s.gate(), s.distillC(),
                s.whenRejected(), Calibration.NONE, AddedClassKnowledge.UNLABELLED);
        var figures = new org.diredi.core.delta.CustomerFigures("val", 30, Map.of(added, 20), 1.0, 0.3,
                Map.of(added, new org.diredi.core.delta.CustomerFigures.ClassFigures(0.0, 0, 0, 0)),
                Map.of(added, new org.diredi.core.delta.CustomerFigures.ClassFigures(0.6, 0.7, 0.6, 0.65)), null, "k", "s");
        ManufacturerUpdate.Inputs in = new ManufacturerUpdate.Inputs(models.get("tutor"), models.get("edge"),
                Presets.get("tiny/edge"), new KnowledgeDelta(delta.manifest().withCustomerFigures(figures),
                delta.tensors()));
        ManufacturerUpdate update = new ManufacturerUpdate(unlabelled, ManufacturerUpdate.Listener.NONE);
        Path updated = update.substitute(in, own, dir.resolve("figures/tutor-updated.ckpt"));
        Verification v = update.verify(in, updated, own, dir.resolve("figures"));
        var row = v.decision().rows().stream().filter(r -> r.name().equals(added)).findFirst().orElseThrow();
        assertEquals(60.0, row.changePoints(), 1e-9, "judged on the customer's figures, not on the zero delta's AP");
        assertTrue(row.evidence().startsWith(org.diredi.core.gate.GateDecision.CUSTOMER_FIGURES), row.evidence());
        assertEquals(1, v.decision().firing().size());
        var firing = v.decision().firing().get(0);
        assertEquals(added, firing.measured().className());
        assertEquals(own.validation().size(), firing.measured().images());
        assertTrue(firing.measured().classShown(), "unlabelled: the manufacturer's images may show the class");
        assertEquals(GatePolicy.DEFAULTS.addedFiringShare().contains(firing.measured().share())
                && GatePolicy.DEFAULTS.addedDetectionsPerImage().contains(firing.measured().perImage()), firing.pass());
        assertTrue(Files.readString(dir.resolve("figures/gate.md")).contains("customer's signed figures"));
        Verification labelled = new ManufacturerUpdate(s, ManufacturerUpdate.Listener.NONE)
                .verify(in, updated, own, dir.resolve("figures-labels"));
        assertTrue(labelled.decision().firing().isEmpty(), "with labels the gate is the paper's");
        assertTrue(labelled.decision().rows().stream().allMatch(r -> r.evidence().equals(
                org.diredi.core.gate.GateDecision.MANUFACTURER_LABELS)));
    }

    @Test
    void withoutLabelsTheAddedClassTakesTheShiftTheCustomerSignedAndTheOthersAreFittedHere() throws Exception {
        ManufacturerUpdate.Settings s = settings(ManufacturerUpdate.WhenRejected.STOP);
        ManufacturerUpdate u = new ManufacturerUpdate(new ManufacturerUpdate.Settings(s.lambda(), s.gate(),
                s.distillC(), s.whenRejected(), Calibration.CLASS_BIAS, AddedClassKnowledge.UNLABELLED),
                ManufacturerUpdate.Listener.NONE);
        var f = new org.diredi.core.delta.CustomerFigures.ClassFigures(0.6, 0.7, 0.6, 0.65);
        var figures = new org.diredi.core.delta.CustomerFigures("val", 30, Map.of(added, 20), 1.0, 0.3,
                Map.of(added, f), Map.of(added, f), Map.of(added, -2.5), "k", "s");
        ManufacturerUpdate.Inputs in = new ManufacturerUpdate.Inputs(models.get("tutor"), models.get("edge"),
                Presets.get("tiny/edge"), new KnowledgeDelta(delta.manifest().withCustomerFigures(figures),
                delta.tensors()));
        ManufacturerUpdate.OwnData unlabelled = ManufacturerUpdate.OwnData.of(own.validation(), own.train(),
                own.updateClasses(), List.of(added), AddedClassKnowledge.UNLABELLED);
        Path eq10 = u.substitute(in, unlabelled, dir.resolve("customer-shift/eq10.ckpt"));
        Path tutor = u.calibrate(eq10, in, unlabelled, dir.resolve("customer-shift/tutor-updated.ckpt"));

        var j = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(tutor.resolveSibling("calibration.json").toFile());
        assertEquals(-2.5, j.path("customer").path(added).asDouble(), 0);
        List<String> fitted = new ArrayList<>();
        j.path("manufacturer").forEach(x -> fitted.add(x.path("name").asText()));
        assertEquals(own.updateClasses().stream().filter(c -> !c.equals(added)).toList(), fitted,
                "the manufacturer fits the classes it labels, never the added one");
        float[] was = biasOf(eq10);
        float[] now = biasOf(tutor);
        assertEquals(was[ClassList.FASHION.indexOf(added)] - 2.5, now[ClassList.FASHION.indexOf(added)], 1e-6);
        for (var x : j.path("manufacturer")) {
            int c = ClassList.FASHION.indexOf(x.path("name").asText());
            assertEquals(was[c] + x.path("delta").asDouble(), now[c], 1e-5, x.toString());
        }
    }

    /** The class-logit bias of a checkpoint. */
    private static float[] biasOf(Path checkpoint) {
        return Checkpoint.read(checkpoint).weights().stream().filter(t -> t.name().endsWith("clsLogits_bias"))
                .findFirst().orElseThrow().data();
    }

    @Test
    void calibrationMovesOnlyTheClassLogitBiasOfEq10sTutorBeforeTheGate() throws Exception {
        ManufacturerUpdate.Settings s = settings(ManufacturerUpdate.WhenRejected.STOP);
        ManufacturerUpdate.Settings calibrated = new ManufacturerUpdate.Settings(s.lambda(), s.gate(), s.distillC(),
                s.whenRejected(), Calibration.CLASS_BIAS);
        ManufacturerUpdate.Layout out = layout("calibrated");
        ManufacturerUpdate.Result r = new ManufacturerUpdate(calibrated, ManufacturerUpdate.Listener.NONE)
                .run(inputs(), own, out);
        assertEquals(out.updatedTutor(), r.updatedTutor(), "the gate judges the calibrated tutor");
        Checkpoint eq10 = Checkpoint.read(out.updatedTutor().resolveSibling("eq10.ckpt"));
        Checkpoint tutor = Checkpoint.read(out.updatedTutor());
        assertTrue(tutor.manifest().parent().relation().startsWith("class-bias calibration at score 0.30"),
                tutor.manifest().parent().relation());
        var calibratedFrom = tutor.manifest().provenance().parents().get(0);
        assertEquals("calibrated from", calibratedFrom.relation());
        assertEquals(eq10.manifest().provenance(), calibratedFrom.provenance());
        assertEquals("delta", calibratedFrom.provenance().parents().get(1).relation());
        assertEquals(org.diredi.core.provenance.DataHashes.of(own.train().restrictTo(own.updateClasses()),
                        ClassList.FASHION),
                tutor.manifest().provenance().data(), "the calibration images' split and class list");
        var shifts = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.updatedTutor().resolveSibling("calibration.json").toFile());
        assertEquals(own.updateClasses().size(), shifts.path("manufacturer").size());
        assertEquals(0, shifts.path("customer").size(), "the manufacturer labels every class here");
        Map<String, Double> fitted = new java.util.HashMap<>();
        shifts.path("manufacturer").forEach(x -> fitted.put(x.path("name").asText(), x.path("delta").asDouble()));
        assertOnlyClassBiasMoved(eq10, tutor, fitted);
    }

    @Test
    void anExperimentDistillsWhateverTheGateSaysAndARerunReusesEveryStep() throws Exception {
        ManufacturerUpdate update = new ManufacturerUpdate(settings(ManufacturerUpdate.WhenRejected.DISTILL_ANYWAY),
                ManufacturerUpdate.Listener.NONE);
        ManufacturerUpdate.Layout out = layout("anyway");
        ManufacturerUpdate.Result first = update.run(inputs(), own, out);
        assertFalse(first.gate().accepted());
        assertNotNull(first.distillC());
        assertEquals(out.distillCDir().resolve("model.ckpt"), first.distillC().checkpoint());
        var edge = Checkpoint.read(first.distillC().checkpoint()).manifest();
        assertEquals(Checkpoint.read(models.get("edge")).manifest().id(), edge.parent().id(), "from the current edge");
        var tutorTime = Files.getLastModifiedTime(out.updatedTutor());
        var edgeTime = Files.getLastModifiedTime(first.distillC().checkpoint());
        assertEquals(first.distillC().checkpoint(), first.edge(), "uncalibrated settings ship Distill C as it is");
        ManufacturerUpdate.Result again = update.run(inputs(), own, out);
        assertEquals(tutorTime, Files.getLastModifiedTime(out.updatedTutor()));
        assertEquals(edgeTime, Files.getLastModifiedTime(again.distillC().checkpoint()));
        assertEquals(first.gate(), again.gate());
    }

    @Test
    void calibratedSettingsShipTheDistilledEdgeModelWithOnlyItsClassBiasMovedForTheCamerasThreshold() throws Exception {
        ManufacturerUpdate.Settings s = settings(ManufacturerUpdate.WhenRejected.DISTILL_ANYWAY);
        ManufacturerUpdate update = new ManufacturerUpdate(new ManufacturerUpdate.Settings(s.lambda(), s.gate(),
                s.distillC(), s.whenRejected(), Calibration.CLASS_BIAS), ManufacturerUpdate.Listener.NONE);
        ManufacturerUpdate.Layout out = layout("calibrated-edge");
        ManufacturerUpdate.Result r = update.run(inputs(), own, out);
        assertEquals(out.distillCDir().resolve("calibrated.ckpt"), r.edge());
        assertTrue(org.diredi.core.eval.ClassBiasCalibration.isCalibrated(r.edge()));
        assertFalse(org.diredi.core.eval.ClassBiasCalibration.isCalibrated(r.distillC().checkpoint()));
        Checkpoint distilled = Checkpoint.read(r.distillC().checkpoint());
        Checkpoint shipped = Checkpoint.read(r.edge());
        assertEquals(distilled.manifest().id(), shipped.manifest().parent().id(), "calibrated from Distill C's model");
        // the shifts a fit on the images Distill C learnt from gives, at the gate's (the cameras') threshold
        Map<String, Double> expected = org.diredi.core.eval.ClassBiasCalibration.byName(
                org.diredi.core.eval.ClassBiasCalibration.fit(r.distillC().checkpoint(), r.distilledOn(),
                        org.diredi.core.stage.Stages.labelledClasses(r.distilledOn()), s.gate().scoreThreshold(),
                        ai.djl.Device.cpu()));
        assertEquals(own.updateTrain().size(), r.distilledOn().size());
        assertOnlyClassBiasMoved(distilled, shipped, expected);
        var shippedTime = Files.getLastModifiedTime(r.edge());
        assertEquals(shippedTime, Files.getLastModifiedTime(update.run(inputs(), own, out).edge()), "a rerun keeps it");
    }

    /** {@code after} is {@code before} with each class's logit bias moved by its shift (0 when not named), nothing else. */
    private static void assertOnlyClassBiasMoved(Checkpoint before, Checkpoint after, Map<String, Double> shifts) {
        var was = org.diredi.core.checkpoint.TensorFile.byName(before.weights());
        for (var t : after.weights()) {
            float[] w = was.get(t.name()).data();
            if (!t.name().endsWith("clsLogits_bias")) {
                assertTrue(java.util.Arrays.equals(w, t.data()), t.name() + " must not move");
                continue;
            }
            for (int c = 0; c < w.length; c++) {
                String name = ClassList.FASHION.name(c);
                assertEquals(w[c] + shifts.getOrDefault(name, 0.0), t.data()[c], 1e-5, name);
            }
        }
    }

    @Test
    void theGateJudgesTheUpdatesClassesAndTheRemovedOnes() {
        Set<String> removed = new HashSet<>(List.of("bag", "tshirt"));
        assertEquals(List.of("tshirt", "dress", "boot", "bag"),
                ManufacturerUpdate.gatedClasses(List.of("tshirt", "dress", "boot"), removed));
    }
}
