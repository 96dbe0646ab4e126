package org.diredi.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.Map;
import org.diredi.vision.data.ClassList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FcosDetectorTest {

    @ParameterizedTest
    @ValueSource(strings = {"cpu/large", "cpu/tutor", "cpu/edge", "paper/large", "paper/tutor", "paper/edge",
        "tiny/large", "tiny/tutor", "tiny/edge"})
    void everyPresetBuildsAndRunsAForwardPass(String preset) {
        ModelConfig c = Presets.get(preset);
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector d = new FcosDetector(c, ClassList.FASHION).init(m);
            NDList out = d.forward(new ParameterStore(m, false), new NDList(m.randomNormal(d.inputShape(1))), false);
            int s = c.inputSize();
            long locations = (long) (s / 8) * (s / 8) + (s / 16) * (s / 16) + (s / 32) * (s / 32);
            assertArrayEquals(new long[] {1, locations, 10}, out.get(0).getShape().getShape());
            assertArrayEquals(new long[] {1, locations, 4}, out.get(1).getShape().getShape());
            assertArrayEquals(new long[] {1, locations}, out.get(2).getShape().getShape());
            for (int l = 0; l < 3; l++) {
                int side = s / ModelConfig.STRIDES[l];
                assertArrayEquals(new long[] {1, c.fpnChannels(), side, side}, out.get(3 + l).getShape().getShape());
            }
            assertTrue(out.get(1).min().getFloat() >= 0, "box distances are relu'd");
            assertEquals(d.getOutputShapes(new ai.djl.ndarray.types.Shape[] {d.inputShape(1)})[0], out.get(0).getShape());
        }
    }

    @Test
    void parametersAreNamedByPartSoNeckAndHeadCanBeSelected() {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector d = new FcosDetector(Presets.get("cpu/edge"), ClassList.FASHION).init(m);
            var names = d.getParameters().keys();
            assertTrue(names.contains("02neck_01lateral0_weight"), names.toString());
            assertTrue(names.contains("03head_03clsLogits_bias"));
            assertTrue(names.contains("03head_scale0"));
            assertTrue(names.stream().allMatch(n -> n.startsWith("01backbone_") || FcosDetector.isNeckOrHead(n)));
            long neckHead = d.parameters(FcosDetector::isNeckOrHead).size();
            assertTrue(neckHead > 10 && neckHead < names.size());
            // the focal-loss prior: every class starts at probability 0.01
            assertEquals(-Math.log(99), d.head().clsLogits().bias().getArray().getFloat(0), 1e-5);
        }
    }

    @Test
    void cpuPresetsKeepThePapersSizeOrder() {
        Map<String, Long> params = new HashMap<>();
        Map<String, Long> flops = new HashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (String role : Presets.ROLES) {
                FcosDetector d = new FcosDetector(Presets.get(role), ClassList.FASHION).init(m);
                params.put(role, d.parameterCount());
                flops.put(role, d.flopsPerImage(m));
            }
        }
        assertTrue(params.get("large") > params.get("tutor") && params.get("tutor") > params.get("edge"), params.toString());
        assertTrue(flops.get("large") > flops.get("tutor") && flops.get("tutor") > flops.get("edge"), flops.toString());
        // paper: FCOS R101 ~ 1.6x FCOS R50 in parameters
        double ratio = params.get("large") / (double) params.get("tutor");
        assertTrue(ratio > 1.3 && ratio < 2.0, "large/tutor = " + ratio);
    }

    @Test
    void flopCounterCountsTheFirstConvolutionExactly() {
        // a single 3x3 conv, 3 -> 8 channels, stride 2 on 64x64: 32*32*8 outputs x 27 MACs x 2
        try (NDManager m = NDManager.newBaseManager()) {
            var conv = org.diredi.core.nn.ConvNormAct.builder(8, 3).stride(2).build();
            conv.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, 64, 64));
            org.diredi.core.nn.FlopCounter.start();
            conv.forward(new ParameterStore(m, false), new NDList(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 64, 64))), false);
            assertEquals(2L * 32 * 32 * 8 * 27, org.diredi.core.nn.FlopCounter.stop());
        }
    }

    @Test
    void theBatchNormHeadHasOneTowerPerLevelAndTheGroupNormHeadShares() {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector gn = new FcosDetector(Presets.get("cpu/edge"), ClassList.FASHION).init(m);
            assertSame(gn.head().clsTower(0), gn.head().clsTower(2));
            FcosDetector bn = new FcosDetector(Presets.get("cpu/edge-bn"), ClassList.FASHION).init(m);
            assertNotSame(bn.head().clsTower(0), bn.head().clsTower(2));
            var names = bn.getParameters().keys();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("03head_") && n.contains("clsTowerP5")
                    && n.endsWith("runningVar")), names.toString());
            assertTrue(names.stream().noneMatch(n -> n.startsWith("03head_") && n.contains("clsTower_")), names.toString());
            // three towers of batch-normed convs: more head parameters, the same outputs
            assertTrue(bn.parameters(FcosDetector::isNeckOrHead).size() > gn.parameters(FcosDetector::isNeckOrHead).size());
            var ps = new ai.djl.training.ParameterStore(m, false);
            var x = m.randomUniform(0, 1, bn.inputShape(2));
            var outBn = bn.forward(ps, new ai.djl.ndarray.NDList(x), false);
            var outGn = gn.forward(ps, new ai.djl.ndarray.NDList(x), false);
            for (int i = 0; i < 3; i++) {
                assertEquals(outGn.get(i).getShape(), outBn.get(i).getShape());
            }
            assertThrows(IllegalArgumentException.class,
                    () -> ModelConfig.fcos("x").mobileNetV2(1).fpn(64).headConvs(2).groupNorm(-1).input(160));
        }
    }

    @Test
    void badConfigurationsAreRejectedWithTheReason() {
        var e = assertThrows(IllegalArgumentException.class, () -> Presets.get("huge"));
        assertTrue(e.getMessage().contains("cpu/edge"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fcos("x").resnet(1, 2, 3).fpn(64).headConvs(2).groupNorm(16).input(160));
        assertTrue(e2.getMessage().contains("model x: resnet needs 4 stage depths"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fcos("x").mobileNetV2(1).fpn(64).headConvs(2).groupNorm(16).input(100));
        assertTrue(e3.getMessage().contains("multiple of 32"));
        var e4 = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fcos("x").mobileNetV2(1).depth(0).fpn(64).headConvs(2).groupNorm(16).input(160));
        assertTrue(e4.getMessage().contains("model x: mobilenet width and depth must be > 0"), e4.getMessage());
        assertThrows(IllegalStateException.class, () -> ModelConfig.fcos("x").mobileNetV2(1).width(32));
    }
}
