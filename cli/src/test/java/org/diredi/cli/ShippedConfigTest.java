package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
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
    }

    @Test
    void experimentSpecsLoadAndShareTheManufacturersData() throws Exception {
        java.util.Set<java.util.List<String>> unseen = new java.util.HashSet<>();
        try (var files = Files.list(ROOT.resolve("experiments"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                ExperimentSpec s = ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
                assertEquals(1, s.added().size(), f + ": one added class, as in the paper's experiments");
                unseen.add(s.unseen());
                // the large model, the tutor and the edge model start from the bundled pretrained backbones
                for (String role : org.diredi.core.model.Presets.ROLES) {
                    org.junit.jupiter.api.Assertions.assertTrue(Runs.pretrainedBackbone(ROOT.resolve(s.backbonesDir()),
                            org.diredi.core.model.Presets.get(s.family() + "/" + role)) != null,
                            f + ": no pretrained " + role + " backbone in " + s.backbones());
                }
            }
        }
        // Experiment 2 reuses Experiment 1's manufacturer stages only if their presumed data is the same
        assertEquals(1, unseen.size(), "experiments list different unseen classes: " + unseen);
    }

    @Test
    void everyBundledBackboneRestoresIntoThePresetItsNameSays() throws Exception {
        java.util.List<Path> files;
        try (var list = Files.list(ROOT.resolve("models/pretrained"))) {
            files = list.filter(p -> p.toString().endsWith(".backbone")).sorted().toList();
        }
        assertEquals(3, files.size(), "one bundled backbone per cpu role: " + files);
        for (Path f : files) {
            org.diredi.core.pretrain.BackboneManifest m = org.diredi.core.pretrain.BackboneFile.read(f).manifest();
            String preset = f.getFileName().toString().replace(".backbone", "").replaceFirst("-", "/");
            assertEquals(org.diredi.core.model.Presets.get(preset), m.model(), f + ": manifest model");
            org.junit.jupiter.api.Assertions.assertTrue(m.valAccuracy() > 0.5,
                    f + ": held-out top-1 " + m.valAccuracy() + " is no better than an untrained classifier's");
            try (ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
                org.diredi.core.model.FcosDetector d = new org.diredi.core.model.FcosDetector(m.model(),
                        org.diredi.vision.data.ClassList.FASHION).init(nd);
                assertEquals(m.id(), org.diredi.core.pretrain.BackboneFile.restore(d, f).id(), f + ": restored id");
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
