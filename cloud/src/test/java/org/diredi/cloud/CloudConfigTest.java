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
    void aMergeWindowIsRefusedWhenTheManufacturerHasNoLabelsOfTheAddedClasses() {
        assertEquals(60, CloudConfig.DEFAULTS.with(Map.of("merge", Map.of("windowSeconds", 60))).merge().windowSeconds());
        ConfigException e = assertThrows(ConfigException.class, () -> CloudConfig.DEFAULTS.with(Map.of(
                "merge", Map.of("windowSeconds", 60), "addedClassKnowledge", "unlabelled")));
        assertTrue(e.getMessage().contains("addedClassKnowledge: labels"), e.getMessage());
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

    @Test
    void theManufacturersDataLabelsAddedClassesUnlessTheFileSaysOtherwise(@TempDir Path dir) throws Exception {
        assertEquals(org.diredi.cloud.update.AddedClassKnowledge.LABELS, CloudConfig.DEFAULTS.addedClassKnowledge());
        assertEquals(org.diredi.cloud.update.PseudoLabels.Settings.DEFAULTS, CloudConfig.DEFAULTS.pseudoLabels(),
                "configs/cloud.yaml and the Java defaults agree");
        Path f = dir.resolve("cloud.yaml");
        Files.writeString(f, "addedClassKnowledge: unlabelled\npseudoLabels: {maxPerClass: 1}\n");
        CloudConfig c = CloudConfig.load(f);
        assertEquals(org.diredi.cloud.update.AddedClassKnowledge.UNLABELLED, c.addedClassKnowledge());
        assertEquals(new org.diredi.cloud.update.PseudoLabels.Settings(0.5, 1), c.pseudoLabels());
        Files.writeString(f, "addedClassKnowledge: sometimes\n");
        ConfigException e = assertThrows(ConfigException.class, () -> CloudConfig.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("addedClassKnowledge")
                && e.getMessage().contains("'sometimes'"), e.getMessage());
        Files.writeString(f, "pseudoLabels: {scoreThreshold: 1.5}\n");
        ConfigException t = assertThrows(ConfigException.class, () -> CloudConfig.load(f));
        assertTrue(t.getMessage().startsWith(f.toString()) && t.getMessage().contains("pseudoLabels.scoreThreshold"),
                t.getMessage());
    }

    @Test
    void theCloudsDataLoaderLeavesNoLabelOfAnAddedClassWhenTheManufacturerHasNone(@TempDir Path dir) {
        org.diredi.vision.scenes.FashionScenes.generate(org.diredi.vision.scenes.FashionScenesConfig.DEFAULT
                .withImageSize(64).withImages(12, 6, 2).withObjects(2, 3).withObjectSize(16, 30).withSeed(4),
                dir.resolve("data"));
        org.diredi.vision.data.ClassList classes = org.diredi.vision.data.ClassList.FASHION;
        List<String> update = classes.names();
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (String k : List.of("labels", "unlabelled", "absent")) {
            CloudConfig c = CloudConfig.DEFAULTS.with(Map.of("data", dir.resolve("data").toString(),
                    "addedClassKnowledge", k));
            var own = Decider.ownData(c, classes, update, List.of("boot", "bag"));
            for (var d : List.of(own.validation(), own.train(), own.updateTrain())) {
                counts.merge(k, d.countsPerClass().get("boot") + d.countsPerClass().get("bag"), Integer::sum);
                counts.merge(k + " images", d.size(), Integer::sum);
            }
        }
        assertTrue(counts.get("labels") > 0, "the fixture shows boot or bag: " + counts);
        assertEquals(0, counts.get("unlabelled"));
        assertEquals(0, counts.get("absent"));
        assertEquals(counts.get("labels images"), counts.get("unlabelled images"), "unlabelled keeps every image");
        assertTrue(counts.get("absent images") < counts.get("labels images"), "absent drops those showing them");
    }
}
