package org.diredi.cloud;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.diredi.cloud.fleet.Artifact;
import org.diredi.cloud.fleet.Fleet;
import org.diredi.cloud.fleet.OtaSender;
import org.diredi.cloud.update.ManufacturerUpdate;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.model.Presets;
import org.diredi.core.train.TrainConfig;
import org.diredi.messaging.DeltaDecision;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferReceiver;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.io.AtomicFiles;

/**
 * The manufacturer's delta intake (paper steps 6-8). Deltas arrive as chunked transfers on every
 * customer's delta topic; each complete one is first made durable in a queue folder (so a delta
 * received before a restart is not lost), then one worker takes them in order: validate, apply
 * (Eq. 10), verification gate, Distill C, export for each device profile, sign, roll the OTA update out
 * to that customer's devices only (canaries first, see {@link Fleet}), answer the customer, and log every
 * step in the audit log.
 *
 * <p>One receiver owns the transfers (shared subscriptions would split one delta's chunks across
 * workers); scale out by running the heavy worker part on several machines behind a job queue.
 */
public final class CloudService implements AutoCloseable {

    /** Where a customer is now: its current tutor and edge model and the last shipped version. */
    public record CustomerState(String tutor, String edge, long version) {}

    private final CloudConfig config;
    private final Customers customers;
    private final Path work;
    private final AuditLog audit;
    private final PrivateKey signingKey;
    private final PublicKey publicKey;
    private final PrintStream out;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cloud-worker");
        t.setDaemon(true);
        return t;
    });
    private final List<Consumer<DeltaDecision>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Fleet fleet;
    private MqttLink link;

    public CloudService(CloudConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
        this.work = Path.of(config.workDir());
        this.audit = new AuditLog(work.resolve("audit.jsonl"));
        this.signingKey = Ed25519.readPrivateKey(Path.of(config.signingKey()));
        this.publicKey = Ed25519.readPublicKey(Path.of(config.publicKey()));
        this.customers = Customers.of(config, work, out); // an invalid registry stops the start here
        try {
            Files.createDirectories(work.resolve("queue"));
            Files.createDirectories(work.resolve("customers"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        link.connect();
        fleet.start();
        for (String id : pending()) {
            out.println("cloud: resuming queued delta " + id);
            worker.submit(() -> process(id));
        }
        out.println("cloud: receiving deltas on " + Topics.ALL_DELTAS + " for the customers of " + customers.source());
    }

    /** Makes a received delta durable (write, then rename), then hands it to the worker. */
    void enqueue(String transferId, String customer, Path payload) throws IOException {
        Path q = work.resolve("queue");
        if (Files.exists(q.resolve(transferId + ".done")) || Files.exists(q.resolve(transferId + ".job.json"))) {
            return; // a duplicate completion (at-least-once delivery): already queued or decided
        }
        AtomicFiles.write(q.resolve(transferId + ".delta"), o -> Files.copy(payload, o));
        AtomicFiles.writeJson(q.resolve(transferId + ".job.json"), Map.of("transferId", transferId,
                "customer", customer, "receivedAt", Instant.now().toString()));
        audit.record("RECEIVED", transferId, customer, Map.of("bytes", Files.size(payload),
                "sha256", Hashes.sha256Hex(payload)));
        worker.submit(() -> process(transferId));
    }

    /** Queued deltas without a decision, oldest first. */
    List<String> pending() {
        Path q = work.resolve("queue");
        try (Stream<Path> s = Files.list(q)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".job.json"))
                    .map(n -> n.substring(0, n.length() - ".job.json".length()))
                    .filter(id -> !Files.exists(q.resolve(id + ".done")))
                    .sorted((a, b) -> Long.compare(modified(q.resolve(a + ".job.json")), modified(q.resolve(b + ".job.json"))))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** One queued delta to its decision; never throws (a failure is a REJECTED decision with the reason). */
    DeltaDecision process(String transferId) {
        Path q = work.resolve("queue");
        String customer = "?";
        DeltaDecision d;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> job = ConfigFiles.JSON.readValue(q.resolve(transferId + ".job.json").toFile(), Map.class);
            customer = (String) job.get("customer");
            d = decide(transferId, customer, q.resolve(transferId + ".delta"));
        } catch (Exception e) {
            d = decision(transferId, "REJECTED", e.getClass().getSimpleName() + ": " + e.getMessage(), Map.of(), -1,
                    List.of());
        }
        // the audit entry first: a job counts as done (.done) only once its decision is on record
        audit.record("DECIDED", transferId, customer, Map.of("status", d.status(), "reason", d.reason(),
                "modelVersion", d.modelVersion(), "devices", d.devices()));
        try {
            AtomicFiles.writeJson(q.resolve(transferId + ".done"), d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.printf("cloud: delta %s from %s: %s (%s)%n", transferId, customer, d.status(), d.reason());
        if (link != null && customer != null && customer.matches("[A-Za-z0-9_-]{1,64}")) {
            link.publish(Topics.decision(customer), d.toJson(), 1, false, Map.of());
        }
        for (Consumer<DeltaDecision> l : listeners) {
            l.accept(d);
        }
        return d;
    }

    private DeltaDecision decide(String transferId, String customer, Path deltaFile) throws IOException {
        CloudConfig.Customer c = customers.get(customer).orElse(null);
        if (c == null) {
            return decision(transferId, "REJECTED", "unknown customer '" + customer + "'", Map.of(), -1, List.of());
        }
        CustomerState st = customers.state(customer, c);
        KnowledgeDelta delta = KnowledgeDelta.read(deltaFile); // validates hash, names, finiteness
        Path job = work.resolve("jobs").resolve(transferId);
        Files.createDirectories(job);
        ClassList classes = new ClassList(delta.manifest().classes());
        ManufacturerUpdate.Inputs in = new ManufacturerUpdate.Inputs(Path.of(st.tutor()), Path.of(st.edge()),
                Presets.get(c.edgePreset()), delta);
        ManufacturerUpdate.Layout layout = new ManufacturerUpdate.Layout(job.resolve("tutor-updated.ckpt"), job,
                job.resolve("edge-distill-C"));
        // Eq. 10 (refuses a delta made against another tutor, or with other names / shapes), gate, Distill C
        ManufacturerUpdate.Result r = new ManufacturerUpdate(updateSettings(), audited(transferId, customer, delta))
                .run(in, ownData(st, classes, delta), layout);
        Map<String, double[]> ap = perClassAp(r.verification().before(), r.verification().after());
        if (!r.gate().accepted()) {
            return decision(transferId, "REJECTED", "verification gate: " + String.join("; ", r.gate().reasons()), ap,
                    -1, List.of());
        }
        long version = st.version() + 1;
        OtaShipper.Prepared prepared = new OtaShipper(signingKey, publicKey, audit, config).prepare(
                new OtaShipper.Release(customer, c.edgePreset(), r.distillC().checkpoint(), classes.names(), version,
                        st.version(), transferId), c.devices(), job);
        customers.updated(customer, new CustomerState(r.updatedTutor().toString(),
                r.distillC().checkpoint().toString(), version));
        // staged: the canaries are sent it now, the rest once they run it healthily (the fleet's thread)
        Fleet.Plan plan = fleet.begin(new Fleet.Release(customer, version, transferId, prepared.artifacts()));
        return decision(transferId, "ACCEPTED", "gate passed; edge model v" + version + " "
                + prepared.summary(plan.summary()), ap, version, plan.devices());
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

    /** The configured lambda (Eq. 10), gate, Distill C budget and device; a rejected update stops at the gate. */
    private ManufacturerUpdate.Settings updateSettings() {
        TrainConfig t = TrainConfig.DEFAULTS.withEpochs(config.distillCEpochs()).atBatchSize(config.distillCBatch())
                .withDevice(config.device());
        return new ManufacturerUpdate.Settings(config.lambda(), config.gate(), new ManufacturerUpdate.DistillC(t,
                config.distillCTemperature(), config.distillCFeatureWeight()), ManufacturerUpdate.WhenRejected.STOP,
                config.calibration());
    }

    /** The manufacturer's validation and training splits; the update covers the customer's tutor's classes. */
    private ManufacturerUpdate.OwnData ownData(CustomerState st, ClassList classes, KnowledgeDelta delta)
            throws IOException {
        List<String> update = updateClasses(Checkpoint.read(Path.of(st.tutor())), classes,
                new HashSet<>(delta.manifest().classesAdded()), new HashSet<>(delta.manifest().classesRemoved()));
        Path data = Path.of(config.data());
        return new ManufacturerUpdate.OwnData(VocDataset.load(data, config.validationSplit(), classes),
                VocDataset.load(data, config.trainSplit(), classes), update);
    }

    /** Audits the applied delta (Eq. 10) as soon as the updated tutor exists. */
    private ManufacturerUpdate.Listener audited(String transferId, String customer, KnowledgeDelta delta) {
        return new ManufacturerUpdate.Listener() {
            @Override
            public void applied(Path updatedTutor) {
                audit.record("APPLIED", transferId, customer, Map.of("deltaL2Norm", delta.manifest().l2Norm(),
                        "baseTutor", delta.manifest().baseTutorId()));
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

    private static DeltaDecision decision(String id, String status, String reason, Map<String, double[]> ap,
                                          long version, List<String> devices) {
        return new DeltaDecision(id, status, reason, ap, version, devices, Instant.now().toString());
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
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fleet.close();
        if (link != null) {
            link.close();
        }
    }
}
