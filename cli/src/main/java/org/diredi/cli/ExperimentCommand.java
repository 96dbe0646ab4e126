package org.diredi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.workflow.experiment.ExperimentData;
import org.diredi.workflow.experiment.ExperimentRunner;
import org.diredi.workflow.experiment.ExperimentSpec;
import org.diredi.workflow.experiment.FidelitySummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs a whole DiReDi experiment from a spec file, stage by stage, cached and resumable. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "DiReDi experiments as data.",
        subcommands = {ExperimentCommand.Run.class, ExperimentCommand.Summary.class})
final class ExperimentCommand {

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run every stage of an experiment spec (YAML/JSON): large teacher, Distill A (tutor),",
                "Distill B (edge), RD B (tutor 1), RD A (tutor 2), knowledge delta, weight substitution,",
                "verification gate, Distill C (updated edge) and the direct-training baseline. Each stage is",
                "cached in OUT/<stage>; rerun after a kill to resume. Writes report.md, report.json and",
                "per-class-ap.png (a Table III-style comparison). With --seeds N: one such run per seed in",
                "OUT/seed-<seed> (seeds from the training config's, each cached on its own) and OUT/summary.md,",
                "summary.json over them (every seed, mean +- sd)."})
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC", description = "experiment spec file")
        Path specFile;

        @Option(names = "--out", paramLabel = "DIR", description = "results folder (default: work/experiments/<name>)")
        Path out;

        @Option(names = "--config", paramLabel = "FILE", description = "training settings (YAML or JSON) over the defaults")
        Path configFile;

        @Option(names = "--seeds", paramLabel = "N", description = "run the experiment with N seeds, each in "
                + "OUT/seed-<seed>, and summarise them (default: one run in OUT)")
        Integer seeds;

        @Mixin
        DeviceOption device;

        @Override
        public Integer call() throws Exception {
            if (seeds != null && seeds < 1) {
                throw new IllegalArgumentException("--seeds: must be >= 1, got " + seeds);
            }
            TrainConfig train = device.over(TrainConfig.load(configFile), configFile);
            ExperimentSpec spec = ConfigFiles.load(specFile, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
            Path dir = out != null ? out : Path.of("work/experiments", spec.name());
            ExperimentData data = ExperimentData.load(spec);
            if (seeds == null) {
                new ExperimentRunner(spec, data, dir, train).run(command());
            } else {
                System.out.println(ExperimentRunner.runSeeds(spec, data, dir, train, seeds, command()));
            }
            return 0;
        }

        /** This invocation as the report quotes it. */
        private String command() {
            return "./diredi experiment run " + specFile + (out != null ? " --out " + out : "")
                    + (configFile != null ? " --config " + configFile : "")
                    + (device.name != null ? " --device " + device.name : "")
                    + (seeds != null ? " --seeds " + seeds : "");
        }
    }

    @Command(name = "summary", mixinStandardHelpOptions = true,
            description = {"Summarise experiment runs: per experiment, domain and seed, mAP, precision, recall and",
                "F1 of every Table III row, and the paper's claims over seeds (mean +- sd, points), into",
                "OUT/summary.md and OUT/summary.json. RUN_DIR: a run's folder (report.json) or a --seeds",
                "folder (its seed-* runs)."})
    static final class Summary implements Callable<Integer> {
        @Parameters(paramLabel = "RUN_DIR", arity = "1..*", description = "experiment run folders")
        java.util.List<Path> runs;

        @Option(names = "--out", paramLabel = "DIR", description = "where summary.md / summary.json go "
                + "(default: ${DEFAULT-VALUE})")
        Path out = Path.of("results/fidelity");

        @Override
        public Integer call() throws Exception {
            System.out.println(FidelitySummary.write(out, FidelitySummary.reports(runs)));
            return 0;
        }
    }
}
