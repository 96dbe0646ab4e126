package org.diredi.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileCheckerTest {

    @TempDir
    Path dir;

    private static TinyOnnx convRelu(long side) {
        return new TinyOnnx()
                .input("images", 1L, 3L, side, side)
                .floatInitializer("w", 3 * 3 * 4)
                .node("conv", "Conv", "", List.of("images", "w"), List.of("c"))
                .node("relu", "Relu", "", List.of("c"), List.of("out"))
                .output("out", 1L, 4L, side, side);
    }

    private Path write(String name, byte[] model) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, model);
        return f;
    }

    private static Set<Violation.Kind> kinds(List<Violation> v) {
        return v.stream().map(Violation::kind).collect(Collectors.toSet());
    }

    @Test
    void aModelThatFitsHasNoViolations() throws IOException {
        DeviceProfile nano = Profiles.load("jetson-nano").withInputSize(96);
        Path f = write("ok.onnx", convRelu(96).build());
        assertEquals(List.of(), ProfileChecker.check(f, nano));
        assertEquals("model fits profile jetson-nano", ProfileChecker.report(nano, List.of()));
        OnnxSummary s = OnnxSummary.read(f);
        assertEquals(13, s.defaultOpset());
        assertEquals(List.of("Conv", "Relu"), s.nodes().stream().map(OnnxSummary.Node::opType).toList());
        assertEquals(List.of(1L, 3L, 96L, 96L), s.inputs().get(0).dims());
        assertEquals(1, s.initializers().get("w"));
    }

    @Test
    void aForbiddenOperatorIsReportedWithItsNodeName() throws IOException {
        Path f = write("einsum.onnx", convRelu(512)
                .node("head/einsum_7", "Einsum", "", List.of("out", "out"), List.of("e"))
                .node("", "FusedConv", "com.microsoft", List.of("e"), List.of("f"))
                .build());
        List<Violation> v = ProfileChecker.check(f, Profiles.load("jetson-nano"));
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.stream().allMatch(x -> x.kind() == Violation.Kind.OPERATOR));
        assertEquals("head/einsum_7", v.get(0).subject());
        assertTrue(v.get(0).message().contains("Einsum") && v.get(0).message().contains("jetson-nano"), v.get(0).message());
        assertTrue(v.get(1).message().contains("com.microsoft:FusedConv"), v.get(1).message());
        // ONNX Runtime targets take any standard operator, but not another domain's
        assertEquals(1, ProfileChecker.check(f, Profiles.load("local-pc").withInputSize(512)).size());
    }

    @Test
    void opsetSizeAndShapeViolationsAreAllReportedAtOnce() throws IOException {
        Path f = write("bad.onnx", new TinyOnnx().opset(17)
                .input("images", "batch", 3L, 96L, 96L)
                .floatInitializer("w", 1000)
                .node("conv", "Conv", "", List.of("images", "w"), List.of("c"))
                .node("einsum", "Einsum", "", List.of("c"), List.of("out"))
                .output("out", "batch", 4L, 96L, 96L)
                .build());
        DeviceProfile tiny = Profiles.load("jetson-nano").withMaxModelBytes(1024);
        List<Violation> v = ProfileChecker.check(f, tiny);
        assertEquals(Set.of(Violation.Kind.OPSET, Violation.Kind.OPERATOR, Violation.Kind.MODEL_SIZE,
                Violation.Kind.DYNAMIC_INPUT, Violation.Kind.INPUT_SIZE), kinds(v), v.toString());
        String all = ProfileChecker.report(tiny, v);
        assertTrue(all.contains("opset 17 is outside jetson-nano's range 7-13"), all);
        assertTrue(all.contains("takes at most 1.0 KiB (1024 bytes)"), all);
        assertTrue(all.contains("input 'images' has shape [batch, 3, 96, 96]"), all);
        assertTrue(all.contains("is 96x96, jetson-nano takes square inputs of side [128, 160"), all);

        // the same model on a profile that allows dynamic shapes: no DYNAMIC_INPUT
        DeviceProfile pc = Profiles.load("local-pc").withInputSize(96);
        assertEquals(List.of(), ProfileChecker.check(f, pc));
    }

    @Test
    void anInt8DeviceRefusesFloatWeightsAndAModelOverItsMemory() throws IOException {
        Path f = write("fp32.onnx", convRelu(160).floatInitializer("big", 3 << 20).build());
        List<Violation> v = ProfileChecker.check(f, Profiles.load("imx500"));
        assertEquals(Set.of(Violation.Kind.PRECISION, Violation.Kind.MODEL_SIZE, Violation.Kind.MEMORY), kinds(v),
                v.toString());
        assertTrue(v.stream().anyMatch(x -> x.kind() == Violation.Kind.PRECISION && x.subject().equals("conv")));

        // quantized weights (through DequantizeLinear) are what the IMX500 wants
        Path q = write("qdq.onnx", new TinyOnnx()
                .input("images", 1L, 3L, 160L, 160L)
                .node("dq_w", "DequantizeLinear", "", List.of("w_q", "w_s"), List.of("w"))
                .node("conv", "Conv", "", List.of("images", "w"), List.of("out"))
                .output("out", 1L, 4L, 160L, 160L)
                .build());
        assertEquals(List.of(), ProfileChecker.check(q, Profiles.load("imx500")));
    }

    @Test
    void aFileThatIsNotOnnxIsRefusedByName() throws IOException {
        byte[] good = convRelu(96).build();
        Path cut = write("cut.onnx", Arrays.copyOf(good, good.length - 7));
        ProfileException e = assertThrows(ProfileException.class, () -> OnnxSummary.read(cut));
        assertTrue(e.getMessage().contains("cut.onnx") && e.getMessage().contains("not an ONNX model"), e.getMessage());
        Path text = write("text.onnx", "hello world, not a model".getBytes());
        e = assertThrows(ProfileException.class, () -> ProfileChecker.check(text, Profiles.load("cpu")));
        assertTrue(e.getMessage().contains("text.onnx"), e.getMessage());
        e = assertThrows(ProfileException.class, () -> OnnxSummary.read(dir.resolve("none.onnx")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }
}
