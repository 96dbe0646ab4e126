package org.diredi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.workflow.experiment.ExperimentData;
import org.diredi.workflow.experiment.ExperimentRunner;
import org.diredi.workflow.experiment.ExperimentSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs a whole DiReDi experiment from a spec file, stage by stage, cached and resumable. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "DiReDi experiments as data.",
        subcommands = {ExperimentCommand.Run.class})
final class ExperimentCommand {

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run every stage of an experiment spec (YAML/JSON): large teacher, Distill A (tutor),",
                "Distill B (edge), RD B (tutor 1), RD A (tutor 2), knowledge delta, weight substitution,",
                "verification gate, Distill C (updated edge) and the direct-training baseline. Each stage is",
                "cached in OUT/<stage>; rerun after a kill to resume. Writes report.md, report.json and",
                "per-class-ap.png (a Table III-style comparison)."})
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC", description = "experiment spec file")
        Path specFile;

        @Option(names = "--out", paramLabel = "DIR", description = "results folder (default: work/experiments/<name>)")
        Path out;

        @Option(names = "--config", paramLabel = "FILE", description = "training settings (YAML or JSON) over the defaults")
        Path configFile;

        @Mixin
        DeviceOption device;

        @Override
        public Integer call() throws Exception {
            TrainConfig train = device.over(TrainConfig.load(configFile), configFile);
            ExperimentSpec spec = ConfigFiles.load(specFile, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
            Path dir = out != null ? out : Path.of("work/experiments", spec.name());
            ExperimentData data = ExperimentData.load(spec);
            new ExperimentRunner(spec, data, dir, train).run(command());
            return 0;
        }

        /** This invocation as the report quotes it. */
        private String command() {
            return "./diredi experiment run " + specFile + (out != null ? " --out " + out : "")
                    + (configFile != null ? " --config " + configFile : "")
                    + (device.name != null ? " --device " + device.name : "");
        }
    }
}
