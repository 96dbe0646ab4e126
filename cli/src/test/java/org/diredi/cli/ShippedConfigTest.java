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
    void experimentSpecsLoad() throws Exception {
        try (var files = Files.list(ROOT.resolve("experiments"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                ExperimentSpec s = ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
                assertEquals(1, s.added().size(), f + ": one added class, as in the paper's experiments");
            }
        }
    }
}
