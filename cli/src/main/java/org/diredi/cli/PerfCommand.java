package org.diredi.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.bench.PerfBenchmark;
import org.diredi.bench.PerfSettings;
import org.diredi.bench.training.PeakProbes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code diredi bench perf}: the options of {@link PerfBenchmark}, with --quick's smoke settings. */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = {"One run over every hot path, written as perf.md (BENCHMARKS.md-ready) and perf.json:",
            "1 training img/s and FLOP/s of the edge and tutor presets against a matmul / conv peak of the same",
            "libtorch; 2 batch-1 latency of ONNX Runtime FP32 / int8, OpenCV DNN and DJL on one exported edge",
            "model; 3 neck + head delta bytes in fp32 / fp16 and the updated tutor's test mAP; 4 delta upload and",
            "OTA fan-out to simulated devices over the embedded broker; 5 peak RSS of training and the edge",
            "runtime (child JVMs). Without --checkpoint, tiny-budget models are trained on the way (the training",
            "runs of section 1), so the command runs from a fresh clone."})
final class PerfCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "FashionScenes root; generated with defaults if absent "
            + "(default: ${DEFAULT-VALUE})")
    Path data = Path.of("work/fashion-scenes");

    @Option(names = "--checkpoint", split = ",", paramLabel = "CKPT",
            description = "trained edge and/or tutor checkpoints (role from each manifest's preset) for sections 2-5;"
                    + " missing roles use the tiny-budget models of section 1")
    List<Path> checkpoints = new ArrayList<>();

    @Option(names = "--family", description = "preset family trained in section 1 (default: ${DEFAULT-VALUE})")
    String family = "cpu";

    @Option(names = "--batch", description = "training batch (default: ${DEFAULT-VALUE})")
    int batch = 16;

    @Option(names = "--warmup", description = "untimed training steps first (default: ${DEFAULT-VALUE})")
    int warmup = 5;

    @Option(names = "--steps", description = "timed training steps per preset (default: ${DEFAULT-VALUE})")
    int steps = 30;

    @Option(names = "--runs", description = "timed inference runs per engine, after runs/10 warm-up (default: ${DEFAULT-VALUE})")
    int runs = 300;

    @Option(names = "--threads", description = "ONNX Runtime / OpenCV / edge runtime threads (default: libtorch's"
            + " -Dai.djl.pytorch.num_threads, else the cores)")
    Integer threads;

    @Option(names = "--delta-steps", description = "fine-tuning steps of the tutor that make the delta (default: ${DEFAULT-VALUE})")
    int deltaSteps = 20;

    @Option(names = "--devices", description = "simulated devices of the OTA fan-out (default: ${DEFAULT-VALUE})")
    int devices = 100;

    @Option(names = "--parallel-senders", description = "cloud connections of the parallel fan-out round; 1 skips it"
            + " (default: ${DEFAULT-VALUE})")
    int parallelSenders = 4;

    @Option(names = "--edge-frames", description = "frames of the edge-runtime memory run (default: ${DEFAULT-VALUE})")
    int edgeFrames = 500;

    @Option(names = "--quick", description = "smoke settings (batch 4, 1 + 3 steps, 20 runs, 5 devices, small peak"
            + " probes) for options not given explicitly")
    boolean quick;

    @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/bench-perf");

    @Override
    public Integer call() throws Exception {
        PerfSettings settings = PerfSettings.builder().data(data).checkpoints(checkpoints).family(family)
                .batch(orSmoke("--batch", batch, 4)).warmup(orSmoke("--warmup", warmup, 1))
                .steps(orSmoke("--steps", steps, 3)).runs(orSmoke("--runs", runs, 20)).threads(threads)
                .deltaSteps(orSmoke("--delta-steps", deltaSteps, 2)).devices(orSmoke("--devices", devices, 5))
                .parallelSenders(orSmoke("--parallel-senders", parallelSenders, 2))
                .edgeFrames(orSmoke("--edge-frames", edgeFrames, 30)).quick(quick).out(out)
                .probes(quick ? PeakProbes.QUICK : PeakProbes.FULL).build();
        PerfBenchmark.run(settings, "diredi " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        return 0;
    }

    /** With --quick, the smoke value of an option not given on the command line. */
    private int orSmoke(String option, int value, int smoke) {
        return quick && !spec.commandLine().getParseResult().hasMatchedOption(option) ? smoke : value;
    }
}
