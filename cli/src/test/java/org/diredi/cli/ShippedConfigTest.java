package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.workflow.experiment.ExperimentSpec;
import org.junit.jupiter.api.Test;

/** The configuration files and experiment specs shipped in the repository load, and say what the code does. */
class ShippedConfigTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void documentedDefaultsAreTheCodesDefaults() {
        assertEquals(TrainConfig.DEFAULTS, ConfigFiles.load(ROOT.resolve("configs/train.yaml"), TrainConfig.class,
                TrainConfig.DEFAULTS));
        assertEquals(FgdConfig.DEFAULTS, ConfigFiles.load(ROOT.resolve("configs/fgd.yaml"), FgdConfig.class,
                FgdConfig.DEFAULTS));
        assertEquals(GatePolicy.DEFAULTS, ConfigFiles.load(ROOT.resolve("configs/gate-policy.yaml"), GatePolicy.class,
                GatePolicy.DEFAULTS));
        assertEquals(org.diredi.edge.config.EdgeConfig.DEFAULTS,
                org.diredi.edge.config.EdgeConfig.load(ROOT.resolve("configs/edge.yaml")));
        assertEquals(org.diredi.cloud.CloudConfig.DEFAULTS,
                org.diredi.cloud.CloudConfig.load(ROOT.resolve("configs/cloud.yaml")));
        assertEquals(org.diredi.onprem.OnPremConfig.DEFAULTS,
                org.diredi.onprem.OnPremConfig.load(ROOT.resolve("configs/onprem.yaml")));
        assertEquals(org.diredi.broker.BrokerConfig.defaults(),
                org.diredi.broker.BrokerConfig.load(ROOT.resolve("configs/broker.yaml")));
        assertEquals(org.diredi.fleet.FleetConfig.DEFAULTS,
                org.diredi.fleet.FleetConfig.load(ROOT.resolve("configs/fleet.yaml")));
    }

    @Test
    void enrolmentWritesWhereTheBrokerAndTheCloudRead() {
        // fleet add-* writes the account store broker serve reads and the registry cloud serve reads
        assertEquals(org.diredi.broker.BrokerConfig.defaults().accountStore(),
                org.diredi.fleet.FleetConfig.DEFAULTS.accountStore());
        assertEquals(org.diredi.cloud.CloudConfig.DEFAULTS.registry(), org.diredi.fleet.FleetConfig.DEFAULTS.registry());
        assertEquals(org.diredi.cloud.CloudConfig.DEFAULTS.signingKey(), org.diredi.fleet.ManufacturerKeys.in(
                Path.of(org.diredi.fleet.FleetConfig.DEFAULTS.keys())).privateKey().toString());
        assertEquals(org.diredi.edge.config.EdgeConfig.DEFAULTS.trustedKey(), org.diredi.fleet.ManufacturerKeys.in(
                Path.of(org.diredi.fleet.FleetConfig.DEFAULTS.keys())).publicKey().toString());
    }

    @Test
    void experimentSpecsLoadAndShareTheManufacturersData() throws Exception {
        java.util.Map<String, java.util.Set<java.util.List<String>>> unseen = new java.util.TreeMap<>();
        try (var files = Files.list(ROOT.resolve("experiments"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                ExperimentSpec s = ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
                assertEquals(1, s.added().size(), f + ": one added class, as in the paper's experiments");
                unseen.computeIfAbsent(s.data(), k -> new java.util.HashSet<>()).add(s.unseen());
                // every class it names is one of its domain's (the data generated when the folder is empty)
                org.diredi.vision.data.ClassList classes = org.diredi.vision.scenes.SceneDomain.parse(s.domain()).classes();
                for (java.util.List<String> names : java.util.List.of(s.presumed(), s.added(), s.removed(), s.unseen())) {
                    classes.ids(names);
                }
                // the large model, the tutor and the edge model start from the bundled pretrained backbones
                for (String role : org.diredi.core.model.Presets.ROLES) {
                    org.junit.jupiter.api.Assertions.assertTrue(org.diredi.core.pretrain.BackboneFile.pretrainedFor(ROOT.resolve(s.backbonesDir()),
                            org.diredi.core.model.Presets.get(s.family() + "/" + role)) != null,
                            f + ": no pretrained " + role + " backbone in " + s.backbones());
                }
            }
        }
        // Experiment 2 reuses Experiment 1's manufacturer stages only if their presumed data is the same,
        // on each domain's dataset
        assertEquals(java.util.Set.of("work/fashion-scenes", "work/shape-scenes"), unseen.keySet());
        unseen.forEach((data, lists) -> assertEquals(1, lists.size(),
                "experiments on " + data + " list different unseen classes: " + lists));
    }

    @Test
    void everyBundledBackboneIsItsPresetsAndLoadsIntoItBitExactly() throws Exception {
        for (String role : org.diredi.core.model.Presets.ROLES) {
            org.diredi.core.model.ModelConfig preset = org.diredi.core.model.Presets.get("cpu/" + role);
            Path f = org.diredi.core.pretrain.BackboneFile.pretrainedFor(ROOT.resolve("models/pretrained"), preset);
            org.junit.jupiter.api.Assertions.assertNotNull(f, "no bundled backbone for " + preset.name());
            org.diredi.core.pretrain.BackboneFile.Loaded b = org.diredi.core.pretrain.BackboneFile.read(f);
            assertEquals(preset, b.manifest().model(), f + ": pretrained for another model");
            org.junit.jupiter.api.Assertions.assertTrue(b.manifest().valAccuracy() > 0.5, f + ": held-out top-1 "
                    + b.manifest().valAccuracy() + " is no better than an untrained classifier's");
            try (ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
                var d = new org.diredi.core.model.FcosDetector(preset, org.diredi.vision.data.ClassList.FASHION)
                        .init(nd);
                org.diredi.core.pretrain.BackboneFile.restore(d, f);
                var loaded = org.diredi.core.checkpoint.TensorFile.byName(
                        org.diredi.core.checkpoint.ModelWeights.snapshot(d));
                for (org.diredi.core.checkpoint.TensorFile.Tensor t : b.tensors()) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(t.data(), loaded.get(t.name()).data(),
                            f + ": " + t.name());
                }
            }
        }
    }

    @Test
    void unseenClassesMustCoverTheAddedOnesAndNoPresumedOne(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("spec.yaml");
        Files.writeString(f, "name: a\nadded: [boot]\n");
        assertEquals(java.util.List.of("boot"), ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS).unseen());
        for (String[] bad : new String[][] {{"unseen: [sneaker]", "'boot' is missing"},
                {"unseen: [boot, bag]", "'bag' is a presumed class"}}) {
            Files.writeString(f, "name: a\nadded: [boot]\n" + bad[0] + "\n");
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS));
            String msg = e.getMessage() + (e.getCause() == null ? "" : e.getCause().getMessage());
            org.junit.jupiter.api.Assertions.assertTrue(msg.contains(bad[1]), msg);
        }
    }

    @Test
    void aFeatureWeightForAStageThatDoesNotDistilIsRefused(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("bad.yaml");
        Files.writeString(f, "name: bad\nfeatureWeights: {large: 0.5}\n");
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS));
        String msg = e.getMessage() + (e.getCause() == null ? "" : e.getCause().getMessage());
        org.junit.jupiter.api.Assertions.assertTrue(msg.contains("featureWeights: unknown stage 'large'"), msg);
        // a partial map keeps the other stages' defaults
        Files.writeString(f, "name: ok\nfeatureWeights: {edge: 0.5}\n");
        ExperimentSpec ok = ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
        assertEquals(0.5f, ok.featureWeight("edge"));
        assertEquals(0.01f, ok.featureWeight("distillC"));
    }
}
