package org.diredi.bench.workers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.diredi.bench.training.ChildJvm;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.CloudService;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.gate.GatePolicy;
import org.diredi.messaging.DeltaDecision;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferSender;
import org.diredi.vision.config.ConfigFiles;

/**
 * One run of the cloud with separate worker processes on loopback: the embedded broker (a cloud and a
 * worker account), the intake ({@link CloudService} with {@code jobs.shared}) in this JVM, {@code workers}
 * child JVMs running {@code cloud serve --worker} on the same work folder, and {@code customers x
 * deltasPerCustomer} uploads of the fixture's delta (every customer starts from the same tiny models, its
 * first delta's path: Eq. 10, a permissive gate, Distill C of one epoch, export, signing). Optionally one
 * worker is killed with SIGKILL while it decides a job (after that job's Eq. 10, before its decision).
 *
 * @param workerMain the main class of the {@code diredi} command (its {@code cloud serve --worker} runs in each child)
 */
public final class WorkersRun {

    /**
     * @param warmUp first one delta per worker from customers of its own ({@code w0}, ...), decided before the
     *               clock starts, so that each worker JVM has loaded libtorch and compiled its hot code
     */
    public record Settings(int customers, int deltasPerCustomer, int workers, boolean killOne, long redeliverSeconds,
                           String workerMain, long timeoutSeconds, boolean warmUp) {
        public int deltas() {
            return customers * deltasPerCustomer;
        }
    }

    /**
     * What happened: every decision the intake made, per transfer id (a list, so a second decision would
     * show), the audit log, the wall time from the first upload to the last decision, the killed worker.
     */
    public record Result(Settings settings, double seconds, Map<String, List<DeltaDecision>> decisions,
                         List<Map<String, Object>> audit, String killedJob, long killedPid, Map<String, Long> versions) {
        public double perHour() {
            return decisions.size() / seconds * 3600;
        }
    }

    private static final String PASSWORD = "pw";

    private WorkersRun() {}

    public static Result run(WorkersFixture f, Path dir, Settings s, PrintStream out) throws Exception {
        Files.createDirectories(dir);
        String h = BrokerConfig.hashPassword(PASSWORD.toCharArray());
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.defaults().withPort(0)
                .withDataDir(dir.resolve("broker")).withUsers(List.of(
                        new BrokerConfig.User("cloud", h, BrokerConfig.CLOUD, null, null),
                        new BrokerConfig.User("worker", h, BrokerConfig.WORKER, null, null))))) {
            Map<String, Object> settings = settings(f, dir, broker.serverUri(), s);
            Path workerConfig = dir.resolve("worker-cloud.yaml");
            Map<String, Object> w = new HashMap<>(settings);
            w.put("username", "worker");
            Files.writeString(workerConfig, ConfigFiles.toJson(w));
            CloudConfig intake = CloudConfig.DEFAULTS.with(settings);
            Map<String, List<DeltaDecision>> decisions = new ConcurrentHashMap<>();
            List<Process> workers = new ArrayList<>();
            try (CloudService cloud = new CloudService(intake, out)) {
                cloud.onDecision(d -> decisions.computeIfAbsent(d.transferId(), k -> new CopyOnWriteArrayList<>()).add(d));
                cloud.start();
                for (int i = 0; i < s.workers(); i++) {
                    workers.add(startWorker(s, workerConfig, dir.resolve("worker-" + i + ".log")));
                }
                for (int i = 0; i < s.workers(); i++) {
                    awaitReady(workers.get(i), dir.resolve("worker-" + i + ".log"));
                }
                if (s.warmUp()) {
                    warmUp(f, broker.serverUri(), s, decisions);
                }
                long t0 = System.nanoTime();
                upload(f, broker.serverUri(), s, "c", s.customers(), s.deltasPerCustomer());
                long[] killed = watch(cloud, workers, decisions, s, out);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Long> versions = new HashMap<>();
                intake.customers().forEach((id, c) -> versions.put(id, cloud.state(id, c).version()));
                String killedJob = killed[0] < 0 ? null : (String) cloud.audit().read().get((int) killed[0]).get("transferId");
                return new Result(s, seconds, Map.copyOf(decisions), cloud.audit().read(), killedJob, killed[1], versions);
            } finally {
                for (Process p : workers) {
                    p.destroy();
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    /** cloud.yaml's settings for the run (the workers' copy differs only in its account). */
    private static Map<String, Object> settings(WorkersFixture f, Path dir, String broker, Settings s) throws IOException {
        KeyPair keys = Ed25519.generate();
        Ed25519.writePrivateKey(dir.resolve("manufacturer.key.pem"), keys.getPrivate());
        Ed25519.writePublicKey(dir.resolve("manufacturer.pub.pem"), keys.getPublic());
        Map<String, Object> customers = new HashMap<>();
        for (int c = 0; c < s.customers() + (s.warmUp() ? s.workers() : 0); c++) {
            customers.put((c < s.customers() ? "c" + c : "w" + (c - s.customers())), new CloudConfig.Customer(
                    f.tutor().toString(), f.edge().toString(), "tiny/edge", 0, List.of(new CloudConfig.Device("cam", "cpu"))));
        }
        Map<String, Object> m = new HashMap<>();
        m.put("broker", broker);
        m.put("username", "cloud");
        m.put("password", PASSWORD);
        m.put("signingKey", dir.resolve("manufacturer.key.pem").toString());
        m.put("publicKey", dir.resolve("manufacturer.pub.pem").toString());
        m.put("workDir", dir.resolve("cloud").toString());
        m.put("data", f.data().toString());
        m.put("gate", new GatePolicy(Map.of(), 100.0, -100.0, null)); // the run is about the queue, not the gate
        m.put("distillCEpochs", 1);
        m.put("distillCBatch", 4);
        m.put("distillCFeatureWeight", 1f);
        m.put("customers", customers);
        m.put("jobs", Map.of("shared", true, "group", "cloud-workers", "redeliverSeconds", s.redeliverSeconds()));
        return m;
    }

    private static Process startWorker(Settings s, Path config, Path log) throws IOException {
        List<String> options = new ArrayList<>(ChildJvm.inheritedOptions());
        options.add("-Xmx1g");
        return ChildJvm.start(System.getProperty("java.class.path"), options, s.workerMain(),
                List.of("cloud", "serve", "--worker", "--config", config.toString()), log);
    }

    /** Waits until the worker took its subscription (a job announced before would go to the others only). */
    private static void awaitReady(Process p, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(Files.exists(log) && Files.readString(log).contains("taking jobs from"))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the worker did not start; see " + log + ":\n"
                        + ChildJvm.tail(Files.exists(log) ? Files.readString(log) : ""));
            }
            Thread.sleep(100);
        }
    }

    /** One delta per worker, decided before the clock starts; their decisions are then forgotten. */
    private static void warmUp(WorkersFixture f, String broker, Settings s, Map<String, List<DeltaDecision>> decisions)
            throws IOException, InterruptedException {
        upload(f, broker, s, "w", s.workers(), 1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.timeoutSeconds());
        while (decisions.size() < s.workers() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        decisions.clear();
    }

    /** Each customer's k-th delta after every customer's (k-1)-th, as customers' PCs would send them. */
    private static void upload(WorkersFixture f, String broker, Settings s, String prefix, int customers, int perCustomer)
            throws IOException {
        byte[] manifest = ConfigFiles.toJson(KnowledgeDelta.read(f.delta()).manifest()).getBytes(StandardCharsets.UTF_8);
        try (MqttLink link = new MqttLink(MqttLink.Options.of(broker, "cloud.uploader-" + prefix)
                .withCredentials("cloud", PASSWORD))) {
            link.connect();
            for (int k = 0; k < perCustomer; k++) {
                for (int c = 0; c < customers; c++) {
                    TransferSender.send(link, Topics.delta(prefix + c), prefix + c + "-" + k, manifest, f.delta(), 65536,
                            (sent, total) -> { });
                }
            }
        }
    }

    /**
     * Until every delta has a decision: kills a worker (SIGKILL) once one has applied a delta (Eq. 10) and not
     * decided it yet, when asked. Returns the audit line of that job's APPLIED entry and the killed pid (-1, -1: none).
     */
    private static long[] watch(CloudService cloud, List<Process> workers, Map<String, List<DeltaDecision>> decisions,
                                Settings s, PrintStream out) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.timeoutSeconds());
        long[] killed = {-1, -1};
        while (decisions.size() < s.deltas()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(decisions.size() + " of " + s.deltas() + " deltas decided in "
                        + s.timeoutSeconds() + " s");
            }
            if (s.killOne() && killed[1] < 0) {
                List<Map<String, Object>> audit = cloud.audit().read();
                for (int i = 0; i < audit.size() && killed[1] < 0; i++) {
                    Map<String, Object> e = audit.get(i);
                    if ("APPLIED".equals(e.get("event")) && !decisions.containsKey((String) e.get("transferId"))) {
                        killed[1] = kill(workers, (String) e.get("worker"), out);
                        killed[0] = killed[1] < 0 ? -1 : i;
                    }
                }
            }
            Thread.sleep(100);
        }
        return killed;
    }

    /** SIGKILL (destroyForcibly) to the worker named {@code worker-<host>-<pid>}, if it is one of ours. */
    private static long kill(List<Process> workers, String worker, PrintStream out) {
        if (worker == null) {
            return -1;
        }
        long pid = Long.parseLong(worker.substring(worker.lastIndexOf('-') + 1));
        for (Process p : workers) {
            if (p.pid() == pid && p.isAlive()) {
                p.destroyForcibly();
                out.println("workers: killed " + worker + " (SIGKILL) while it decided a job");
                return pid;
            }
        }
        return -1;
    }
}
