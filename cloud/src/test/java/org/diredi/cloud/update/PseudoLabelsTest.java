package org.diredi.cloud.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.eval.ClassBiasCalibration;
import org.diredi.vision.box.Box;
import org.diredi.vision.box.Detection;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distill C's pseudo-labels: which of the updated tutor's detections become labels (hand-made detections with
 * known answers), how they join the manufacturer's labels, and the cache a resumed update reads.
 */
class PseudoLabelsTest {

    static final int BOOT = ClassList.FASHION.indexOf("boot");
    static final int SNEAKER = ClassList.FASHION.indexOf("sneaker");
    static final int TSHIRT = ClassList.FASHION.indexOf("tshirt");
    static final PseudoLabels.Settings HALF_TWO = new PseudoLabels.Settings(0.5, 2);

    @TempDir
    Path tmp;

    static Detection det(int c, double score, float x) {
        return new Detection(c, (float) score, new Box(x, 10, x + 20, 30));
    }

    @Test
    void onlyAddedClassesAboveTheThresholdTheBestTwoOfEachAndNoneOnALabelledObject() {
        // a tshirt labelled at x 200..220: the 0.8 boot on it is that tshirt, not a boot
        List<VocObject> truth = List.of(new VocObject(TSHIRT, new Box(200, 10, 220, 30), false, false));
        List<Detection> dets = List.of(
                det(BOOT, 0.6, 100), det(BOOT, 0.9, 0), det(TSHIRT, 0.95, 300), det(BOOT, 0.8, 201),
                det(BOOT, 0.4, 400), det(BOOT, 0.7, 50), det(SNEAKER, 0.99, 500));
        List<Detection> kept = PseudoLabels.select(dets, truth, Set.of(BOOT), HALF_TWO);
        assertEquals(List.of(det(BOOT, 0.9, 0), det(BOOT, 0.7, 50)), kept,
                "tshirt and sneaker are not added, 0.8 lies on the tshirt, 0.6 is a third boot, 0.4 is below 0.5");
    }

    @Test
    void eachAddedClassHasItsOwnCapAndTheThresholdIsInclusive() {
        List<Detection> dets = List.of(det(BOOT, 0.5, 0), det(SNEAKER, 0.55, 100), det(SNEAKER, 0.52, 200),
                det(BOOT, 0.49, 300));
        List<Detection> kept = PseudoLabels.select(dets, List.of(), Set.of(BOOT, SNEAKER),
                new PseudoLabels.Settings(0.5, 1));
        assertEquals(List.of(det(SNEAKER, 0.55, 100), det(BOOT, 0.5, 0)), kept);
    }

    @Test
    void aSmallOverlapWithALabelledObjectIsKept() {
        // 20x20 boxes shifted by 10 px: IoU 200 / 600 = 1/3, below 0.5
        List<VocObject> truth = List.of(new VocObject(TSHIRT, new Box(10, 10, 30, 30), false, false));
        assertEquals(1, PseudoLabels.select(List.of(det(BOOT, 0.9, 0)), truth, Set.of(BOOT), HALF_TWO).size());
        // shifted by 2 px: IoU 360 / 440 > 0.5
        List<VocObject> near = List.of(new VocObject(TSHIRT, new Box(2, 10, 22, 30), false, false));
        assertEquals(0, PseudoLabels.select(List.of(det(BOOT, 0.9, 0)), near, Set.of(BOOT), HALF_TWO).size());
    }

    @Test
    void settingsOutsideTheirRangeAreRefusedNamingTheKey() {
        for (double bad : new double[] {0, 1, -0.2, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new PseudoLabels.Settings(bad, 2));
            assertTrue(e.getMessage().startsWith("pseudoLabels.scoreThreshold"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new PseudoLabels.Settings(0.5, 0));
        assertTrue(e.getMessage().startsWith("pseudoLabels.maxPerClass"), e.getMessage());
    }

    @Test
    void pseudoLabelsJoinTheImagesOwnLabels() {
        VocImage a = new VocImage("a", tmp.resolve("a.jpg"), 96, 96,
                List.of(new VocObject(TSHIRT, new Box(1, 1, 20, 20), false, false)));
        VocImage b = new VocImage("b", tmp.resolve("b.jpg"), 96, 96, List.of());
        VocDataset data = VocDataset.of(tmp, "train", ClassList.FASHION, List.of(a, b));
        PseudoLabels.Drawn drawn = new PseudoLabels.Drawn("sha", HALF_TWO, List.of("boot"), Map.of("boot", 1),
                Map.of("a", List.of(), "b", List.of(det(BOOT, 0.9, 40))));
        VocDataset merged = drawn.applyTo(data);
        assertEquals(a, merged.images().get(0));
        assertEquals(List.of(new VocObject(BOOT, det(BOOT, 0.9, 40).box(), false, false)),
                merged.images().get(1).objects());
        assertEquals(1, merged.countsPerClass().get("boot"));
    }

    /** The tutor with boot's class-logit bias raised by 8: it reports boots all over every image. */
    private Path eagerForBoot(Path tutor) throws Exception {
        Checkpoint ck = Checkpoint.read(tutor);
        Path out = tmp.resolve("eager.ckpt");
        Checkpoint.write(out, ck.manifest().derived(ck.manifest().role(), tutor.toString(), "boot bias +8").build(),
                ClassBiasCalibration.shifted(ck.weights(), ck.classes(), Map.of("boot", 8.0)), null);
        return out;
    }

    @Test
    void drawnOnceCountedPerClassAndReadBackUnlessTheSettingsChange() throws Exception {
        VocDataset train = TestData.scenes(tmp.resolve("data"), 8);
        Path tutor = eagerForBoot(TestData.tinyTutorAndEdge(tmp.resolve("m"), train).get("tutor"));
        VocDataset own = train.restrictTo(ClassList.FASHION.names().stream().filter(c -> !c.equals("boot")).toList());
        Path stage = tmp.resolve("job/edge-distill-C");
        PseudoLabels.Settings low = new PseudoLabels.Settings(0.05, 3);
        PseudoLabels.Drawn first = PseudoLabels.draw(tutor, own, List.of("boot"), low, Device.cpu(), stage);
        assertEquals(own.size(), first.images().size(), "every image, those without a label too");
        int total = 0;
        int full = 0;
        for (VocImage img : own.images()) {
            List<Detection> labels = first.images().get(img.id());
            assertTrue(labels.size() <= 3, labels.toString());
            full += labels.size() == 3 ? 1 : 0;
            for (Detection d : labels) {
                assertEquals(BOOT, d.classId());
                assertTrue(d.score() >= 0.05, d.toString());
                assertTrue(img.objects().stream().allMatch(o -> o.box().iou(d.box()) <= 0.5), "on a labelled object");
            }
            total += labels.size();
        }
        assertTrue(full > 0, "a tutor that sees boots everywhere fills the cap of some image");
        assertEquals(Map.of("boot", total), first.perClass());
        assertEquals(first.perClass(), PseudoLabels.drawnPerClass(stage));
        assertEquals(total, first.applyTo(own).countsPerClass().get("boot"));
        // a resumed update reads the file: a count written into it comes back
        ObjectNode cached = (ObjectNode) ConfigFiles.JSON.readTree(PseudoLabels.file(stage).toFile());
        ((ObjectNode) cached.path("perClass")).put("boot", 12345);
        ConfigFiles.JSON.writeValue(PseudoLabels.file(stage).toFile(), cached);
        assertEquals(12345, PseudoLabels.draw(tutor, own, List.of("boot"), low, Device.cpu(), stage).perClass()
                .get("boot"));
        // other settings: drawn again
        PseudoLabels.Drawn strict = PseudoLabels.draw(tutor, own, List.of("boot"), new PseudoLabels.Settings(0.99, 1),
                Device.cpu(), stage);
        assertNotEquals(12345, strict.perClass().get("boot"));
        assertEquals(strict.perClass(), PseudoLabels.drawnPerClass(stage));
    }
}
