package org.diredi.cloud;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.diredi.cloud.jobs.JobStore;
import org.diredi.core.delta.DeltaMerge;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.messaging.DeltaDecision;

/**
 * {@code diredi cloud merge}: merging on command, with cloud.yaml's {@code merge} policy. The deltas waiting in
 * the job store for a customer's group (the undecided ones of every customer with its base tutor and edge model)
 * are written as one merged delta, or decided as one update: a verdict per delta is committed to the job store,
 * and {@code cloud serve} rolls each out and answers its customer as for any decided job (at once when it runs,
 * else when it starts). Given files are merged into one delta file only.
 */
public final class CloudMerge {

    private final CloudService.Parts parts;
    private final JobStore store;

    public CloudMerge(CloudConfig config, PrintStream out) {
        this.parts = CloudService.Parts.of(config, out);
        this.store = new JobStore(Path.of(config.workDir()).resolve("queue"));
    }

    /** The undecided deltas of {@code customer}'s group, oldest first; refuses a customer the cloud does not know. */
    public List<JobStore.Job> waiting(String customer) {
        CloudConfig.Customer c = parts.customers().get(customer).orElseThrow(() ->
                new IllegalArgumentException("--customer: no customer '" + customer + "' in " + parts.customers().source()));
        String group = MergedDecision.group(parts.customers(), customer, c);
        List<JobStore.Job> jobs = new ArrayList<>();
        for (String id : store.pending()) {
            JobStore.Job j = store.job(id).orElse(null);
            if (j != null && store.verdict(id).isEmpty()
                    && MergedDecision.group(parts.customers(), store, j).equals(Optional.of(group))) {
                jobs.add(j);
            }
        }
        return jobs;
    }

    /** The waiting deltas of {@code customer}'s group merged into {@code out}; at least two must wait. */
    public KnowledgeDelta write(String customer, Path out) throws IOException {
        List<JobStore.Job> jobs = atLeastTwo(customer);
        List<DeltaMerge.Source> sources = new ArrayList<>();
        for (JobStore.Job j : jobs) {
            sources.add(new DeltaMerge.Source(j.transferId(), KnowledgeDelta.read(store.delta(j.transferId()))));
        }
        return DeltaMerge.merge(sources, parts.config().merge().policy()).write(out);
    }

    /** Given delta files merged into {@code out} with the configured policy. */
    public KnowledgeDelta write(List<Path> files, Path out) throws IOException {
        return DeltaMerge.merge(files.stream().map(DeltaMerge.Source::read).toList(), parts.config().merge().policy())
                .write(out);
    }

    /**
     * The waiting deltas of {@code customer}'s group decided as one update (Eq. 10, gate, Distill C once); the
     * decisions committed for {@code cloud serve} to finish. Empty when they could not be merged (then each is
     * decided alone by {@code cloud serve}) or a worker holds one of their customers.
     */
    public List<DeltaDecision> decide(String customer) throws IOException {
        List<JobStore.Job> jobs = atLeastTwo(customer);
        Decider decider = new Decider(parts, store, "cloud-merge");
        if (!new MergedDecision(parts, store, decider).take(jobs)) {
            return List.of();
        }
        return jobs.stream().map(j -> store.verdict(j.transferId()).orElseThrow().decision()).toList();
    }

    private List<JobStore.Job> atLeastTwo(String customer) {
        List<JobStore.Job> jobs = waiting(customer);
        if (jobs.size() < 2) {
            throw new IllegalArgumentException("--customer " + customer + ": " + jobs.size() + " undecided delta(s) wait"
                    + " in " + store.dir() + " for its group (its base tutor and edge model): nothing to merge");
        }
        return jobs;
    }
}
