package org.diredi.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.bench.delta.DeltaFormsBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code diredi bench delta-forms}: the knowledge delta in every form; the work is the bench module's. */
@Command(name = "delta-forms", mixinStandardHelpOptions = true,
        description = {"The knowledge delta of two RD tutors (Eq. 9) written as float32, float16, sparse and sparse-int8",
            "at each density and int8, each read back as the cloud reads it, applied to the original tutor (Eq. 10) and",
            "evaluated: bytes (and x the tutor's), error against float32, mAP@0.5, added-class and per-class AP.",
            "Writes results.md and results.json."})
final class DeltaFormsBenchCommand implements Callable<Integer> {

    @Mixin
    DeltaBenchInputs inputs;

    @Option(names = "--densities", split = ",", description = "sparse forms: fractions of each tensor's values kept "
            + "(default: ${DEFAULT-VALUE})")
    List<Double> densities = List.of(0.01, 0.03, 0.05);

    @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/bench-delta-forms");

    @Override
    public Integer call() throws Exception {
        for (double d : densities) {
            if (!(d > 0 && d <= 1)) {
                throw new IllegalArgumentException("--densities: each must be in (0, 1], got " + d);
            }
        }
        DeltaFormsBenchmark.run(new DeltaFormsBenchmark.Settings(inputs.inputs(), densities, out));
        System.out.println("bench: wrote " + out.resolve("results.md") + " and " + out.resolve("results.json"));
        return 0;
    }
}
