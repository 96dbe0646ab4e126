package org.diredi.bench.rollout;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.broker.Passwords;
import org.diredi.cloud.AuditLog;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.fleet.Artifact;
import org.diredi.cloud.fleet.DeviceRecord;
import org.diredi.cloud.fleet.Fleet;
import org.diredi.cloud.fleet.OtaSender;
import org.diredi.cloud.fleet.RolloutSettings;
import org.diredi.edge.model.HealthCheck;
import org.diredi.export.DeviceExport;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.UpdateManifest;
import org.diredi.profiles.DeviceProfile;
import org.diredi.profiles.Profiles;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.MachineFacts;

/**
 * {@code diredi bench rollout}: the cloud's staged rollout ({@link Fleet}: canaries, their healthy time,
 * then the rest on their customer's and profile's fan-out topic, both sent by {@link OtaSender}) of the edge model to
 * {@code cameras} {@link SimulatedCamera}s on the embedded broker on loopback, all in this JVM. Timed from
 * the release to the last camera's APPLIED, with the phases in between.
 */
public final class RolloutBenchmark {

    /**
     * @param model             the edge model: an exported .onnx, or a checkpoint exported here for the cpu profile
     * @param healthySeconds    how long the canaries run it before the rest get it (cloud.yaml rollout.healthySeconds)
     * @param statusEverySeconds each camera's status period (edge.yaml statusEverySeconds)
     */
    public record Settings(int cameras, Path model, int canaries, long healthySeconds, long statusEverySeconds,
                           double targetSeconds, Path out) {}

    /** One timed phase; {@code seconds} from the release unless {@code fromRelease} is false. */
    public record Phase(String name, double seconds, boolean fromRelease) {}

    public record Result(int cameras, int applied, long modelBytes, int chunkBytes, List<Phase> phases, double seconds,
                         double targetSeconds, boolean met, Map<String, Object> machine, String settings) {}

    static final String CUSTOMER = "bench";

    /** The broker, the accounts' password, the manufacturer's keys and the scratch folder of one run. */
    private record Rig(EmbeddedBroker broker, String secret, KeyPair keys, Path dir) {}

    private RolloutBenchmark() {}

    public static Result run(Settings s, PrintStream log) throws Exception {
        Path dir = s.out().resolve("scratch");
        AtomicFiles.deleteTree(dir);
        Files.createDirectories(dir);
        Path model = model(s.model(), dir, log);
        KeyPair keys = Ed25519.generate();
        String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        // 1000 PBKDF2 rounds (the broker's minimum): a thousand full-strength hashes would cost minutes of
        // CPU before anything is measured, and these accounts live for this run only
        String hash = Passwords.hash(secret.toCharArray(), 1000);
        List<String> ids = new ArrayList<>();
        List<BrokerConfig.User> users = new ArrayList<>(List.of(new BrokerConfig.User("cloud", hash,
                BrokerConfig.CLOUD, null, null)));
        for (int i = 0; i < s.cameras(); i++) {
            String id = String.format("cam-%04d", i);
            ids.add(id);
            users.add(new BrokerConfig.User(id, hash, BrokerConfig.DEVICE, CUSTOMER, id, "cpu"));
        }
        List<SimulatedCamera> cams = new ArrayList<>();
        ScheduledExecutorService statuses = Executors.newScheduledThreadPool(2);
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.defaults().withPort(0)
                .withDataDir(dir.resolve("broker")).withUsers(users))) {
            Path pub = dir.resolve("manufacturer.pub.pem");
            Ed25519.writePublicKey(pub, keys.getPublic());
            DeviceProfile cpu = Profiles.resolve("cpu");
            HealthCheck health = SimulatedCamera.noInference(cpu);
            for (String id : ids) {
                SimulatedCamera c = new SimulatedCamera(broker.serverUri(), CUSTOMER, id, secret, cpu, health,
                        keys.getPublic(), dir.resolve("cams").resolve(id));
                c.install(model);
                cams.add(c);
            }
            connect(cams, log);
            long period = s.statusEverySeconds() * 1000L;
            for (int i = 0; i < cams.size(); i++) {
                SimulatedCamera c = cams.get(i);
                statuses.scheduleAtFixedRate(c::publishStatus, i * period / cams.size(), period, TimeUnit.MILLISECONDS);
            }
            try {
                return rollout(s, new Rig(broker, secret, keys, dir), ids, cams, model, log);
            } finally {
                statuses.shutdownNow();
                cams.forEach(SimulatedCamera::close); // before the broker, which would drop them
            }
        } finally {
            AtomicFiles.deleteTree(dir); // a copy of the model per camera: gigabytes at 1,000
        }
    }

    /** The release, timed: the cloud's fleet exactly as CloudService runs it, on its own broker session. */
    private static Result rollout(Settings s, Rig rig, List<String> ids, List<SimulatedCamera> cams, Path model,
                                  PrintStream log) throws Exception {
        Path dir = rig.dir();
        KeyPair keys = rig.keys();
        int chunk = CloudConfig.DEFAULTS.chunkBytes();
        CloudConfig.Customer customer = new CloudConfig.Customer("tutor.ckpt", "edge.ckpt", "cpu/edge", 0,
                ids.stream().map(d -> new CloudConfig.Device(d, "cpu")).toList(), List.of());
        AuditLog audit = new AuditLog(dir.resolve("cloud/audit.jsonl"));
        MqttLink link = new MqttLink(MqttLink.Options.of(rig.broker().serverUri(), "cloud")
                .withCredentials("cloud", rig.secret()).withSession(false, 3600)
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(120), Duration.ofSeconds(30)));
        RolloutSettings rs = new RolloutSettings(s.canaries(), 0.0, s.healthySeconds(), 600, Map.of());
        try (Fleet fleet = new Fleet(Fleet.dir(dir.resolve("cloud")), rs, () -> Map.of(CUSTOMER, customer), audit,
                log)) {
            fleet.attach(link, new OtaSender(link, keys.getPrivate(), keys.getPublic(), audit, Duration.ofHours(1),
                    chunk));
            link.connect();
            fleet.start();
            await("the cloud hears every camera on v0", 300, () -> heard(fleet, ids, 0), log);
            Artifact a = release(model, dir, keys);
            log.printf("bench: rolling v1 (%,d bytes) out to %d cameras: %d canary(ies), healthy %d s%n",
                    Files.size(model), ids.size(), s.canaries(), s.healthySeconds());
            Instant t0 = Instant.now();
            Fleet.Plan plan = fleet.begin(new Fleet.Release(CUSTOMER, 1, "bench-v1", Map.of("cpu", a)));
            await("every camera applied v1", 1800, () -> cams.stream().allMatch(c -> c.appliedAt() != null), log);
            await("the cloud's record shows every camera on v1", 300, () -> heard(fleet, ids, 1), log);
            Instant recorded = Instant.now();
            timeline(audit, t0, plan, log);
            return result(s, t0, plan, at(audit, "ROLLOUT_COMPLETE", false), recorded, cams, audit, Files.size(model),
                    chunk);
        } finally {
            link.close();
        }
    }

    private static Result result(Settings s, Instant t0, Fleet.Plan plan, Instant promoted, Instant recorded,
                                 List<SimulatedCamera> cams, AuditLog audit, long bytes, int chunk) {
        Instant canary = cams.stream().filter(c -> plan.canaries().contains(c.id())).map(SimulatedCamera::appliedAt)
                .max(Instant::compareTo).orElse(t0);
        Instant all = cams.stream().map(SimulatedCamera::appliedAt).max(Instant::compareTo).orElseThrow();
        Instant lastSent = at(audit, "SHIPPED", true);
        List<Phase> phases = new ArrayList<>();
        phases.add(new Phase("canary: sent, received, verified, applied", secs(t0, canary), true));
        phases.add(new Phase("canary proven (APPLIED + healthy " + s.healthySeconds() + " s + a status after it)",
                secs(t0, promoted), true));
        phases.add(new Phase("the rest: the cloud's last send (" + (cams.size() - plan.canaries().size())
                + " cameras, one fan-out publish per profile)", secs(promoted, lastSent), false));
        phases.add(new Phase("the rest: last camera applied", secs(promoted, all), false));
        phases.add(new Phase("release -> every camera applied", secs(t0, all), true));
        phases.add(new Phase("release -> the cloud's record shows every camera on v1", secs(t0, recorded), true));
        int applied = (int) cams.stream().filter(c -> c.activeVersion() == 1).count();
        double total = secs(t0, all);
        String settings = String.format("%d canary(ies), healthySeconds %d, status every %d s, chunk %,d bytes",
                s.canaries(), s.healthySeconds(), s.statusEverySeconds(), chunk);
        return new Result(cams.size(), applied, bytes, chunk, phases, total, s.targetSeconds(),
                applied == cams.size() && total < s.targetSeconds(), MachineFacts.cpu(), settings);
    }

    // ---- setup

    /** An exported .onnx as is; a checkpoint exported for the cpu profile, as the cloud exports it. */
    private static Path model(Path model, Path dir, PrintStream log) throws Exception {
        if (model.toString().endsWith(".onnx")) {
            return model;
        }
        DeviceExport.Result r = DeviceExport.run(DeviceExport.Request.of(model, Profiles.resolve("cpu")),
                dir.resolve("export"));
        if (!r.fits()) {
            throw new IllegalArgumentException(model + ": its export does not fit the cpu profile: " + r.violations());
        }
        log.printf("bench: %s exported for the cpu profile: %s%n", model, r.artifact());
        return r.artifact();
    }

    /** Connects every camera, 8 at a time (each connection is a PBKDF2 check at the broker). */
    private static void connect(List<SimulatedCamera> cams, PrintStream log) throws Exception {
        long t = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> f = new ArrayList<>();
            for (SimulatedCamera c : cams) {
                f.add(pool.submit(() -> {
                    c.connect();
                    c.publishStatus();
                }));
            }
            for (Future<?> x : f) {
                x.get();
            }
        } finally {
            pool.shutdownNow();
        }
        log.printf("bench: %d cameras connected in %.1f s%n", cams.size(), (System.nanoTime() - t) / 1e9);
    }

    private static Artifact release(Path model, Path dir, KeyPair keys) throws Exception {
        Path f = Files.createDirectories(dir.resolve("release")).resolve("edge-v1-cpu.onnx");
        Files.copy(model, f);
        Instant now = Instant.now();
        UpdateManifest m = new UpdateManifest(f.getFileName().toString(), Hashes.sha256Hex(f), Files.size(f), 1, "cpu",
                "cpu/edge", ClassList.FASHION.names(), now.toString(), now.plus(Duration.ofHours(1)).toString(), "0",
                "bench rollout", CUSTOMER);
        return Artifact.sign(m, f, keys.getPrivate(), keys.getPublic(), "bench-v1");
    }

    /** When the audit log recorded {@code event} first (or last). */
    private static Instant at(AuditLog audit, String event, boolean last) {
        return audit.read().stream().filter(e -> event.equals(e.get("event")))
                .map(e -> Instant.parse((String) e.get("at"))).reduce((a, b) -> last ? b : a).orElse(null);
    }

    /** The cloud's side of the canary phase, from its audit log: where those seconds went. */
    private static void timeline(AuditLog audit, Instant t0, Fleet.Plan plan, PrintStream log) {
        for (Map<String, Object> e : audit.read()) {
            Object device = e.get("device");
            if (!"SHIPPED".equals(e.get("event")) && !"OTA_REPORT".equals(e.get("event")) || plan.canaries().contains(
                    String.valueOf(device))) {
                log.printf("bench: %+8.2f s  %s %s%n", secs(t0, Instant.parse((String) e.get("at"))), e.get("event"),
                        device == null ? "" : device);
            }
        }
    }

    private static boolean heard(Fleet fleet, List<String> ids, long version) {
        for (String id : ids) {
            DeviceRecord r = fleet.record().get(CUSTOMER, id);
            if (r == null || r.modelVersion() == null || r.modelVersion() != version) {
                return false;
            }
        }
        return true;
    }

    private static void await(String what, int seconds, BooleanSupplier done, PrintStream log) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("bench rollout: not within " + seconds + " s: " + what);
            }
            Thread.sleep(20);
        }
        log.println("bench: " + what);
    }

    private static double secs(Instant a, Instant b) {
        return b == null ? Double.NaN : Duration.between(a, b).toNanos() / 1e9;
    }

    // ---- report

    /** Writes {@code rollout.md} and {@code rollout.json} into {@code out}; returns the Markdown. */
    public static String write(Result r, Path out) throws Exception {
        String md = RolloutReport.markdown(r);
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("rollout.md"), md);
        AtomicFiles.writeString(out.resolve("rollout.json"), ConfigFiles.toJson(r));
        return md;
    }
}
