package org.diredi.cloud;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.diredi.cloud.fleet.Artifact;
import org.diredi.cloud.fleet.CustomerRollout;
import org.diredi.cloud.fleet.Fleet;
import org.diredi.cloud.fleet.OtaSender;
import org.diredi.cloud.jobs.JobDispatcher;
import org.diredi.cloud.jobs.JobStore;
import org.diredi.cloud.merge.MergeWindow;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.messaging.DeltaDecision;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferReceiver;

/**
 * The manufacturer's delta intake (paper steps 6-8). Deltas arrive as chunked transfers on every
 * customer's delta topic; each complete one is first made durable in the job store (so a delta
 * received before a restart is not lost), then decided ({@link Decider}: validate, apply (Eq. 10),
 * verification gate, Distill C, export for each device profile, sign), and finished here: the OTA update
 * rolled out to that customer's devices only (canaries first, see {@link Fleet}), the customer answered,
 * every step in the audit log.
 *
 * <p>One receiver owns the transfers (shared subscriptions would split one delta's chunks across
 * processes). It decides the deltas itself, one at a time, or, with {@code jobs.shared}, announces each as
 * a job that {@code cloud serve --worker} processes ({@link CloudWorker}) take through a shared subscription
 * ({@link JobDispatcher}); the rollout and the answer stay here, where the fleet's state is. With the merge
 * window on ({@code merge.windowSeconds}), the deltas of one group arriving within it are decided as one merged
 * update ({@link MergedDecision}; the window's bookkeeping is {@link MergeWindow}).
 */
public final class CloudService implements AutoCloseable {

    /** Where a customer is now: its current tutor and edge model and the last shipped version. */
    public record CustomerState(String tutor, String edge, long version) {}

    /** What the intake and the workers read from the configuration alike. */
    record Parts(CloudConfig config, Customers customers, AuditLog audit, PrivateKey signingKey, PublicKey publicKey,
                 PrintStream out) {
        static Parts of(CloudConfig config, PrintStream out) {
            Path work = Path.of(config.workDir());
            return new Parts(config, Customers.of(config, work, out), new AuditLog(work.resolve("audit.jsonl")),
                    Ed25519.readPrivateKey(Path.of(config.signingKey())), Ed25519.readPublicKey(Path.of(config.publicKey())),
                    out);
        }
    }

    private final CloudConfig config;
    private final Customers customers;
    private final Path work;
    private final AuditLog audit;
    private final PrivateKey signingKey;
    private final PublicKey publicKey;
    private final PrintStream out;
    private final JobStore store;
    private final Decider decider;
    private final MergedDecision merged;
    private final MergeWindow window; // null: merging is off, each delta is decided alone
    private final Set<String> audited = new HashSet<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cloud-worker");
        t.setDaemon(true);
        return t;
    });
    private final List<Consumer<DeltaDecision>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Fleet fleet;
    private MqttLink link;
    private JobDispatcher dispatcher;

    public CloudService(CloudConfig config, PrintStream out) {
        Parts p = Parts.of(config, out); // an invalid registry stops the start here
        this.config = config;
        this.out = out;
        this.work = Path.of(config.workDir());
        this.audit = p.audit();
        this.signingKey = p.signingKey();
        this.publicKey = p.publicKey();
        this.customers = p.customers();
        this.store = new JobStore(work.resolve("queue"));
        this.decider = new Decider(p, store, "cloud");
        this.merged = new MergedDecision(p, store, decider);
        this.window = config.merge().on() ? new MergeWindow(Duration.ofSeconds(config.merge().windowSeconds()),
                g -> worker.submit(() -> processGroup(g))) : null;
        try {
            Files.createDirectories(work.resolve("customers"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        audit.read().stream().filter(e -> "DECIDED".equals(e.get("event")))
                .forEach(e -> audited.add((String) e.get("transferId")));
        this.fleet = new Fleet(Fleet.dir(work), config.rollout(), customers::all, audit, out);
    }

    /** The cameras as the cloud sees them, and the staged rollout of updates to them. */
    public Fleet fleet() {
        return fleet;
    }

    public AuditLog audit() {
        return audit;
    }

    /** Called with every decision (the demo and tests watch these). */
    public void onDecision(Consumer<DeltaDecision> l) {
        listeners.add(l);
    }

    /** Connects, resumes queued deltas from before a restart, and starts receiving. */
    public void start() {
        link = new MqttLink(MqttLink.Options.of(config.broker(), config.username())
                .withCredentials(config.username(), config.secret())
                .withSession(false, 7 * 24 * 3600L)
                .withPersistenceDir(work.resolve("mqtt"))
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(120), Duration.ofSeconds(30))
                .withCaCertificate(config.brokerCaCertificate() == null ? null : Path.of(config.brokerCaCertificate())));
        TransferReceiver receiver = new TransferReceiver(Topics.ALL_DELTAS, work.resolve("incoming"),
                config.maxDeltaBytes(), new TransferReceiver.Listener() {
                    @Override
                    public void onComplete(TransferReceiver.Transfer t) throws IOException {
                        enqueue(t.transferId(), Topics.customerOf(t.baseTopic()), t.payload());
                    }

                    @Override
                    public void onFailed(String id, String reason) {
                        audit.record("TRANSFER_FAILED", id, null, Map.of("reason", reason));
                    }

                    @Override
                    public void onCorruptChunk(String id, int index, String reason) {
                        audit.record("CORRUPT_CHUNK", id, null, Map.of("chunk", index, "reason", reason));
                    }
                });
        receiver.attach(link, 1);
        fleet.attach(link, new OtaSender(link, signingKey, publicKey, audit, Duration.ofHours(config.otaExpiryHours()),
                config.chunkBytes()));
        fleet.provision(this::provision);
        if (config.jobs().shared()) {
            dispatcher = new JobDispatcher(store, link, config.jobs(), this::finish, out);
        }
        link.connect();
        fleet.start();
        if (dispatcher != null) {
            dispatcher.start();
        } else {
            for (String id : pending()) {
                out.println("cloud: resuming queued delta " + id);
                admit(id);
            }
        }
        out.println("cloud: receiving deltas on " + Topics.ALL_DELTAS + " for the customers of " + customers.source()
                + (dispatcher == null ? "" : "; decided by the workers of " + Topics.sharedJobs(config.jobs().group())));
    }

    /** Makes a received delta durable (write, then rename), then hands it to the worker or announces it. */
    void enqueue(String transferId, String customer, Path payload) throws IOException {
        JobStore.Job j = store.enqueue(transferId, customer, payload).orElse(null);
        if (j == null) {
            return; // a duplicate completion: already queued or decided
        }
        audit.record("RECEIVED", transferId, customer, Map.of("bytes", j.bytes(), "sha256", j.sha256()));
        if (dispatcher != null) {
            dispatcher.wake();
        } else {
            admit(transferId);
        }
    }

    /** To the worker now, or, with the merge window on, into its group's window (decided when it closes). */
    private void admit(String transferId) {
        JobStore.Job job = window == null ? null : store.job(transferId).orElse(null);
        if (job == null) {
            worker.submit(() -> process(transferId));
            return;
        }
        window.offer(new MergeWindow.Entry(transferId, job.customer()),
                e -> MergedDecision.group(customers, store, job), e -> worker.submit(() -> process(transferId)));
    }

    /** A closed merge window's deltas: merged and decided as one update, then each finished; or one by one. */
    void processGroup(List<MergeWindow.Entry> group) {
        List<String> ids = group.stream().map(MergeWindow.Entry::transferId).toList();
        try {
            List<JobStore.Job> jobs = new java.util.ArrayList<>();
            for (String id : ids) {
                jobs.add(store.job(id).orElseThrow(() -> new IOException("no job " + id)));
            }
            if (jobs.size() > 1 && merged.take(jobs)) {
                for (String id : ids) {
                    finish(id);
                }
                return;
            }
        } catch (IOException | RuntimeException e) {
            out.println("cloud: merged deltas " + ids + " left queued: " + e);
            return;
        }
        ids.forEach(this::process);
    }

    /** Queued deltas without a decision, oldest first. */
    List<String> pending() {
        return store.pending();
    }

    /** One queued delta to its decision in this process; null when it could not be decided now (left queued). */
    DeltaDecision process(String transferId) {
        try {
            JobStore.Job job = store.job(transferId).orElseThrow(() -> new IOException("no job " + transferId));
            if (decider.take(job) == Decider.Outcome.HELD_ELSEWHERE) {
                out.println("cloud: delta " + transferId + ": its customer is locked by a worker; left queued");
                return null;
            }
            return finish(transferId);
        } catch (IOException | RuntimeException e) {
            out.println("cloud: delta " + transferId + " left queued: " + e);
            return null;
        }
    }

    /**
     * A decided job to its end, once: the customer's state, the rollout (canaries first), the audit entry,
     * the final decision in the job store, the answer to the customer. Each step is skipped when a previous
     * run did it, so a job finished again after a crash is rolled out and audited once.
     */
    synchronized DeltaDecision finish(String transferId) throws IOException {
        DeltaDecision done = store.done(transferId).orElse(null);
        JobStore.Verdict v = store.verdict(transferId).orElse(null);
        if (done != null || v == null) {
            return done;
        }
        decider.record(v);
        DeltaDecision d = v.decision();
        if (d.accepted()) {
            Fleet.Plan plan = plan(transferId, v);
            d = new DeltaDecision(transferId, d.status(), d.reason() + " " + new OtaShipper.Prepared(v.artifacts(),
                    v.refused()).summary(plan.summary()), d.perClassAp(), d.modelVersion(), plan.devices(), d.at());
        }
        if (audited.add(transferId)) {
            audit.record("DECIDED", transferId, v.customer(), Map.of("status", d.status(), "reason", d.reason(),
                    "modelVersion", d.modelVersion(), "devices", d.devices()));
        }
        store.done(transferId, d);
        out.printf("cloud: delta %s from %s: %s (%s)%n", transferId, v.customer(), d.status(), d.reason());
        String customer = v.customer();
        if (link != null && customer != null && customer.matches("[A-Za-z0-9_-]{1,64}")) {
            link.publish(Topics.decision(customer), d.toJson(), 1, false, Map.of());
        }
        for (Consumer<DeltaDecision> l : listeners) {
            l.accept(d);
        }
        return d;
    }

    /** The rollout of an accepted verdict: the one begun for it before a crash, or a new one (canaries first). */
    private Fleet.Plan plan(String transferId, JobStore.Verdict v) {
        CustomerRollout.Rollout r = fleet.rollout(v.customer()).rollout();
        if (r != null && transferId.equals(r.transferId())) {
            return new Fleet.Plan(r.canaries(), r.rest(), config.rollout().healthySeconds());
        }
        return fleet.begin(new Fleet.Release(v.customer(), v.decision().modelVersion(), transferId, v.artifacts()));
    }

    /**
     * The customer's current edge model, exported for {@code profile} and signed, for cameras that start
     * without a model (on the fleet thread); null when {@code version} is not the customer's current one
     * (its checkpoint is not at hand) or the export does not fit the profile (audited as REFUSED).
     */
    private Artifact provision(String customer, long version, String profile) throws IOException {
        CloudConfig.Customer c = customers.get(customer).orElse(null);
        if (c == null) {
            return null;
        }
        CustomerState st = customers.state(customer, c);
        if (st.version() != version) {
            return null;
        }
        String id = "model-" + customer + "-v" + version + "-" + profile;
        Path job = work.resolve("jobs").resolve(id);
        Files.createDirectories(job);
        Path edge = Path.of(st.edge());
        OtaShipper.Prepared p = new OtaShipper(signingKey, publicKey, audit, config).prepare(
                new OtaShipper.Release(customer, c.edgePreset(), edge, Checkpoint.read(edge).classes().names(), version,
                        version - 1, id), c.devices().stream().filter(d -> d.profile().equals(profile)).toList(), job);
        return p.artifacts().get(profile);
    }

    /** The customer's state: after an update the updated models, else the configured (or enrolled) start. */
    public CustomerState state(String customer, CloudConfig.Customer c) {
        return customers.state(customer, c);
    }

    /** The customer as the cloud sees it now (the registry as last changed), or empty for a stranger. */
    public Optional<CloudConfig.Customer> customer(String id) {
        return customers.get(id);
    }

    /** Waits for queued work to finish (tests, the demo). */
    public void drain(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!pending().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        if (window != null) {
            window.close();
        }
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (dispatcher != null) {
            dispatcher.close();
        }
        fleet.close();
        if (link != null) {
            link.close();
        }
    }
}
