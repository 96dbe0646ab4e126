package org.diredi.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.core.delta.DeltaMerge;
import org.diredi.core.delta.KnowledgeDelta;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code diredi delta merge}: several customers' deltas against one base tutor into one, without a broker. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge knowledge deltas made against one base tutor into one delta (the cloud's merge",
            "policy, for experiments): weighted = the mean weighted by each delta's private data; perClass = the",
            "same, but an added class's class-logit rows come only from the deltas that added it. Refuses deltas",
            "of different base tutors, class lists or tensor names / shapes."})
final class DeltaMergeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DELTA", arity = "2..*", description = "the .delta files to merge (two or more)")
    List<Path> deltas;

    @Option(names = "--strategy", paramLabel = "NAME", description = "weighted or perClass (default: ${DEFAULT-VALUE})")
    String strategy = DeltaMerge.Strategy.WEIGHTED.toString();

    @Option(names = "--weight", paramLabel = "BY", description = {"what a delta weighs: images (its private images,",
        "RD A - RD B), objects, or equal (default: ${DEFAULT-VALUE})"})
    String weight = DeltaMerge.Weight.IMAGES.toString();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the merged .delta to write")
    Path out;

    @Override
    public Integer call() throws Exception {
        DeltaMerge.Settings s = new DeltaMerge.Settings(strategy(), weight());
        KnowledgeDelta merged = DeltaMerge.merge(deltas.stream().map(DeltaMerge.Source::read).toList(), s).write(out);
        System.out.printf("merged %d deltas (%s, weights by %s)%n", deltas.size(), s.strategy(),
                merged.manifest().provenance().get("mergeWeights"));
        System.out.print(merged.manifest().describe(out));
        return 0;
    }

    private DeltaMerge.Strategy strategy() {
        try {
            return DeltaMerge.Strategy.of(strategy);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--strategy: " + e.getMessage());
        }
    }

    private DeltaMerge.Weight weight() {
        try {
            return DeltaMerge.Weight.of(weight);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--weight: " + e.getMessage());
        }
    }
}
