package org.diredi.core.fcos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.fcos.FcosGrid;
import org.junit.jupiter.api.Test;

class FcosTargetsTest {

    // 64 px input: P3 8x8 (stride 8), P4 4x4, P5 2x2 = 84 locations
    private final FcosGrid grid = new FcosGrid(64, new int[] {8, 16, 32});

    private static VocObject obj(int cls, float x1, float y1, float x2, float y2) {
        return new VocObject(cls, new Box(x1, y1, x2, y2), false, false);
    }

    @Test
    void gridHasCellCentresLevelByLevel() {
        assertEquals(84, grid.size());
        assertEquals(4f, grid.x(0));
        assertEquals(4f, grid.y(0));
        assertEquals(12f, grid.x(1));
        assertEquals(64, grid.levelStart(1));
        assertEquals(8f, grid.x(64)); // first P4 cell centre
        assertEquals(80, grid.levelStart(2));
        assertEquals(48f, grid.x(81)); // second P5 cell
    }

    @Test
    void theDefaultRangesHaveOneBoundPerLevelAndDoubleFromLevelToLevel() {
        // three levels (strides 8, 16, 32): P3 [0, 32], P4 [32, 64], P5 [64, inf) at 160 px
        assertTrue(java.util.Arrays.equals(new float[] {0, 32, 64, Float.POSITIVE_INFINITY},
                FcosTargets.Config.forInput(160).rangeBounds()));
        assertEquals(org.diredi.core.model.ModelConfig.STRIDES.length + 1,
                FcosTargets.Config.forInput(512).rangeBounds().length);
    }

    @Test
    void aBoxGoesToTheLevelWhoseRangeHoldsItsLargestDistance() {
        // Ranges P3 [0, 16], P4 [16, 32], P5 [32, inf); centre-sampling radius 1.5 strides.
        FcosTargets t = new FcosTargets(grid, new FcosTargets.Config(new float[] {0, 16, 32, Float.POSITIVE_INFINITY}, 1.5f));
        // Box (16,16)-(40,40), centre (28,28). On P3 the centre region 28 +- 12 is the whole box, so the cells
        // at 20, 28, 36 qualify by position; only (28,28) has its largest distance (12) within P3's 16.
        FcosTargets.Image img = t.assign(List.of(obj(3, 16, 16, 40, 40)));
        int p3 = 0;
        for (int k = 0; k < 64; k++) {
            if (img.label()[k] >= 0) {
                p3++;
            }
        }
        assertEquals(1, p3);
        int centre = 3 * 8 + 3; // row 3, col 3: (28, 28)
        assertEquals(3, img.label()[centre]);
        assertEquals(12f, img.box()[4 * centre]);
        assertEquals(12f, img.box()[4 * centre + 2]);
        assertEquals(1f, img.centerness()[centre], 1e-6);
        // P4 cell (24,24): l = t = 8, r = b = 16, largest 16 lies in [16, 32]; center-ness sqrt(0.5 * 0.5)
        int p4 = grid.levelStart(1) + 1 * 4 + 1;
        assertEquals(3, img.label()[p4]);
        assertEquals(8f, img.box()[4 * p4]);
        assertEquals(16f, img.box()[4 * p4 + 3]);
        assertEquals((float) Math.sqrt(0.5 * 0.5), img.centerness()[p4], 1e-6);
        assertEquals(img.positives(), count(img));
    }

    @Test
    void overlappingBoxesGiveTheLocationToTheSmallerOne() {
        FcosTargets t = new FcosTargets(grid, new FcosTargets.Config(new float[] {0, 1000, 2000, 3000}, 10f));
        FcosTargets.Image img = t.assign(List.of(obj(1, 0, 0, 64, 64), obj(2, 20, 20, 36, 36)));
        int k = 3 * 8 + 3; // (28, 28) lies in both
        assertEquals(2, img.label()[k]);
        assertEquals(8f, img.box()[4 * k]); // 28 - 20
        int outside = 0; // (4, 4) only in the big box
        assertEquals(1, img.label()[outside]);
    }

    @Test
    void centreSamplingKeepsOnlyLocationsNearTheCentre() {
        // a 48x48 box, radius 0.5 stride on P3: only locations within 4 px of the centre (32, 32)
        FcosTargets t = new FcosTargets(grid, new FcosTargets.Config(new float[] {0, 1000, 2000, 3000}, 0.5f));
        FcosTargets.Image img = t.assign(List.of(obj(0, 8, 8, 56, 56)));
        for (int k = 0; k < 64; k++) {
            boolean near = Math.abs(grid.x(k) - 32) < 4 && Math.abs(grid.y(k) - 32) < 4;
            assertEquals(near, img.label()[k] >= 0, "location " + k);
        }
        // (28,28),(36,28),(28,36),(36,36) are exactly 4 px away: outside the open region -> none positive
        assertEquals(0, img.positives());
    }

    @Test
    void difficultObjectsAreNotTrainedOn() {
        FcosTargets t = new FcosTargets(grid, FcosTargets.Config.forInput(64));
        FcosTargets.Image img = t.assign(List.of(new VocObject(0, new Box(10, 10, 50, 50), true, false)));
        assertEquals(0, img.positives());
        assertTrue(java.util.Arrays.stream(img.label()).allMatch(l -> l == -1));
    }

    @Test
    void centernessFollowsEquationThree() {
        assertEquals(1f, FcosTargets.centerness(5, 5, 5, 5), 1e-7);
        assertEquals((float) Math.sqrt(0.25 * 1.0), FcosTargets.centerness(1, 2, 4, 2), 1e-7);
    }

    private static int count(FcosTargets.Image img) {
        int n = 0;
        for (int l : img.label()) {
            if (l >= 0) {
                n++;
            }
        }
        return n;
    }
}
