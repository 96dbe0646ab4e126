package org.diredi.cloud;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.diredi.cloud.CloudService.CustomerState;
import org.diredi.cloud.jobs.CustomerLock;
import org.diredi.cloud.jobs.JobStore;
import org.diredi.cloud.jobs.JobStore.Verdict;
import org.diredi.cloud.update.ManufacturerUpdate;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.delta.DeltaMerge;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.vision.data.ClassList;

/**
 * Several customers' deltas decided as one update: merged ({@link DeltaMerge}), applied (Eq. 10), verified and
 * distilled (Distill C) once, and a verdict per received delta, each customer's next version exported for its
 * own devices. Only deltas of one group are merged: the same base tutor (what Eq. 10 adds the merged delta to)
 * and the same edge model and preset (what Distill C starts from), so the one update is each customer's update.
 */
final class MergedDecision {

    private final Customers customers;
    private final JobStore store;
    private final Decider decider;
    private final AuditLog audit;
    private final DeltaMerge.Settings policy;
    private final PrintStream out;

    MergedDecision(CloudService.Parts p, JobStore store, Decider decider) {
        this.customers = p.customers();
        this.store = store;
        this.decider = decider;
        this.audit = p.audit();
        this.policy = p.config().merge().policy();
        this.out = p.out();
    }

    /**
     * The group of a received delta: its base tutor, its customer's edge model and preset; empty when it cannot
     * be merged (unreadable, or from a stranger), so that it is decided alone and rejected with the reason.
     */
    static Optional<String> group(Customers customers, JobStore store, JobStore.Job job) {
        try {
            CloudConfig.Customer c = customers.get(job.customer()).orElse(null);
            if (c == null) {
                return Optional.empty();
            }
            KnowledgeDelta d = KnowledgeDelta.read(store.delta(job.transferId()));
            return Optional.of(d.manifest().baseTutorSha256() + edgeOf(customers.state(job.customer(), c), c));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The group of the deltas a customer makes now: its current tutor, edge model and preset. */
    static String group(Customers customers, String id, CloudConfig.Customer c) {
        CustomerState st = customers.state(id, c);
        return Checkpoint.read(java.nio.file.Path.of(st.tutor())).manifest().weightsSha256() + edgeOf(st, c);
    }

    private static String edgeOf(CustomerState st, CloudConfig.Customer c) {
        return "/" + c.edgePreset() + "/" + Checkpoint.read(java.nio.file.Path.of(st.edge())).manifest().weightsSha256();
    }

    /**
     * Decides the jobs' deltas as one merged update and commits a verdict for each; false when they must be
     * decided one by one instead (fewer than two undecided, one unreadable, or the merge refused them), or a
     * worker holds one of their customers (then they stay queued).
     */
    boolean take(List<JobStore.Job> jobs) throws IOException {
        List<CustomerLock> locks = new ArrayList<>();
        try {
            for (String c : new LinkedHashSet<>(jobs.stream().map(JobStore.Job::customer).toList())) {
                CustomerLock l = CustomerLock.tryLock(store.locks(), c);
                if (l == null) {
                    return false;
                }
                locks.add(l);
            }
            List<JobStore.Job> undecided = jobs.stream().filter(j -> store.verdict(j.transferId()).isEmpty()).toList();
            List<Verdict> verdicts = undecided.size() < 2 ? null : decide(undecided);
            if (verdicts == null) {
                return false;
            }
            for (int i = 0; i < verdicts.size(); i++) {
                store.commit(undecided.get(i).transferId(), verdicts.get(i));
                decider.record(verdicts.get(i));
            }
            return true;
        } finally {
            locks.forEach(CustomerLock::close);
        }
    }

    /** The verdicts of the merged update, in the jobs' order; null when the deltas cannot be merged. */
    private List<Verdict> decide(List<JobStore.Job> jobs) throws IOException {
        String id = "merge-" + jobs.get(0).transferId();
        Map<String, String> transfers = new LinkedHashMap<>();
        jobs.forEach(j -> transfers.put(j.transferId(), j.customer()));
        KnowledgeDelta merged;
        try {
            List<DeltaMerge.Source> sources = new ArrayList<>();
            for (JobStore.Job j : jobs) {
                sources.add(new DeltaMerge.Source(j.transferId(), KnowledgeDelta.read(store.delta(j.transferId()))));
            }
            merged = DeltaMerge.merge(sources, policy).write(decider.jobDir(id).resolve("merged.delta"));
        } catch (RuntimeException e) {
            out.println("cloud: deltas " + transfers.keySet() + " not merged, decided one by one: " + e.getMessage());
            audit.record("MERGE_REFUSED", id, null, Map.of("deltas", List.copyOf(transfers.keySet()),
                    "reason", String.valueOf(e.getMessage())));
            return null;
        }
        audit.record("MERGED", id, null, Map.of("deltas", List.copyOf(transfers.keySet()), "strategy",
                policy.strategy().toString(), "weights", merged.manifest().provenance().get("mergeWeights")));
        out.printf("cloud: deciding the merged update %s of %s%n", id, transfers);
        String note = " (one update merged from " + jobs.size() + " customers' deltas: " + String.join(", ",
                transfers.keySet()) + ", " + policy.strategy() + ")";
        List<Verdict> verdicts = new ArrayList<>();
        try {
            JobStore.Job first = jobs.get(0);
            CloudConfig.Customer c = customers.get(first.customer()).orElseThrow();
            ManufacturerUpdate.Result r = decider.update(customers.state(first.customer(), c), c, merged,
                    decider.jobDir(id), transfers);
            for (JobStore.Job j : jobs) {
                verdicts.add(decider.verdict(j.transferId(), j.customer(), r,
                        new ClassList(merged.manifest().classes()), note));
            }
        } catch (Exception e) {
            verdicts.clear();
            jobs.forEach(j -> verdicts.add(Verdict.rejected(j.customer(), Decider.decision(j.transferId(), "REJECTED",
                    e.getClass().getSimpleName() + ": " + e.getMessage() + note, Map.of(), -1))));
        }
        return verdicts;
    }
}
