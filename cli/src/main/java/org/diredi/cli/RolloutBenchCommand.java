package org.diredi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.bench.rollout.RolloutBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code diredi bench rollout}: the staged rollout to many simulated cameras; the work is the bench module's. */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = {"Staged rollout of the edge model to simulated cameras over the embedded broker on loopback:",
            "the cloud's fleet (canaries, their healthy time, then the rest), each camera its own MQTT v5 client",
            "running the edge runtime's OTA checks without inference. Prints the phases as a table and writes",
            "rollout.md and rollout.json."})
final class RolloutBenchCommand implements Callable<Integer> {

    @Option(names = "--cameras", description = "simulated cameras (default: ${DEFAULT-VALUE})")
    int cameras = 1000;

    @Option(names = "--model", paramLabel = "FILE", description = "the edge model: an exported .onnx, or a checkpoint "
            + "exported for the cpu profile first (default: ${DEFAULT-VALUE})")
    Path model = Path.of("models/demo/cpu-edge-v0.ckpt");

    @Option(names = "--canaries", description = "cameras that get it first (default: ${DEFAULT-VALUE})")
    int canaries = 1;

    @Option(names = "--healthy-seconds", description = "how long the canaries run it before the rest get it "
            + "(cloud.yaml rollout.healthySeconds; default: ${DEFAULT-VALUE})")
    long healthySeconds = 5;

    @Option(names = "--status-every", paramLabel = "SECONDS", description = "each camera's status period "
            + "(edge.yaml statusEverySeconds; default: ${DEFAULT-VALUE})")
    long statusEvery = 5;

    @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/bench-rollout");

    @Override
    public Integer call() throws Exception {
        if (cameras < 1 || canaries < 0 || canaries > cameras || healthySeconds < 0 || statusEvery < 1) {
            throw new IllegalArgumentException("--cameras >= 1, 0 <= --canaries <= --cameras, --healthy-seconds >= 0"
                    + " and --status-every >= 1, got " + cameras + ", " + canaries + ", " + healthySeconds + ", "
                    + statusEvery);
        }
        if (!java.nio.file.Files.isRegularFile(model)) {
            throw new IllegalArgumentException("--model " + model + ": file not found");
        }
        RolloutBenchmark.Result r = RolloutBenchmark.run(new RolloutBenchmark.Settings(cameras, model, canaries,
                healthySeconds, statusEvery, 30, out), System.out);
        System.out.print(RolloutBenchmark.write(r, out));
        System.out.println("bench: wrote " + out.resolve("rollout.md") + " and " + out.resolve("rollout.json"));
        return 0;
    }
}
