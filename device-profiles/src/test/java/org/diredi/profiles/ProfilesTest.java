package org.diredi.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilesTest {

    @TempDir
    Path dir;

    @Test
    void theFourBundledProfilesLoadWithTheTargetsFigures() {
        assertEquals(List.of("jetson-nano", "imx500", "local-pc", "cpu"), Profiles.list());
        assertEquals(4, Profiles.all().size());

        DeviceProfile nano = Profiles.load("jetson-nano");
        assertEquals(Precision.FP16, nano.precision());
        assertEquals(13, nano.opsetMax());
        assertTrue(nano.staticInput() && nano.nmsOnHost());
        for (String op : List.of("Conv", "Relu", "Clip", "Add", "Sub", "Mul", "Div", "Sqrt", "ReduceMean", "MaxPool",
                "Resize", "Transpose", "Reshape", "Concat")) {
            assertTrue(nano.allows("", op), op + " is what the exporter emits");
        }
        assertFalse(nano.allows("", "QuantizeLinear"), "no INT8 on the Nano");
        assertFalse(nano.allows("", "NonMaxSuppression"), "NMS runs on the host");

        DeviceProfile imx = Profiles.load("imx500");
        assertEquals(Precision.INT8, imx.precision());
        assertEquals(8L << 20, imx.maxModelBytes());
        assertTrue(imx.allowsOpset(11) && imx.allowsOpset(15) && !imx.allowsOpset(16));

        DeviceProfile pc = Profiles.load("local-pc");
        assertEquals(Precision.FP32, pc.precision());
        assertTrue(pc.allows("", "Einsum") && pc.allows("ai.onnx", "Conv"));
        assertFalse(pc.allows("com.microsoft", "FusedConv"), "the wildcard covers the standard domain only");
        DeviceProfile cpu = Profiles.load("cpu");
        assertEquals(160, cpu.inputSize());
        // a model keeps its checkpoint's input size: the tiny (96) and cpu (160) presets both fit a cpu box
        assertTrue(cpu.acceptsInputSize(96) && cpu.acceptsInputSize(160), cpu.inputSizes().toString());
        assertFalse(cpu.acceptsInputSize(512) || nano.acceptsInputSize(96), cpu.inputSizes() + " " + nano.inputSizes());
        assertEquals(java.util.List.of(96), cpu.withInputSize(96).inputSizes());
        var bad = assertThrows(IllegalArgumentException.class, () -> new DeviceProfile("x", "", 160,
                java.util.List.of(96), Precision.FP32, 7, 13, java.util.List.of("*"), 1, 1, 1, true, true, null));
        assertTrue(bad.getMessage().contains("must include inputSize 160"), bad.getMessage());
        assertTrue(nano.summary().contains("FP16") && nano.summary().contains("opset 7-13"), nano.summary());
    }

    @Test
    void anUnknownNameListsTheKnownProfiles() {
        ProfileException e = assertThrows(ProfileException.class, () -> Profiles.load("jetson-orin"));
        assertTrue(e.getMessage().contains("unknown device profile 'jetson-orin'"), e.getMessage());
        for (String n : Profiles.list()) {
            assertTrue(e.getMessage().contains(n), e.getMessage());
        }
        assertThrows(ProfileException.class, () -> Profiles.resolve("jetson-orin"));
    }

    @Test
    void profileFilesAreValidatedWithTheFileNamed() throws IOException {
        Path good = dir.resolve("pi5.yaml");
        Files.writeString(good, """
                name: pi5
                inputSize: 256
                precision: fp32
                opsetMin: 11
                opsetMax: 17
                allowedOperators: [Conv, Relu, "com.microsoft:*"]
                maxModelBytes: 1000000
                memoryBudgetBytes: 2000000
                latencyBudgetMs: 80
                staticInput: true
                nmsOnHost: true
                """);
        DeviceProfile p = Profiles.resolve(good.toString());
        assertEquals("pi5", p.name());
        assertEquals(Precision.FP32, p.precision());
        assertTrue(p.allows("com.microsoft", "FusedConv") && !p.allows("", "Einsum"));
        assertEquals(List.of(), p.notes());

        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, Files.readString(good).replace("maxModelBytes", "maxModelByte"));
        ProfileException e = assertThrows(ProfileException.class, () -> Profiles.load(typo));
        assertTrue(e.getMessage().contains("typo.yaml") && e.getMessage().contains("maxModelByte"), e.getMessage());

        Path range = dir.resolve("range.yaml");
        Files.writeString(range, Files.readString(good).replace("opsetMax: 17", "opsetMax: 9"));
        e = assertThrows(ProfileException.class, () -> Profiles.load(range));
        assertTrue(e.getMessage().contains("range.yaml") && e.getMessage().contains("opset range 11..9"), e.getMessage());

        Path badOp = dir.resolve("op.yaml");
        Files.writeString(badOp, Files.readString(good).replace("Relu,", "\"Re lu\","));
        e = assertThrows(ProfileException.class, () -> Profiles.load(badOp));
        assertTrue(e.getMessage().contains("'Re lu' is not an operator name"), e.getMessage());

        Path noLatency = dir.resolve("short.yaml");
        Files.writeString(noLatency, Files.readString(good).replace("latencyBudgetMs: 80\n", ""));
        e = assertThrows(ProfileException.class, () -> Profiles.load(noLatency));
        assertTrue(e.getMessage().contains("short.yaml: missing latencyBudgetMs"), e.getMessage());

        e = assertThrows(ProfileException.class, () -> Profiles.load(dir.resolve("missing.yaml")));
        assertTrue(e.getMessage().contains("missing.yaml") && e.getMessage().contains("not found"), e.getMessage());
    }
}
