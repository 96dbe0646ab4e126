package org.diredi.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.bench.inference.LatencyBenchmark;
import org.diredi.bench.training.DistillBenchmark;
import org.diredi.bench.training.DistillSeeds;
import org.diredi.bench.training.TrainBenchmark;
import org.diredi.bench.workers.WorkersBenchmark;
import org.diredi.core.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Benchmarks (tables printed and written as Markdown + JSON); the work is the bench module's. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print a table and write results.",
        subcommands = {BenchCommand.Train.class, BenchCommand.Distill.class, BenchCommand.Latency.class,
            PerfCommand.class, RolloutBenchCommand.class, BenchCommand.Workers.class, DeltaFormsBenchCommand.class,
            DeltaPrivacyBenchCommand.class, DeltaMergeBenchCommand.class})
final class BenchCommand {

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Train the cpu presets (large, tutor, edge) directly on FashionScenes and report parameters,",
                "FLOPs per image, training images/s, wall time, test mAP@0.5, per-class AP and P / R / F1.",
                "Resumable: rerun with the same --out to continue after a kill."})
    static final class Train implements Callable<Integer> {

        @Option(names = "--data", paramLabel = "DIR", description = "FashionScenes root; generated with defaults if absent "
                + "(default: ${DEFAULT-VALUE})")
        Path data = Path.of("work/fashion-scenes");

        @Option(names = "--presets", split = ",", description = "presets to train (default: ${DEFAULT-VALUE})")
        List<String> presets = List.of("edge", "tutor", "large");

        @Option(names = "--epochs", split = ",", description = "epochs per preset, in --presets order (default: the config's)")
        List<Integer> epochs;

        @Option(names = "--config", paramLabel = "FILE", description = "training settings (YAML or JSON) over the defaults")
        Path configFile;

        @Option(names = "--backbones", paramLabel = "DIR", description = "start each backbone from DIR/<family>-<role>"
                + ".backbone ('diredi pretrain') where there is one (default: random backbones)")
        Path backbones;

        @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
        Path out = Path.of("work/bench-train");

        @Mixin
        DeviceOption device;

        @Override
        public Integer call() throws Exception {
            device.over(TrainConfig.load(configFile), configFile);
            TrainBenchmark.run(new TrainBenchmark.Settings(data, presets, epochs, configFile, backbones, out,
                    device.name));
            return 0;
        }
    }

    @Command(name = "distill", mixinStandardHelpOptions = true,
            description = {"FGD distillation against direct training on FashionScenes' presumed classes: trains the large",
                "teacher, the tutor directly and by Distill A, the edge model directly and by Distill B (from the",
                "distilled tutor), and reports mAP@0.5, per-class AP and F1 side by side. Resumable stage by stage."})
    static final class Distill implements Callable<Integer> {

        @Option(names = "--data", paramLabel = "DIR", description = "FashionScenes root; generated if absent (default: ${DEFAULT-VALUE})")
        Path data = Path.of("work/fashion-scenes");

        @Option(names = "--classes", split = ",", description = "the presumed classes (default: ${DEFAULT-VALUE})")
        List<String> presumed = List.of("tshirt", "trouser", "dress", "sandal", "bag");

        @Option(names = "--epochs", split = ",", paramLabel = "LARGE,TUTOR,EDGE",
                description = "epochs of the large, tutor and edge stages (default: ${DEFAULT-VALUE})")
        List<Integer> epochs = List.of(12, 12, 24);

        @Option(names = "--config", paramLabel = "FILE", description = "training settings (YAML or JSON) over the defaults")
        Path configFile;

        @Option(names = "--fgd", paramLabel = "FILE", description = "FGD settings (YAML or JSON)")
        Path fgdFile;

        @Option(names = "--feature-weight", description = "weight of the FGD loss in Distill A and B, as for "
                + "'diredi distill' (default: ${DEFAULT-VALUE})")
        float featureWeight = 0.01f;

        @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
        Path out = Path.of("work/bench-distill");

        @Option(names = "--seeds", paramLabel = "N", description = "one run per seed in OUT/seed-<seed> and "
                + "OUT/seeds.md, seeds.json over them (default: one run in OUT)")
        Integer seeds;

        @Mixin
        DeviceOption device;

        @Override
        public Integer call() throws Exception {
            device.over(TrainConfig.load(configFile), configFile);
            DistillBenchmark.Settings s = new DistillBenchmark.Settings(data, presumed, epochs, configFile, fgdFile,
                    featureWeight, out, device.name);
            if (seeds == null) {
                DistillBenchmark.run(s);
            } else {
                DistillSeeds.run(s, seeds);
            }
            return 0;
        }
    }

    @Command(name = "latency", mixinStandardHelpOptions = true,
            description = {"Batch-1 inference latency (p50 / p99, network only, no decode) of one model through DJL",
                "PyTorch and ONNX Runtime (the FP32 and int8 files of 'diredi export'), on the same real images,",
                "side by side as ratios. Writes latency.md and latency.json."})
    static final class Latency implements Callable<Integer> {

        @Option(names = "--checkpoint", required = true, paramLabel = "CKPT", description = "the model checkpoint")
        Path checkpoint;

        @Option(names = "--onnx", split = ",", required = true, paramLabel = "FILE",
                description = "exported models to time (FP32 and int8 .onnx files)")
        List<Path> onnx;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "VOC dataset with the images to feed")
        Path data;

        @Option(names = "--runs", description = "timed runs per engine (default: ${DEFAULT-VALUE})")
        int runs = 300;

        @Option(names = "--threads", description = "intra-op threads for ONNX Runtime (default: ${DEFAULT-VALUE})")
        int threads = 2;

        @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
        Path out = Path.of("work/bench-latency");

        @Override
        public Integer call() throws Exception {
            LatencyBenchmark.run(new LatencyBenchmark.Settings(checkpoint, onnx, data, runs, threads, out));
            return 0;
        }
    }

    @Command(name = "workers", mixinStandardHelpOptions = true,
            description = {"Deltas decided per hour by the cloud with 1 and with 2 worker processes (cloud serve --worker)",
                "on loopback, tiny models, every delta accepted (Eq. 10, gate, Distill C, export, signing). Writes",
                "workers.md and workers.json."})
    static final class Workers implements Callable<Integer> {

        @Option(names = "--customers", description = "customers, one delta each (default: ${DEFAULT-VALUE})")
        int customers = 6;

        @Option(names = "--workers", split = ",", description = "worker counts to run (default: ${DEFAULT-VALUE})")
        List<Integer> workers = List.of(1, 2);

        @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
        Path out = Path.of("work/bench-workers");

        @Override
        public Integer call() throws Exception {
            WorkersBenchmark.run(new WorkersBenchmark.Settings(out, customers, workers, Diredi.class.getName()));
            return 0;
        }
    }
}
