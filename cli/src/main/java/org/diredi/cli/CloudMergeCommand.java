package org.diredi.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.CloudMerge;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.messaging.DeltaDecision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code diredi cloud merge}: several customers' deltas against one base tutor merged on command. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge the deltas waiting undecided in the job store for a customer's group (every customer",
            "with its base tutor and edge model), or the given files, with the config's merge strategy and weight.",
            "--out writes the merged delta; --decide gates and distils the waiting deltas as one update and commits",
            "a decision for each, which cloud serve rolls out and answers (now if it runs, else when it starts)."})
final class CloudMergeCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "cloud settings (YAML/JSON)")
    Path config;

    @Option(names = "--customer", required = true, paramLabel = "ID", description = "whose group's deltas to merge")
    String customer;

    @Parameters(paramLabel = "DELTA", arity = "0..*", description = "delta files to merge instead of the waiting ones")
    List<Path> files = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE", description = "write the merged delta here")
    Path out;

    @Option(names = "--decide", description = "decide the waiting deltas as one update (not with DELTA files)")
    boolean decide;

    @Override
    public Integer call() throws Exception {
        if (decide == (out != null) || (decide && !files.isEmpty())) {
            throw new IllegalArgumentException("cloud merge: give either --out FILE, or --decide without DELTA files");
        }
        CloudConfig c = CloudConfig.load(config);
        CloudMerge merge = new CloudMerge(c, System.out);
        if (!decide) {
            KnowledgeDelta d = files.isEmpty() ? merge.write(customer, out) : merge.write(files, out);
            System.out.printf("merged %s (%s, weights by %s)%n", d.manifest().provenance().get("mergedFrom"),
                    c.merge().strategy(), d.manifest().provenance().get("mergeWeights"));
            System.out.print(d.manifest().describe(out));
            return 0;
        }
        List<DeltaDecision> decisions = merge.decide(customer);
        if (decisions.isEmpty()) {
            System.out.println("not merged (see above, or a cloud worker holds one of the customers): cloud serve"
                    + " decides them one by one");
            return 1;
        }
        for (DeltaDecision d : decisions) {
            System.out.printf("%s: %s (%s)%n", d.transferId(), d.status(), d.reason());
        }
        return 0;
    }
}
