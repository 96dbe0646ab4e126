package org.diredi.onprem;

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
class OnPremConfigTest {

    @Test
    void namedSettingsReplaceDefaults() {
        OnPremConfig c = OnPremConfig.DEFAULTS.with(Map.of("customer", "acme", "added", List.of("coat"),
                "learningRate", 0.002f, "epochs", 2));
        assertEquals("acme", c.customer());
        assertEquals(List.of("coat"), c.added());
        assertEquals(0.002f, c.learningRate());
        assertEquals(2, c.epochs());
        assertEquals(OnPremConfig.DEFAULTS.presumed(), c.presumed());
        assertEquals(OnPremConfig.DEFAULTS.chunkBytes(), c.chunkBytes());
    }

    @Test
    void unknownNamesAndBadValuesAreErrorsNamingThem() {
        ConfigException typo = assertThrows(ConfigException.class, () -> OnPremConfig.DEFAULTS.with(Map.of("epoch", 2)));
        assertTrue(typo.getMessage().contains("epoch"), typo.getMessage());
        ConfigException none = assertThrows(ConfigException.class,
                () -> OnPremConfig.DEFAULTS.with(Map.of("added", List.of(), "removed", List.of())));
        assertTrue(none.getMessage().contains("must add or remove a class"), none.getMessage());
        ConfigException id = assertThrows(ConfigException.class, () -> OnPremConfig.DEFAULTS.with(Map.of("customer", "a/b")));
        assertTrue(id.getMessage().contains("invalid customer id 'a/b'"), id.getMessage());
    }

    @Test
    void theDeltaIsFloat16WithoutPrivacyUnlessSetAndBadFormsOrPrivacySettingsNameTheKey() {
        assertEquals("float16", OnPremConfig.DEFAULTS.deltaEncoding().form().id());
        assertEquals(null, OnPremConfig.DEFAULTS.privacyIfEnabled());
        OnPremConfig dp = OnPremConfig.DEFAULTS.with(Map.of("deltaForm", "sparse", "sparseDensity", 0.01,
                "privacy", Map.of("enabled", true, "noiseMultiplier", 2.0)));
        assertEquals(0.01, dp.deltaEncoding().sparseDensity());
        assertEquals(2.0, dp.privacyIfEnabled().noiseMultiplier());
        assertEquals(1e-5, dp.privacyIfEnabled().delta(), "the other privacy settings keep their defaults");
        Map<String, Object> bad = Map.of("deltaForm", "zip", "sparseDensity", 0.0,
                "privacy", Map.of("clipNorm", -1.0), "privacy ", Map.of("noiseMultiplier", -0.5),
                "privacy  ", Map.of("delta", 1.0));
        Map<String, String> expected = Map.of("deltaForm", "deltaForm: unknown delta form 'zip'", "sparseDensity",
                "sparseDensity must be in (0, 1]", "privacy", "privacy.clipNorm must be > 0", "privacy ",
                "privacy.noiseMultiplier must be >= 0", "privacy  ", "privacy.delta must be in (0, 1)");
        bad.forEach((key, value) -> {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> OnPremConfig.DEFAULTS.with(Map.of(key.strip(), value)));
            assertTrue(e.getMessage().contains(expected.get(key)), e.getMessage());
        });
    }

    @Test
    void theDeviceIsCpuUnlessSetAndItsSpellingIsChecked() {
        assertEquals("cpu", OnPremConfig.DEFAULTS.device());
        assertEquals("gpu", OnPremConfig.DEFAULTS.with(Map.of("device", "gpu")).device());
        for (String bad : new String[] {"cuda", "gpu:", "cpu0"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> OnPremConfig.DEFAULTS.with(Map.of("device", bad)));
            assertTrue(e.getMessage().contains("device must be cpu, gpu or gpu:N, got '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void inAFolderItsRelativeFilesAreThatFoldersAndOthersStayAsTheyAre(@TempDir Path dir) {
        Path elsewhere = dir.resolve("customer-data").toAbsolutePath();
        OnPremConfig c = OnPremConfig.DEFAULTS.with(Map.of("passwordFile", "broker.password",
                "tutor", "manufacturer/tutor.ckpt", "edgeModel", "manufacturer/edge.ckpt", "classes",
                "manufacturer/classes.txt", "presumedData", "manufacturer/presumed", "privateData", elsewhere.toString(),
                "workDir", "work")).in(dir.resolve("pc"));
        assertEquals(dir.resolve("pc/broker.password").toString(), c.passwordFile());
        assertEquals(dir.resolve("pc/manufacturer/tutor.ckpt").toString(), c.tutor());
        assertEquals(dir.resolve("pc/manufacturer/edge.ckpt").toString(), c.edgeModel());
        assertEquals(dir.resolve("pc/manufacturer/classes.txt").toString(), c.classes());
        assertEquals(dir.resolve("pc/manufacturer/presumed").toString(), c.presumedData());
        assertEquals(dir.resolve("pc/work").toString(), c.workDir());
        assertEquals(elsewhere.toString(), c.privateData(), "an absolute path stays");
        assertEquals(null, c.brokerCaCertificate(), "no CA stays none");
        assertEquals(OnPremConfig.DEFAULTS.epochs(), c.epochs());
    }

    @Test
    void aWrittenConfigLoadsBackTheSame(@TempDir Path dir) throws Exception {
        OnPremConfig c = OnPremConfig.DEFAULTS.with(Map.of("broker", "tcp://127.0.0.1:1999", "passwordFile", "op.pw",
                "beta", 0.5f, "removed", List.of("bag"), "device", "gpu:2"));
        Path f = dir.resolve("onprem.yaml");
        Files.writeString(f, ConfigFiles.YAML.writeValueAsString(c));
        assertEquals(c, OnPremConfig.load(f));
    }
}
