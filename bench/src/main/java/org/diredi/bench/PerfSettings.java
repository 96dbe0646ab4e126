package org.diredi.bench;

import java.nio.file.Path;
import java.util.List;
import org.diredi.bench.training.PeakProbes;
import org.diredi.core.model.Presets;

/**
 * The settings of {@code bench perf}; {@link #builder()} starts from the command's defaults.
 *
 * @param data            FashionScenes root (generated with defaults if absent)
 * @param checkpoints     trained edge and / or tutor checkpoints; missing roles are trained in section 1
 * @param family          preset family trained in section 1
 * @param batch           training batch
 * @param warmup          untimed training steps first
 * @param steps           timed training steps per preset
 * @param runs            timed inference runs per engine
 * @param threads         ONNX Runtime / OpenCV / edge runtime threads; null: libtorch's, else the cores
 * @param deltaSteps      fine-tuning steps of the tutor that make the delta
 * @param devices         simulated devices of the OTA fan-out
 * @param parallelSenders cloud connections of the parallel fan-out round (1 skips it)
 * @param edgeFrames      frames of the edge-runtime memory run
 * @param quick           smoke settings: the report says its figures are not benchmarks
 * @param out             results folder
 * @param probes          sizes of the libtorch peak probes
 */
public record PerfSettings(Path data, List<Path> checkpoints, String family, int batch, int warmup, int steps, int runs,
                           Integer threads, int deltaSteps, int devices, int parallelSenders, int edgeFrames,
                           boolean quick, Path out, PeakProbes probes) {

    public static Builder builder() {
        return new Builder();
    }

    /** Throws on settings no run can use, naming the command's options. */
    public void validate() {
        if (batch < 2 || warmup < 0 || steps < 1 || runs < 1 || deltaSteps < 1 || devices < 1 || parallelSenders < 1
                || edgeFrames < 1) {
            throw new IllegalArgumentException("--batch must be >= 2, --warmup >= 0, and --steps, --runs, --delta-steps,"
                    + " --devices, --parallel-senders, --edge-frames >= 1");
        }
        Presets.get(family + "/edge");
    }

    /** The threads of the inference engines and the edge runtime: as given, else libtorch's, else the cores. */
    public int inferenceThreads() {
        return threads != null ? threads : Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads",
                Integer.toString(Runtime.getRuntime().availableProcessors())));
    }

    /** These settings with absolute data and results folders (child JVMs and config files name them). */
    PerfSettings absolute() {
        return new PerfSettings(data.toAbsolutePath(), checkpoints, family, batch, warmup, steps, runs, threads,
                deltaSteps, devices, parallelSenders, edgeFrames, quick, out.toAbsolutePath(), probes);
    }

    /** The command's defaults, changed one named setting at a time. */
    public static final class Builder {
        private Path data = Path.of("work/fashion-scenes");
        private List<Path> checkpoints = List.of();
        private String family = "cpu";
        private int batch = 16;
        private int warmup = 5;
        private int steps = 30;
        private int runs = 300;
        private Integer threads;
        private int deltaSteps = 20;
        private int devices = 100;
        private int parallelSenders = 4;
        private int edgeFrames = 500;
        private boolean quick;
        private Path out = Path.of("work/bench-perf");
        private PeakProbes probes = PeakProbes.FULL;

        private Builder() {}

        public Builder data(Path v) {
            data = v;
            return this;
        }

        public Builder checkpoints(List<Path> v) {
            checkpoints = List.copyOf(v);
            return this;
        }

        public Builder family(String v) {
            family = v;
            return this;
        }

        public Builder batch(int v) {
            batch = v;
            return this;
        }

        public Builder warmup(int v) {
            warmup = v;
            return this;
        }

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder runs(int v) {
            runs = v;
            return this;
        }

        public Builder threads(Integer v) {
            threads = v;
            return this;
        }

        public Builder deltaSteps(int v) {
            deltaSteps = v;
            return this;
        }

        public Builder devices(int v) {
            devices = v;
            return this;
        }

        public Builder parallelSenders(int v) {
            parallelSenders = v;
            return this;
        }

        public Builder edgeFrames(int v) {
            edgeFrames = v;
            return this;
        }

        public Builder quick(boolean v) {
            quick = v;
            return this;
        }

        public Builder out(Path v) {
            out = v;
            return this;
        }

        public Builder probes(PeakProbes v) {
            probes = v;
            return this;
        }

        public PerfSettings build() {
            return new PerfSettings(data, checkpoints, family, batch, warmup, steps, runs, threads, deltaSteps, devices,
                    parallelSenders, edgeFrames, quick, out, probes);
        }
    }
}
