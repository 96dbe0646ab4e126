package org.diredi.workflow.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.scenes.FashionScenes;
import org.diredi.vision.scenes.FashionScenesConfig;
import org.diredi.vision.scenes.SceneDomain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spec's {@code domain}: which scenes its data holds, so an experiment runs on ShapeScenes as on FashionScenes. */
class ExperimentDataTest {

    @TempDir
    Path tmp;

    @Test
    void aShapesSpecLoadsShapeScenesAndCutsThePresumedDataAsOnFashion() throws Exception {
        Path data = tmp.resolve("shapes");
        FashionScenes.generate(SceneDomain.SHAPES, FashionScenesConfig.DEFAULT.withImageSize(64)
                .withObjectSize(16, 32).withImages(40, 4, 4), data);
        Path f = tmp.resolve("spec.yaml");
        Files.writeString(f, String.join("\n", "name: s", "data: " + data, "domain: shapes",
                "presumed: [star, ring, triangle, cross, heart]", "added: [key]", "unseen: [key, bolt]", ""));
        ExperimentSpec spec = ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
        assertEquals("shapes", spec.domain());
        ExperimentData d = ExperimentData.load(spec);
        assertEquals(ClassList.SHAPES, d.classes());
        assertEquals(40, d.manufacturer().size() + d.customer().size());
        VocDataset presumed = d.presumed(spec);
        assertTrue(presumed.size() > 0 && presumed.size() < d.manufacturer().size(), "no image left out");
        List<Integer> kept = ClassList.SHAPES.ids(spec.presumed());
        presumed.images().forEach(i -> i.objects().forEach(o -> assertTrue(kept.contains(o.classId()), i.id())));
        for (VocDataset part : List.of(d.manufacturer(), d.customer())) {
            assertTrue(part.images().stream().allMatch(i -> i.id().startsWith("train_")));
        }
    }

    @Test
    void theDomainDefaultsToFashionAndAnUnknownOneIsRefusedNamingTheFile() throws Exception {
        Path f = tmp.resolve("spec.yaml");
        Files.writeString(f, "name: a\nadded: [boot]\n");
        assertEquals("fashion", ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS).domain());
        Files.writeString(f, "name: a\nadded: [boot]\ndomain: cubes\n");
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS));
        String msg = e.getMessage() + (e.getCause() == null ? "" : e.getCause().getMessage());
        assertTrue(msg.contains("spec.yaml") && msg.contains("'cubes'") && msg.contains("shapes"), msg);
    }

    /** Spec text for the fashion scenes in {@code data}, Experiment 1's classes, with {@code extra} lines. */
    private static String exp1(Path data, String... extra) {
        return String.join("\n", "name: e", "data: " + data, "presumed: [tshirt, trouser, dress, sandal, bag]",
                "added: [boot]", "unseen: [boot, sneaker]", String.join("\n", extra), "");
    }

    @Test
    void theManufacturersDataForTheUpdateAndTheBaselineHoldNoBootLabelUnlessItLabelsBoot() throws Exception {
        Path data = tmp.resolve("fashion");
        FashionScenes.generate(FashionScenesConfig.DEFAULT.withImageSize(64).withObjectSize(16, 32)
                .withObjects(2, 3).withImages(40, 8, 16).withSeed(2), data);
        Path f = tmp.resolve("spec.yaml");
        java.util.Map<String, ExperimentSpec> specs = new java.util.LinkedHashMap<>();
        for (String k : List.of("labels", "unlabelled", "absent")) {
            Files.writeString(f, exp1(data, "addedClassKnowledge: " + k));
            specs.put(k, ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS));
        }
        Files.writeString(f, exp1(data));
        assertEquals(specs.get("labels"), ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS),
                "labels is the default: today's specs run as before");
        ExperimentData d = ExperimentData.load(specs.get("labels"));
        int bootImages = (int) d.manufacturer().images().stream().filter(i -> i.objects().stream()
                .anyMatch(o -> o.classId() == ClassList.FASHION.indexOf("boot"))).count();
        assertTrue(bootImages > 0 && d.validation().countsPerClass().get("boot") > 0, "the fixture shows boots");
        int testBoots = d.test().countsPerClass().get("boot");
        assertTrue(testBoots > 0, "the fixture's test split shows boots");
        for (var e : specs.entrySet()) {
            ExperimentData runs = ExperimentData.load(e.getValue());
            assertEquals(testBoots, runs.test().countsPerClass().get("boot"), "the test split keeps its labels");
            var own = runs.ownData(e.getValue());
            // what the runner gives the update (gate, calibration, Distill C) and the direct-training baseline
            List<VocDataset> given = List.of(own.validation(), own.train(), own.updateTrain(),
                    runs.ownUpdate(e.getValue()));
            int boots = given.stream().mapToInt(g -> g.countsPerClass().get("boot")).sum();
            assertEquals(e.getKey().equals("labels"), boots > 0, e.getKey() + ": " + boots + " boot labels");
            int expected = d.manufacturer().size() - (e.getKey().equals("absent") ? bootImages : 0);
            assertEquals(expected, runs.ownUpdate(e.getValue()).size(), e.getKey() + ": the baseline's images");
        }
    }

    @Test
    void anUnknownAddedClassKnowledgeIsRefusedNamingTheFileAndTheKey() throws Exception {
        Path f = tmp.resolve("spec.yaml");
        Files.writeString(f, exp1(tmp, "addedClassKnowledge: guessed"));
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("addedClassKnowledge")
                && e.getMessage().contains("'guessed'") && e.getMessage().contains("unlabelled"), e.getMessage());
        Files.writeString(f, exp1(tmp, "addedClassKnowledge: unlabelled", "pseudoLabels: {scoreThreshold: 0.7}"));
        ExperimentSpec s = ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
        assertEquals(org.diredi.cloud.update.AddedClassKnowledge.UNLABELLED, s.addedClassKnowledge());
        assertEquals(new org.diredi.cloud.update.PseudoLabels.Settings(0.7, 2), s.pseudoLabels());
    }

    @Test
    void theSettingLeavesTheManufacturersSharedStagesWhereTheyWere() throws Exception {
        Path f = tmp.resolve("spec.yaml");
        List<Path> dirs = new java.util.ArrayList<>();
        for (String k : List.of("labels", "unlabelled", "absent")) {
            Files.writeString(f, exp1(tmp, "addedClassKnowledge: " + k, "pseudoLabels: {maxPerClass: 5}"));
            ExperimentSpec s = ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
            dirs.add(sharedDir(s));
        }
        assertEquals(1, new java.util.HashSet<>(dirs).size(), dirs.toString());
        // while a setting the stages do depend on moves them
        Files.writeString(f, exp1(tmp, "customerShare: 0.4"));
        ExperimentSpec s = ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
        assertNotEquals(dirs.get(0), sharedDir(s));
    }

    @Test
    void distillCsSettingsLeaveTheSharedStagesWhereTheyWereAndDistillBsMoveThem() throws Exception {
        Path f = tmp.resolve("spec.yaml");
        Files.writeString(f, exp1(tmp, "featureWeights: {tutor: 1.0, edge: 1.0, distillC: 1.0}"));
        Path base = sharedDir(ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS));
        Files.writeString(f, exp1(tmp, "featureWeights: {tutor: 1.0, edge: 1.0, distillC: 3.0}",
                "distillation: {distillC: {distillation: logits}}"));
        assertEquals(base, sharedDir(ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS)));
        Files.writeString(f, exp1(tmp, "featureWeights: {tutor: 1.0, edge: 3.0, distillC: 1.0}"));
        assertNotEquals(base, sharedDir(ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS)));
    }

    /** Where the manufacturer's stages of this spec are kept, under tmp. */
    private Path sharedDir(ExperimentSpec s) throws java.io.IOException {
        return new ManufacturerStages(s, org.diredi.core.train.TrainConfig.DEFAULTS, new Backbones(s),
                ClassList.FASHION).sharedDir(tmp, ExperimentRunner.preset(s, "large"),
                ExperimentRunner.preset(s, "tutor"), ExperimentRunner.preset(s, "edge"));
    }
}
