package org.diredi.cloud;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diredi.cloud.CloudService.CustomerState;
import org.diredi.cloud.jobs.CustomerLock;
import org.diredi.cloud.jobs.JobStore;
import org.diredi.cloud.jobs.JobStore.Verdict;
import org.diredi.cloud.update.AddedClassKnowledge;
import org.diredi.cloud.update.FiguresCheck;
import org.diredi.cloud.update.ManufacturerUpdate;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.model.Presets;
import org.diredi.messaging.DeltaDecision;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalResult;

/**
 * The work on one received delta (paper steps 6-8), wherever it runs (the {@code cloud serve} process or a
 * {@code --worker}): validate, apply (Eq. 10), verification gate, Distill C, export for each device profile
 * and sign; the result is a {@link Verdict}, committed to the job store before the customer's state moves.
 * The rollout and the answer to the customer are the intake's ({@link CloudService}).
 */
final class Decider {

    /** Whether {@link #take} decided the job, found it decided, or left it to the worker that holds its customer. */
    enum Outcome { DECIDED, ALREADY_DECIDED, HELD_ELSEWHERE }

    private final CloudConfig config;
    private final Customers customers;
    private final Path work;
    private final AuditLog audit;
    private final PrivateKey signingKey;
    private final PublicKey publicKey;
    private final JobStore store;
    private final String worker;
    private final PrintStream out;

    /** @param worker who decides, in the audit log (this process) */
    Decider(CloudService.Parts p, JobStore store, String worker) {
        this.config = p.config();
        this.customers = p.customers();
        this.work = Path.of(config.workDir());
        this.audit = p.audit();
        this.signingKey = p.signingKey();
        this.publicKey = p.publicKey();
        this.store = store;
        this.worker = worker;
        this.out = p.out();
    }

    /**
     * Decides the job unless it has a verdict already (a redelivered or re-announced job: exactly once, by
     * transfer id), under its customer's lock; then brings the customer's state to the verdict's.
     */
    Outcome take(JobStore.Job job) throws IOException {
        try (CustomerLock lock = CustomerLock.tryLock(store.locks(), job.customer())) {
            if (lock == null) {
                return Outcome.HELD_ELSEWHERE;
            }
            Verdict v = store.verdict(job.transferId()).orElse(null);
            Outcome o = v == null ? Outcome.DECIDED : Outcome.ALREADY_DECIDED;
            if (v == null) {
                out.printf("cloud %s: deciding delta %s of %s%n", worker, job.transferId(), job.customer());
                v = decide(job.transferId(), job.customer());
                store.commit(job.transferId(), v);
            }
            record(v);
            return o;
        }
    }

    /** Moves the customer to the verdict's state; a second call (a redone job) changes nothing. */
    void record(Verdict v) throws IOException {
        if (v.state() == null) {
            return;
        }
        CloudConfig.Customer c = customers.get(v.customer()).orElse(null);
        if (c != null && customers.state(v.customer(), c).version() < v.state().version()) {
            customers.updated(v.customer(), v.state());
        }
    }

    /** One delta to its verdict; never throws (a failure is a REJECTED verdict with the reason). */
    private Verdict decide(String transferId, String customer) {
        try {
            return decide(transferId, customer, store.delta(transferId));
        } catch (Exception e) {
            return Verdict.rejected(customer, decision(transferId, "REJECTED", e.getClass().getSimpleName() + ": "
                    + e.getMessage(), Map.of(), -1));
        }
    }

    private Verdict decide(String transferId, String customer, Path deltaFile) throws IOException {
        CloudConfig.Customer c = customers.get(customer).orElse(null);
        if (c == null) {
            return Verdict.rejected(customer, decision(transferId, "REJECTED", "unknown customer '" + customer + "'",
                    Map.of(), -1));
        }
        CustomerState st = customers.state(customer, c);
        KnowledgeDelta delta = KnowledgeDelta.read(deltaFile); // validates hash, names, finiteness
        String figures = FiguresCheck.problem(customer, c.figureKeys(), delta.manifest(),
                updateSettings().addedClassKnowledge());
        if (figures != null) { // before Eq. 10: nothing is applied on figures that do not verify
            return Verdict.rejected(customer, decision(transferId, "REJECTED", figures, Map.of(), -1));
        }
        Path job = jobDir(transferId);
        ManufacturerUpdate.Result r = update(st, c, delta, job, Map.of(transferId, customer));
        return verdict(transferId, customer, r, new ClassList(delta.manifest().classes()), "");
    }

    /** The job folder of a transfer (or of a merged update). */
    Path jobDir(String id) throws IOException {
        return Files.createDirectories(work.resolve("jobs").resolve(id));
    }

    /**
     * Eq. 10 (refuses a delta made against another tutor, or with other names / shapes), gate, Distill C of
     * {@code delta} on the customer's state {@code st}, in {@code job}; {@code transfers} (transfer id to
     * customer) are the received deltas it stands for, audited as APPLIED.
     */
    ManufacturerUpdate.Result update(CustomerState st, CloudConfig.Customer c, KnowledgeDelta delta, Path job,
                                     Map<String, String> transfers) throws IOException {
        ManufacturerUpdate.Inputs in = new ManufacturerUpdate.Inputs(Path.of(st.tutor()), Path.of(st.edge()),
                Presets.get(c.edgePreset()), delta);
        ManufacturerUpdate.Layout layout = new ManufacturerUpdate.Layout(job.resolve("tutor-updated.ckpt"), job,
                job.resolve("edge-distill-C"));
        return new ManufacturerUpdate(updateSettings(), audited(transfers, delta))
                .run(in, ownData(st, new ClassList(delta.manifest().classes()), delta), layout);
    }

    /**
     * The verdict for one customer's delta on the update {@code r} (its own, or a merged one with {@code note}
     * saying so): rejected with the gate's reasons, or its next version exported for its devices and signed.
     */
    Verdict verdict(String transferId, String customer, ManufacturerUpdate.Result r, ClassList classes, String note)
            throws IOException {
        CloudConfig.Customer c = customers.get(customer).orElseThrow();
        CustomerState st = customers.state(customer, c);
        Map<String, double[]> ap = perClassAp(r.verification().before(), r.verification().after());
        if (!r.gate().accepted()) {
            return Verdict.rejected(customer, decision(transferId, "REJECTED", "verification gate: "
                    + String.join("; ", r.gate().reasons()) + note, ap, -1));
        }
        long version = st.version() + 1;
        OtaShipper.Prepared prepared = new OtaShipper(signingKey, publicKey, audit, config).prepare(
                new OtaShipper.Release(customer, c.edgePreset(), r.edge(), classes.names(), version,
                        st.version(), transferId), c.devices(), jobDir(transferId));
        return new Verdict(customer, decision(transferId, "ACCEPTED", "gate passed; edge model v" + version + note,
                ap, version), new CustomerState(r.updatedTutor().toString(), r.edge().toString(),
                version), prepared.artifacts(), prepared.refused());
    }

    /** The configured update; a rejected update stops at the gate. */
    private ManufacturerUpdate.Settings updateSettings() {
        return config.updateSettings(ManufacturerUpdate.WhenRejected.STOP);
    }

    /** The manufacturer's own data for the delta; the update covers the customer's tutor's classes. */
    private ManufacturerUpdate.OwnData ownData(CustomerState st, ClassList classes, KnowledgeDelta delta)
            throws IOException {
        List<String> update = updateClasses(Checkpoint.read(Path.of(st.tutor())), classes,
                new HashSet<>(delta.manifest().classesAdded()), new HashSet<>(delta.manifest().classesRemoved()));
        return ownData(config, classes, update, delta.manifest().classesAdded());
    }

    /**
     * The configured validation and training splits, as the configured knowledge of the {@code added} classes
     * leaves them ({@link ManufacturerUpdate.OwnData#of}).
     */
    static ManufacturerUpdate.OwnData ownData(CloudConfig config, ClassList classes, List<String> update,
                                              List<String> added) {
        Path data = Path.of(config.data());
        return ManufacturerUpdate.OwnData.of(VocDataset.load(data, config.validationSplit(), classes),
                VocDataset.load(data, config.trainSplit(), classes), update, added, config.addedClassKnowledge());
    }

    /** Audits the applied delta (Eq. 10) for each received delta in it, as soon as the updated tutor exists. */
    private ManufacturerUpdate.Listener audited(Map<String, String> transfers, KnowledgeDelta delta) {
        return new ManufacturerUpdate.Listener() {
            @Override
            public void applied(Path updatedTutor) {
                DeltaManifest m = delta.manifest();
                Map<String, Object> facts = new LinkedHashMap<>(Map.of("deltaL2Norm", m.l2Norm(),
                        "baseTutor", m.baseTutorId(), "worker", worker, "deltaForm", m.formName()));
                if (m.sparseDensity() != null) {
                    facts.put("sparseDensity", m.sparseDensity());
                }
                facts.put("privacy", m.privacy() == null ? "none" : m.privacy());
                transfers.forEach((transferId, customer) -> audit.record("APPLIED", transferId, customer, facts));
            }
        };
    }

    /** The tutor's classes (its training subset, or all) without the removed ones, plus the added ones. */
    static List<String> updateClasses(Checkpoint tutor, ClassList classes, Set<String> added, Set<String> removed) {
        List<String> base = tutor.manifest().data() != null && tutor.manifest().data().classSubset() != null
                ? tutor.manifest().data().classSubset() : classes.names();
        return DeltaManifest.updateClasses(base, added, removed);
    }

    private static Map<String, double[]> perClassAp(EvalResult before, EvalResult after) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (ClassResult b : before.classes()) {
            ClassResult a = after.find(b.name());
            m.put(b.name(), new double[] {Math.round(b.ap() * 1000) / 10.0, a == null ? Double.NaN
                    : Math.round(a.ap() * 1000) / 10.0});
        }
        return m;
    }

    static DeltaDecision decision(String id, String status, String reason, Map<String, double[]> ap, long version) {
        return new DeltaDecision(id, status, reason, ap, version, List.of(), Instant.now().toString());
    }
}
