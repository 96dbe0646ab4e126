package org.diredi.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.cloud.WeightSubstitution;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Knowledge deltas: create (customer side), inspect, apply and merge (manufacturer side). */
@Command(name = "delta", mixinStandardHelpOptions = true,
        description = "Knowledge deltas (paper Eq. 9 and 10): create, inspect, apply, merge.",
        subcommands = {DeltaCommand.Create.class, DeltaCommand.Inspect.class, DeltaCommand.Apply.class,
            DeltaMergeCommand.class})
final class DeltaCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"dW = W_tutor2 - gamma * W_tutor1 over neck + head (Eq. 9). Only this file leaves the",
                "customer: tensors by name and a manifest with counts, never images."})
    static final class Create implements Callable<Integer> {
        @Option(names = "--tutor1", required = true, paramLabel = "CKPT", description = "RD B result (presumed data)")
        Path tutor1;

        @Option(names = "--tutor2", required = true, paramLabel = "CKPT", description = "RD A result (presumed + private)")
        Path tutor2;

        @Option(names = "--base", required = true, paramLabel = "CKPT",
                description = "the original tutor both started from (its id goes into the manifest)")
        Path base;

        @Option(names = "--gamma", description = "Eq. 9's gamma (default: ${DEFAULT-VALUE})")
        double gamma = 1.0;

        @Option(names = "--include-backbone", description = "also send backbone weights (the paper's ablation; off by default)")
        boolean includeBackbone;

        @Option(names = "--fp16", description = "store the delta as float16 (half the bytes)")
        boolean fp16;

        @Option(names = "--added", split = ",", description = "classes the private data adds")
        List<String> added = new ArrayList<>();

        @Option(names = "--removed", split = ",", description = "classes no longer wanted")
        List<String> removed = new ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "the .delta file to write")
        Path out;

        @Override
        public Integer call() throws Exception {
            Checkpoint t1 = Checkpoint.read(tutor1);
            Checkpoint t2 = Checkpoint.read(tutor2).requireCompatible(t1.manifest().model(), t1.classes());
            Checkpoint b = Checkpoint.read(base).requireCompatible(t1.manifest().model(), t1.classes());
            for (String c : added) {
                t1.classes().indexOf(c);
            }
            for (String c : removed) {
                t1.classes().indexOf(c);
            }
            var tensors = KnowledgeDelta.difference(t2.weights(), t1.weights(), gamma, KnowledgeDelta.parts(includeBackbone));
            KnowledgeDelta d = KnowledgeDelta.write(out, new DeltaManifest(null, null, b.manifest().id(),
                    b.manifest().weightsSha256(), t1.manifest().classes(), added, removed, gamma,
                    includeBackbone ? "all" : "neck+head", null, Map.of(
                            "tutor1", counts(t1.manifest().data()), "tutor2", counts(t2.manifest().data())),
                    0, 0, 0, null, Map.of("tutor1", t1.manifest().id(), "tutor2", t2.manifest().id()))
                    .withLineage(KnowledgeDelta.lineage(b.manifest(), t1.manifest(), t2.manifest(),
                            Map.of("gamma", Double.toString(gamma)))), tensors, fp16);
            System.out.print(d.manifest().describe(out));
            return 0;
        }

        private static Map<String, Integer> counts(Manifest.DataInfo data) {
            return data == null ? Map.of() : Map.of("images", data.images(), "objects", data.objects());
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Check a delta file and print its manifest.")
    static final class Inspect implements Callable<Integer> {
        @picocli.CommandLine.Parameters(paramLabel = "FILE", description = "a .delta file")
        Path file;

        @Override
        public Integer call() {
            KnowledgeDelta d = KnowledgeDelta.read(file);
            System.out.print(d.manifest().describe(file));
            return 0;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"W_new = W_tutor + lambda * dW on the delta's tensors (Eq. 10); the backbone is untouched.",
                "Refuses a delta made for another tutor, with other names or shapes, or with NaN / Inf."})
    static final class Apply implements Callable<Integer> {
        @Option(names = "--tutor", required = true, paramLabel = "CKPT", description = "the manufacturer's tutor")
        Path tutor;

        @Option(names = "--delta", required = true, paramLabel = "FILE", description = "the customer's .delta")
        Path delta;

        @Option(names = "--lambda", description = "Eq. 10's lambda (default: ${DEFAULT-VALUE})")
        double lambda = 1.0;

        @Option(names = "--out", required = true, paramLabel = "CKPT", description = "the updated tutor to write")
        Path out;

        @Override
        public Integer call() throws Exception {
            KnowledgeDelta d = KnowledgeDelta.read(delta);
            Manifest written;
            try {
                written = WeightSubstitution.apply(tutor, d, lambda, out);
            } catch (KnowledgeDelta.DeltaException e) {
                throw new KnowledgeDelta.DeltaException(delta + ": " + e.getMessage());
            }
            System.out.printf("applied %s (|dW| = %.4f, %d tensors) to %s: wrote %s (id %s)%n", delta,
                    d.manifest().l2Norm(), d.manifest().tensors(), tutor, out, written.id());
            return 0;
        }
    }
}
