package org.diredi.cloud.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.model.Presets;
import org.diredi.core.train.TrainConfig;
import org.diredi.onprem.ReverseDistillation;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.scenes.FashionScenes;
import org.diredi.vision.scenes.FashionScenesConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit of what the manufacturer's side learns of an added class: in the {@code unlabelled} and {@code
 * absent} settings no label of it from the manufacturer's data reaches the gate, calibration or Distill C (only
 * the updated tutor's pseudo-labels do), the images that show it stay (unlabelled) or go (absent); with {@code
 * labels} its labels are there, so each check can fail.
 */
class AddedClassAuditTest {

    @TempDir
    static Path dir;
    static VocDataset train;
    static VocDataset val;
    static String added;
    static List<String> update;
    static Map<String, Path> models;
    static KnowledgeDelta delta;

    @BeforeAll
    static void setUp() throws Exception {
        FashionScenes.generate(FashionScenesConfig.DEFAULT.withImageSize(96).withImages(16, 8, 2).withObjects(1, 2)
                .withObjectSize(28, 44).withSeed(3), dir.resolve("data"));
        train = VocDataset.load(dir.resolve("data"), "train", ClassList.FASHION);
        val = VocDataset.load(dir.resolve("data"), "val", ClassList.FASHION);
        // the class both splits show most often: the one the customer adds
        added = ClassList.FASHION.names().stream().filter(c -> count(val, c) > 0)
                .max(Comparator.comparingInt(c -> count(train, c))).orElseThrow();
        List<String> presumed = ClassList.FASHION.names().stream().filter(c -> !c.equals(added)).toList();
        models = TestData.tinyTutorAndEdge(dir.resolve("m"), train.withoutImagesOf(List.of(added)));
        Checkpoint tutor = Checkpoint.read(models.get("tutor"));
        delta = ReverseDistillation.delta(tutor, tutor, tutor, ClassList.FASHION, List.of(added), List.of(),
                new ReverseDistillation.Settings(TrainConfig.DEFAULTS, 1f, 1f, 1.0, false, FgdConfig.DEFAULTS),
                Map.of(), Map.of(), dir.resolve("zero.delta"));
        update = new ArrayList<>(presumed);
        update.add(added);
    }

    static int count(VocDataset d, String name) {
        return d.countsPerClass().get(name);
    }

    static Set<String> idsShowing(VocDataset d, String name) {
        int c = ClassList.FASHION.indexOf(name);
        return d.images().stream().filter(i -> i.objects().stream().anyMatch(o -> o.classId() == c))
                .map(VocImage::id).collect(Collectors.toSet());
    }

    static Set<String> ids(VocDataset d) {
        return d.images().stream().map(VocImage::id).collect(Collectors.toSet());
    }

    /** The whole update (calibration on, Distill C whatever the gate says) on the data the setting leaves. */
    static ManufacturerUpdate.Result run(AddedClassKnowledge k, ManufacturerUpdate.OwnData own) throws Exception {
        TrainConfig one = TrainConfig.DEFAULTS.withEpochs(1).atBatchSize(4);
        ManufacturerUpdate.Settings s = new ManufacturerUpdate.Settings(1.0, GatePolicy.DEFAULTS,
                new ManufacturerUpdate.DistillC(one, 1.5f, 0.01f, FgdConfig.DEFAULTS, new PseudoLabels.Settings(0.05, 2)),
                ManufacturerUpdate.WhenRejected.DISTILL_ANYWAY, Calibration.CLASS_BIAS);
        Path job = dir.resolve(k.id());
        return new ManufacturerUpdate(s, ManufacturerUpdate.Listener.NONE).run(
                new ManufacturerUpdate.Inputs(models.get("tutor"), models.get("edge"), Presets.get("tiny/edge"), delta),
                own, new ManufacturerUpdate.Layout(job.resolve("tutor-updated.ckpt"), job,
                        job.resolve("edge-distill-C")));
    }

    @Test
    void theFixtureShowsTheAddedClassInBothSplits() {
        assertTrue(count(train, added) > 0 && count(val, added) > 0, added);
    }

    @Test
    void unlabelledKeepsTheImagesAndNoStageSeesALabelOfTheAddedClass() throws Exception {
        ManufacturerUpdate.OwnData own = ManufacturerUpdate.OwnData.of(val, train, update, List.of(added),
                AddedClassKnowledge.UNLABELLED);
        assertEquals(ids(train), ids(own.train()));
        assertEquals(ids(val), ids(own.validation()));
        assertTrue(ids(own.updateTrain()).containsAll(idsShowing(train, added)), "the images that show it stay");
        assertEquals(0, count(own.validation(), added) + count(own.train(), added) + count(own.updateTrain(), added));
        assertEquals(train.objectCount() - count(train, added), own.train().objectCount(), "only its labels go");
        ManufacturerUpdate.Result r = run(AddedClassKnowledge.UNLABELLED, own);
        assertStagesSaw(r, AddedClassKnowledge.UNLABELLED, false);
    }

    @Test
    void absentDropsTheImagesThatShowIt() throws Exception {
        ManufacturerUpdate.OwnData own = ManufacturerUpdate.OwnData.of(val, train, update, List.of(added),
                AddedClassKnowledge.ABSENT);
        assertEquals(train.size() - idsShowing(train, added).size(), own.train().size());
        assertEquals(val.size() - idsShowing(val, added).size(), own.validation().size());
        for (VocDataset d : List.of(own.train(), own.validation(), own.updateTrain())) {
            assertTrue(ids(d).stream().noneMatch(idsShowing(train, added)::contains)
                    && ids(d).stream().noneMatch(idsShowing(val, added)::contains), d.toString());
            assertEquals(0, count(d, added));
        }
        assertStagesSaw(run(AddedClassKnowledge.ABSENT, own), AddedClassKnowledge.ABSENT, false);
    }

    @Test
    void withLabelsEveryStageSeesThem() throws Exception {
        ManufacturerUpdate.OwnData own = ManufacturerUpdate.OwnData.of(val, train, update, List.of(added),
                AddedClassKnowledge.LABELS);
        assertEquals(count(train, added), count(own.updateTrain(), added));
        assertEquals(count(val, added), count(own.validation(), added));
        assertStagesSaw(run(AddedClassKnowledge.LABELS, own), AddedClassKnowledge.LABELS, true);
    }

    @Test
    void theCloudShipsNothingWhenDistillCDrewNoLabelOfTheAddedClass() {
        ManufacturerUpdate u = new ManufacturerUpdate(new ManufacturerUpdate.Settings(1.0, GatePolicy.DEFAULTS,
                new ManufacturerUpdate.DistillC(TrainConfig.DEFAULTS, 1.5f, 0.01f, FgdConfig.DEFAULTS,
                        new PseudoLabels.Settings(0.999, 2)), ManufacturerUpdate.WhenRejected.STOP),
                ManufacturerUpdate.Listener.NONE);
        ManufacturerUpdate.OwnData own = ManufacturerUpdate.OwnData.of(val, train, update, List.of(added),
                AddedClassKnowledge.UNLABELLED);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> u.distillCData(
                new ManufacturerUpdate.Inputs(models.get("tutor"), models.get("edge"), Presets.get("tiny/edge"), delta),
                models.get("tutor"), own, dir.resolve("none-drawn").resolve("edge-distill-C")));
        assertTrue(e.getMessage().contains("no pseudo-label of [" + added + "]") && e.getMessage().contains("0.999"),
                e.getMessage());
    }

    /**
     * What the stages were given, from what they wrote: the gate's evaluation of the added class has ground truth
     * or none, calibration fitted it or found no object, Distill C's images hold the manufacturer's labels of it
     * or exactly the pseudo-labels drawn.
     */
    static void assertStagesSaw(ManufacturerUpdate.Result r, AddedClassKnowledge k, boolean labels) throws Exception {
        var judged = r.verification().after().find(added);
        assertEquals(labels, judged != null && judged.numGt() > 0, "the gate's validation split");
        JsonNode shifts = ConfigFiles.JSON.readTree(r.updatedTutor().resolveSibling("calibration.json").toFile());
        JsonNode shift = null;
        for (JsonNode s : shifts.path("manufacturer")) {
            shift = s.path("name").asText().equals(added) ? s : shift;
        }
        assertEquals(labels, shift != null && shift.path("f1Before").isNumber(), "calibration's images: " + shift);
        Path stage = dir.resolve(k.id()).resolve("edge-distill-C");
        ManufacturerUpdate u = new ManufacturerUpdate(new ManufacturerUpdate.Settings(1.0, GatePolicy.DEFAULTS,
                new ManufacturerUpdate.DistillC(TrainConfig.DEFAULTS, 1.5f, 0.01f, FgdConfig.DEFAULTS,
                        new PseudoLabels.Settings(0.05, 2)), ManufacturerUpdate.WhenRejected.DISTILL_ANYWAY),
                ManufacturerUpdate.Listener.NONE);
        ManufacturerUpdate.OwnData own = ManufacturerUpdate.OwnData.of(val, train, update, List.of(added), k);
        VocDataset distillC = u.distillCData(new ManufacturerUpdate.Inputs(models.get("tutor"), models.get("edge"),
                Presets.get("tiny/edge"), delta), r.updatedTutor(), own, stage);
        if (labels) {
            assertEquals(count(train, added), count(distillC, added), "Distill C: the manufacturer's labels");
            assertEquals(Map.of(), r.pseudoLabels());
            assertTrue(!Files.exists(PseudoLabels.file(stage)), "no pseudo-labels drawn");
        } else {
            assertEquals(Set.of(added), r.pseudoLabels().keySet());
            assertEquals((int) r.pseudoLabels().get(added), count(distillC, added),
                    "Distill C: the pseudo-labels drawn and nothing else");
        }
    }
}
