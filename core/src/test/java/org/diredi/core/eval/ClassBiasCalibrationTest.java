package org.diredi.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.fcos.FcosGrid;
import org.junit.jupiter.api.Test;

/**
 * The per-class logit shift on hand-made outputs: a class that fires everywhere above the cameras' threshold
 * (the updated tutor after Eq. 10) is shifted down until only its true detections pass; one that is fine
 * stays; one without objects is left alone; only the class-logit bias moves in the weights.
 */
class ClassBiasCalibrationTest {

    private static final ClassList CLASSES = new ClassList(List.of("boot", "bag"));
    private static final FcosGrid GRID = new FcosGrid(64, new int[] {8, 16, 32});

    /**
     * One image per entry of {@code truths}: an object of class 0 at location {@code truths[i]} with a 16-pixel
     * box that location predicts at logit 2; every other location predicts a 4-pixel box around itself at
     * logit 0 for class 0 (false alarms above score 0.3 until shifted); class 1 everywhere at -9.
     */
    private static List<Predictor.Raw> images(int... truths) {
        int n = GRID.size();
        List<Predictor.Raw> raw = new ArrayList<>();
        for (int i = 0; i < truths.length; i++) {
            float[] cls = new float[n * 2];
            float[] box = new float[n * 4];
            float[] ctr = new float[n];
            for (int k = 0; k < n; k++) {
                boolean truth = k == truths[i];
                cls[k * 2] = truth ? 2f : 0f;
                cls[k * 2 + 1] = -9f;
                java.util.Arrays.fill(box, k * 4, k * 4 + 4, truth ? 8f : 2f);
                ctr[k] = 10f; // center-ness ~1: the score is sqrt(sigmoid(class logit))
            }
            float x = GRID.x(truths[i]);
            float y = GRID.y(truths[i]);
            VocImage img = new VocImage("img" + i, Path.of("img" + i + ".png"), 64, 64,
                    List.of(new VocObject(0, new Box(x - 8, y - 8, x + 8, y + 8), false, false)));
            raw.add(new Predictor.Raw(img, cls, box, ctr));
        }
        return raw;
    }

    @Test
    void aClassThatFiresEverywhereIsShiftedDownUntilOnlyItsObjectsPass() {
        List<ClassBiasCalibration.Shift> shifts = ClassBiasCalibration.fit(images(18, 27, 36), CLASSES,
                List.of("boot", "bag"), GRID, 0.3);
        ClassBiasCalibration.Shift boot = shifts.get(0);
        // score > 0.3 needs sigmoid(logit + d) > 0.09, logit + d > -2.31: the true boxes (logit 2) pass and the
        // false alarms (logit 0) do not for d in (-4.31, -2.31); the grid's shift nearest 0 there is -2.5
        assertEquals(-2.5, boot.delta(), 1e-9);
        assertEquals(1.0, boot.f1After(), 1e-9);
        int n = GRID.size();
        double p = 3.0 / (3 * n); // every location of every image fires once before, one per image is right
        assertEquals(2 * p / (p + 1), boot.f1Before(), 1e-9);
        ClassBiasCalibration.Shift bag = shifts.get(1);
        assertEquals(0, bag.delta(), "no bag objects: nothing to fit on, no shift");
        assertTrue(Double.isNaN(bag.f1Before()));
    }

    @Test
    void onlyTheClassLogitBiasMovesInTheWeights() {
        TensorFile.Tensor conv = new TensorFile.Tensor("03head_03clsLogits_weight", new long[] {2}, new float[] {1, 2});
        TensorFile.Tensor bias = new TensorFile.Tensor("03head_03clsLogits_bias", new long[] {2},
                new float[] {-4.6f, -4.6f});
        List<TensorFile.Tensor> out = ClassBiasCalibration.shifted(List.of(conv, bias), CLASSES,
                Map.of("boot", -2.5, "bag", 0.0));
        assertSame(conv, out.get(0));
        assertArrayEquals(new float[] {-7.1f, -4.6f}, out.get(1).data(), 1e-6f);
        assertArrayEquals(new float[] {-4.6f, -4.6f}, bias.data(), "the input is not changed");
        assertThrows(IllegalStateException.class, () -> ClassBiasCalibration.shifted(List.of(conv), CLASSES,
                Map.of("boot", 1.0)));
    }

    @Test
    void aCalibratedModelIsKeptOnlyWhileItsModelAndImagesAreTheSame(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        org.diredi.vision.data.VocDataset data = org.diredi.core.TestData.scenes(dir.resolve("data"), 8);
        Map<String, Path> models = org.diredi.core.TestData.tinyTutorAndEdge(dir.resolve("m"), data);
        Path out = dir.resolve("calibrated.ckpt");
        ai.djl.Device cpu = ai.djl.Device.cpu();
        ClassBiasCalibration.forCameras(models.get("tutor"), data, 0.3, cpu, out);
        var first = java.nio.file.Files.getLastModifiedTime(out);
        assertTrue(ClassBiasCalibration.isCalibrated(out));
        ClassBiasCalibration.forCameras(models.get("tutor"), data, 0.3, cpu, out);
        assertEquals(first, java.nio.file.Files.getLastModifiedTime(out), "same model, same images: kept");
        ClassBiasCalibration.forCameras(models.get("edge"), data, 0.3, cpu, out);
        assertEquals(org.diredi.core.checkpoint.Checkpoint.read(models.get("edge")).manifest().id(),
                org.diredi.core.checkpoint.Checkpoint.read(out).manifest().parent().id(), "another model: fitted again");
        org.diredi.vision.data.VocDataset four = org.diredi.vision.data.VocDataset.of(data.root(), data.split(),
                data.classes(), data.images().subList(0, 4));
        ClassBiasCalibration.forCameras(models.get("edge"), four, 0.3, cpu, out);
        assertEquals(4, org.diredi.core.checkpoint.Checkpoint.read(out).manifest().provenance().data().get(0).count(),
                "other images: fitted again, on those");
    }
}
