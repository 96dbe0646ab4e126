package org.diredi.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Device names as settings and --device spell them, and a missing GPU refused in one line. */
class DevicesTest {

    @Test
    void namesAreCpuGpuOrGpuN() {
        for (String ok : new String[] {"cpu", "gpu", "gpu:0", "gpu:12"}) {
            assertTrue(Devices.isName(ok), ok);
            assertEquals(ok, Devices.checkName(ok, "device"));
        }
        for (String bad : new String[] {null, "", "CPU", "cuda", "gpu0", "gpu:", "gpu:-1", "gpu:x", "tpu", "cpu:0"}) {
            assertFalse(Devices.isName(bad), String.valueOf(bad));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Devices.checkName(bad, "--device"));
            assertEquals("--device must be cpu, gpu or gpu:N, got '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void cpuIsAlwaysThere() {
        assertEquals(Device.cpu(), Devices.require("cpu", "--device"));
        assertTrue(Devices.available().startsWith("cpu"), Devices.available());
    }

    @Test
    void aGpuThatIsNotThereIsOneLineNamingTheSettingAndWhatIsAvailable() {
        assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a CUDA GPU");
        for (String gpu : new String[] {"gpu", "gpu:0", "gpu:3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Devices.require(gpu, "--device"));
            assertTrue(e.getMessage().startsWith("--device " + gpu + ": libtorch sees no CUDA GPU here"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("; available: cpu"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertEquals("cpu", Devices.available());
    }

    @Test
    void aGpuThatIsThereIsTheCudaDevice() {
        int gpus = Engine.getInstance().getGpuCount();
        assumeTrue(gpus > 0, "no CUDA GPU here");
        assertEquals(Device.gpu(0), Devices.require("gpu", "--device"));
        assertEquals(Device.gpu(gpus - 1), Devices.require("gpu:" + (gpus - 1), "--device"));
        assertThrows(IllegalArgumentException.class, () -> Devices.require("gpu:" + gpus, "--device"));
    }

    @Test
    void trainingSettingsRefuseAMisspeltDeviceAndTakeAnother(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("train.yaml");
        Files.writeString(f, "device: cuda\n");
        Exception e = assertThrows(RuntimeException.class, () -> TrainConfig.load(f));
        String msg = e.getMessage() + (e.getCause() == null ? "" : e.getCause().getMessage());
        assertTrue(msg.contains("train.yaml") && msg.contains("device must be cpu, gpu or gpu:N, got 'cuda'"), msg);
        Files.writeString(f, "device: gpu:1\n");
        assertEquals("gpu:1", ConfigFiles.load(f, TrainConfig.class, TrainConfig.DEFAULTS).device());
        assertEquals("gpu", TrainConfig.DEFAULTS.withDevice("gpu").device());
        assertEquals(TrainConfig.DEFAULTS, TrainConfig.DEFAULTS.withDevice("gpu").withDevice("cpu"));
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.DEFAULTS.withDevice("gpu0"));
    }
}
