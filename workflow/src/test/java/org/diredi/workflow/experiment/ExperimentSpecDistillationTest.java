package org.diredi.workflow.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.cloud.update.ManufacturerUpdate;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A spec chooses each distillation stage's method and settings by name, over configs/fgd.yaml's defaults. */
class ExperimentSpecDistillationTest {

    @TempDir
    Path tmp;

    @Test
    void eachDistillationStageTakesFgdYamlKeysOverTheDefaults() throws Exception {
        Path f = tmp.resolve("spec.yaml");
        Files.writeString(f, "distillation:\n  edge: {distillation: pkd+logits, inherit: true}\n"
                + "  distillC: {distillation: logits, logitsTemperature: 2}\n");
        ExperimentSpec s = ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
        assertEquals(FgdConfig.DEFAULTS, s.distillation("tutor"));
        assertEquals(FgdConfig.DEFAULTS.withDistillation("pkd+logits").withInherit(true), s.distillation("edge"));
        assertEquals("logits", s.distillation("distillC").distillation());
        assertEquals(2f, s.distillation("distillC").logitsTemperature());
        assertEquals(FgdConfig.DEFAULTS.temperature(), s.distillation("distillC").temperature(), "the rest: defaults");
        // Distill C: the spec's method, at the spec's FGD temperature
        ManufacturerUpdate.DistillC c = new ManufacturerUpdate.DistillC(TrainConfig.DEFAULTS, s.distillCTemperature(),
                0.01f, s.distillation("distillC"));
        assertEquals("logits", c.fgd().distillation());
        assertEquals(s.distillCTemperature(), c.fgd().temperature());
        assertEquals(FgdConfig.DEFAULTS.withTemperature(1.5f),
                new ManufacturerUpdate.DistillC(TrainConfig.DEFAULTS, 1.5f, 0.01f).fgd(), "FGD as before");

        Files.writeString(f, "distillation:\n  large: {distillation: pkd}\n");
        var e = assertThrows(ConfigFiles.ConfigException.class,
                () -> ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS));
        assertTrue(e.getMessage().contains("unknown key 'distillation.large'"), e.getMessage());
        Files.writeString(f, "distillation:\n  edge: {distillation: kd}\n");
        var m = assertThrows(ConfigFiles.ConfigException.class,
                () -> ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS));
        assertTrue(m.getMessage().contains("unknown distillation method 'kd'"), m.getMessage());
    }

    @Test
    void equalRdStepsIsReadAndTrainsItsOwnRdB() throws Exception {
        Path f = tmp.resolve("equal.yaml");
        Files.writeString(f, "rdEqualSteps: true\n");
        ExperimentSpec equal = ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
        assertTrue(equal.rdEqualSteps());
        assertFalse(ExperimentSpec.DEFAULTS.rdEqualSteps(), "RD B at RD A's epochs unless asked");
        ManufacturerStages.Models m = new ManufacturerStages.Models(null, null, null, null, null, tmp);
        // RD B's folder is shared by specs whose RD B is the same: never by one that takes other steps
        assertNotEquals(ManufacturerStages.rdBDir(m, ExperimentSpec.DEFAULTS, FgdConfig.DEFAULTS),
                ManufacturerStages.rdBDir(m, equal, FgdConfig.DEFAULTS));
        Path off = tmp.resolve("off.yaml");
        Files.writeString(off, "rdEqualSteps: false\n");
        assertEquals(ManufacturerStages.rdBDir(m, ExperimentSpec.DEFAULTS, FgdConfig.DEFAULTS), ManufacturerStages
                .rdBDir(m, ConfigFiles.load(off, ExperimentSpec.class, ExperimentSpec.DEFAULTS), FgdConfig.DEFAULTS));
    }
}
