package org.diredi.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.diredi.core.TestData;
import org.diredi.vision.data.ClassList;
import org.junit.jupiter.api.Test;

class DetectorOutputTest {

    @Test
    void ofSplitsARealDetectorsOutputIntoItsPartsAndLevels() {
        ModelConfig c = TestData.SMALL;
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector d = new FcosDetector(c, ClassList.FASHION).init(m);
            NDList wire = d.forward(new ParameterStore(m, false), new NDList(m.randomNormal(d.inputShape(2))), false);
            DetectorOutput out = DetectorOutput.of(wire, Pyramid.levels());
            int s = c.inputSize();
            long locations = 0;
            assertEquals(ModelConfig.STRIDES.length, out.levels());
            for (int l = 0; l < out.levels(); l++) {
                int side = s / ModelConfig.STRIDES[l];
                locations += (long) side * side;
                assertArrayEquals(new long[] {2, c.fpnChannels(), side, side},
                        out.features().get(l).getShape().getShape(), "P" + Pyramid.number(l));
            }
            assertArrayEquals(new long[] {2, locations, ClassList.FASHION.size()},
                    out.classLogits().getShape().getShape());
            assertArrayEquals(new long[] {2, locations, 4}, out.boxes().getShape().getShape());
            assertArrayEquals(new long[] {2, locations}, out.centerness().getShape().getShape());
            assertEquals(locations, out.locations());
            assertEquals(2, out.batchSize());
            // the wire format round-trips position by position, and the declared shapes say the same
            NDList back = out.toList();
            Shape[] declared = d.getOutputShapes(new Shape[] {d.inputShape(2)});
            assertEquals(wire.size(), back.size());
            assertEquals(declared.length, back.size());
            for (int i = 0; i < wire.size(); i++) {
                assertSame(wire.get(i), back.get(i), "output " + i);
                assertEquals(declared[i], back.get(i).getShape(), "declared shape of output " + i);
            }
            assertArrayEquals(d.featureShapes(2), out.features().stream().map(a -> a.getShape()).toArray(Shape[]::new));
        }
    }

    @Test
    void aWrongLevelCountOrMismatchedShapesAreRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector d = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            NDList wire = d.forward(new ParameterStore(m, false), new NDList(m.zeros(d.inputShape(1))), false);
            var e = assertThrows(IllegalArgumentException.class, () -> DetectorOutput.of(wire, Pyramid.levels() + 1));
            assertTrue(e.getMessage().contains("gives " + (Pyramid.levels() + 4) + " outputs, got " + wire.size()),
                    e.getMessage());
            // boxes and class logits of different location counts (e.g. the outputs in the wrong order)
            var e2 = assertThrows(IllegalArgumentException.class, () -> new DetectorOutput(wire.get(0), wire.get(2),
                    wire.get(1), new NDList()));
            assertTrue(e2.getMessage().contains("do not fit together"), e2.getMessage());
            var e3 = assertThrows(IllegalArgumentException.class, () -> new DetectorOutput(wire.get(0), wire.get(1),
                    wire.get(2), new NDList(wire.get(1))));
            assertTrue(e3.getMessage().contains("(N, F, H, W)"), e3.getMessage());
        }
    }

    @Test
    void pyramidLevelsFollowTheStrides() {
        assertEquals(ModelConfig.STRIDES.length, Pyramid.levels());
        for (int l = 0; l < Pyramid.levels(); l++) {
            assertEquals(ModelConfig.STRIDES[l], 1 << Pyramid.number(l));
        }
        assertEquals(3, Pyramid.number(0), "P3 is the stride-8 level");
    }
}
