package org.diredi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.bench.delta.UpdateProbe;
import picocli.CommandLine.Option;

/** The options the delta benchmarks share: the original tutor, the two RD tutors, the data and Eq. 9 / 10. */
final class DeltaBenchInputs {

    @Option(names = "--tutor", required = true, paramLabel = "CKPT", description = "the original tutor both RD runs started from")
    Path tutor;

    @Option(names = "--tutor1", required = true, paramLabel = "CKPT", description = "tutor 1 (RD B, presumed data)")
    Path tutor1;

    @Option(names = "--tutor2", required = true, paramLabel = "CKPT", description = "tutor 2 (RD A, presumed + private data)")
    Path tutor2;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "the data the updated tutor is evaluated on")
    Path data;

    @Option(names = "--split", description = "the split evaluated (default: ${DEFAULT-VALUE})")
    String split = "test";

    @Option(names = "--added", split = ",", required = true, description = "the classes the delta adds (the first is "
            + "reported as the added class)")
    List<String> added;

    @Option(names = "--gamma", description = "Eq. 9: dW = W_tutor2 - gamma W_tutor1 (default: ${DEFAULT-VALUE})")
    double gamma = 1.0;

    @Option(names = "--lambda", description = "Eq. 10: W_new = W_tutor + lambda dW (default: ${DEFAULT-VALUE})")
    double lambda = 1.0;

    /** The inputs, after checking that the files are there. */
    UpdateProbe.Inputs inputs() {
        for (var f : List.of(List.of("--tutor", tutor), List.of("--tutor1", tutor1), List.of("--tutor2", tutor2))) {
            if (!Files.isRegularFile((Path) f.get(1))) {
                throw new IllegalArgumentException(f.get(0) + " " + f.get(1) + ": file not found");
            }
        }
        if (!Files.isDirectory(data) && !Files.isRegularFile(data)) {
            throw new IllegalArgumentException("--data " + data + ": not found");
        }
        return new UpdateProbe.Inputs(tutor, tutor1, tutor2, data, split, added, gamma, lambda);
    }
}
