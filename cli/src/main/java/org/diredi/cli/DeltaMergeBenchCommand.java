package org.diredi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.bench.delta.DeltaMergeBenchmark;
import org.diredi.core.gate.GatePolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code diredi bench delta-merge}: customers' deltas alone, merged and one after the other; the work is bench's. */
@Command(name = "delta-merge", mixinStandardHelpOptions = true,
        description = {"Several customers' knowledge deltas against one tutor, each applied alone, merged (weighted by",
            "private images, per class, equal weights) and one after the other (the tutor plus every delta), each",
            "judged by the verification gate on the validation split against the original tutor and evaluated per",
            "class on the test split. Writes results.md and results.json."})
final class DeltaMergeBenchCommand implements Callable<Integer> {

    @Parameters(arity = "2..*", paramLabel = "DELTA", description = "the customers' .delta files, made against --tutor")
    List<Path> deltas;

    @Option(names = "--tutor", required = true, paramLabel = "CKPT", description = "the tutor every delta was made against")
    Path tutor;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "the manufacturer's data (VOC)")
    Path data;

    @Option(names = "--gate-split", description = "the split the gate judges on (default: ${DEFAULT-VALUE})")
    String gateSplit = "val";

    @Option(names = "--policy", paramLabel = "FILE", description = "gate policy (YAML or JSON) over the defaults")
    Path policyFile;

    @Option(names = "--split", description = "the split evaluated per class (default: ${DEFAULT-VALUE})")
    String split = "test";

    @Option(names = "--lambda", description = "Eq. 10: W_new = W_tutor + lambda dW (default: ${DEFAULT-VALUE})")
    double lambda = 1.0;

    @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/bench-delta-merge");

    @Override
    public Integer call() throws Exception {
        for (Path f : files()) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException((f == tutor ? "--tutor " : "DELTA ") + f + ": file not found");
            }
        }
        if (!Files.isDirectory(data)) {
            throw new IllegalArgumentException("--data " + data + ": not a folder");
        }
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("--lambda must be > 0, got " + lambda);
        }
        GatePolicy policy = GatePolicy.load(policyFile);
        DeltaMergeBenchmark.run(new DeltaMergeBenchmark.Settings(tutor, deltas, data, gateSplit, policy, split, lambda,
                out));
        System.out.println("bench: wrote " + out.resolve("results.md") + " and " + out.resolve("results.json"));
        return 0;
    }

    private List<Path> files() {
        List<Path> files = new ArrayList<>(deltas);
        files.add(0, tutor);
        return files;
    }
}
