package org.diredi.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.config.ConfigFiles.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named settings over the defaults, validated like a file, and a written config reads back the same. */
class CloudConfigTest {

    @Test
    void namedSettingsReplaceDefaultsAndSectionsMerge() {
        CloudConfig c = CloudConfig.DEFAULTS.with(Map.of("distillCEpochs", 3, "gate", Map.of("minGainAdded", 2.0),
                "customers", Map.of("acme", Map.of("tutor", "t.ckpt", "edge", "e.ckpt", "edgePreset", "cpu/edge",
                        "devices", List.of(Map.of("id", "cam1", "profile", "cpu"))))));
        assertEquals(3, c.distillCEpochs());
        assertEquals(2.0, c.gate().minGainAdded());
        assertEquals(CloudConfig.DEFAULTS.gate().maxDropOther(), c.gate().maxDropOther(), "the rest of gate kept");
        assertEquals(CloudConfig.DEFAULTS.lambda(), c.lambda());
        assertEquals(List.of(new CloudConfig.Device("cam1", "cpu")), c.customers().get("acme").devices());
        assertEquals(CloudConfig.DEFAULTS, CloudConfig.DEFAULTS.with(Map.of()));
    }

    @Test
    void unknownNamesAndBadValuesAreErrorsNamingThem() {
        ConfigException typo = assertThrows(ConfigException.class, () -> CloudConfig.DEFAULTS.with(Map.of("lamda", 2)));
        assertTrue(typo.getMessage().contains("lamda"), typo.getMessage());
        ConfigException bad = assertThrows(ConfigException.class, () -> CloudConfig.DEFAULTS.with(Map.of("lambda", 0)));
        assertTrue(bad.getMessage().contains("lambda (Eq. 10) must be > 0"), bad.getMessage());
    }

    @Test
    void theDeviceIsCpuUnlessSetAndItsSpellingIsChecked() {
        assertEquals("cpu", CloudConfig.DEFAULTS.device());
        assertEquals("gpu:1", CloudConfig.DEFAULTS.with(Map.of("device", "gpu:1")).device());
        for (String bad : new String[] {"cuda", "GPU", "gpu1"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> CloudConfig.DEFAULTS.with(Map.of("device", bad)));
            assertTrue(e.getMessage().contains("device must be cpu, gpu or gpu:N, got '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void aWrittenConfigLoadsBackTheSame(@TempDir Path dir) throws Exception {
        CloudConfig c = CloudConfig.DEFAULTS.with(Map.of("broker", "tcp://127.0.0.1:1999", "passwordFile", "cloud.pw",
                "distillCFeatureWeight", 0.05f, "device", "gpu", "customers", Map.of("acme", new CloudConfig.Customer("t.ckpt", "e.ckpt",
                        "cpu/edge", 2, List.of(new CloudConfig.Device("cam1", "jetson-nano"))))));
        Path f = dir.resolve("cloud.yaml");
        Files.writeString(f, ConfigFiles.YAML.writeValueAsString(c));
        assertEquals(c, CloudConfig.load(f));
    }

    @Test
    void canariesAreACountOrAFractionPerCustomer() {
        CloudConfig c = CloudConfig.DEFAULTS.with(Map.of("rollout", Map.of("canaryFraction", 0.25, "customers",
                Map.of("acme", Map.of("canaries", 2)))));
        assertEquals(30, c.rollout().healthySeconds(), "the rest of rollout kept");
        assertEquals(3, c.rollout().canaryCount("globex", 10), "a quarter of 10, rounded up");
        assertEquals(2, c.rollout().canaryCount("acme", 10));
        assertEquals(1, c.rollout().canaryCount("acme", 1), "never more than there are cameras");
        assertEquals(1, CloudConfig.DEFAULTS.rollout().canaryCount("any", 5));
        ConfigException bad = assertThrows(ConfigException.class, () -> CloudConfig.DEFAULTS.with(Map.of("rollout",
                Map.of("canaryFraction", 1.5))));
        assertTrue(bad.getMessage().contains("canaryFraction must be in [0, 1]"), bad.getMessage());
    }
}
