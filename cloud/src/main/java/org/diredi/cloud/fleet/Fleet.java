package org.diredi.cloud.fleet;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.diredi.cloud.AuditLog;
import org.diredi.cloud.CloudConfig;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.vision.config.ConfigFiles;

/**
 * The cloud's view of its cameras and the way updates reach them. It listens to every device's retained
 * status and OTA reports, keeps the durable {@link FleetRecord}, and runs the staged rollout
 * ({@link RolloutMachine}) on its own thread, so the delta worker only waits for the canaries to be sent,
 * never for them to prove the update. Lives in {@code <workDir>/fleet}: {@code devices.json},
 * {@code rollouts/<customer>.json}, {@code requests/} (what {@code diredi fleet rollback} leaves for it).
 */
public final class Fleet implements AutoCloseable {

    /** An accepted update, exported and signed per profile, ready to roll out. */
    public record Release(String customer, long version, String transferId, Map<String, Artifact> artifacts) {}

    /** Who gets a release first and who after. */
    public record Plan(List<String> canaries, List<String> rest, long healthySeconds) {
        public List<String> devices() {
            List<String> all = new ArrayList<>(canaries);
            all.addAll(rest);
            return all;
        }

        public String summary() {
            if (rest.isEmpty()) {
                return "sent to " + canaries.size() + " device(s)" + (canaries.isEmpty() ? "" : " " + canaries);
            }
            if (canaries.isEmpty()) {
                return "sent to " + rest.size() + " device(s) at once";
            }
            return "sent to canary " + String.join(", ", canaries) + " first; " + rest.size()
                    + " more device(s) follow once the canaries run it healthily for " + healthySeconds + " s";
        }
    }

    static final long TICK_MILLIS = 500;

    private final Path dir;
    private final Supplier<Map<String, CloudConfig.Customer>> customers;
    private final AuditLog audit;
    private final PrintStream out;
    private final FleetRecord record;
    private final RolloutMachine machine;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cloud-fleet");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param dir       the fleet folder ({@link #dir(Path)} of the cloud's work folder)
     * @param customers the customers and their cameras as the cloud knows them now
     */
    public Fleet(Path dir, RolloutSettings settings, Supplier<Map<String, CloudConfig.Customer>> customers,
                 AuditLog audit, PrintStream out) {
        this.dir = dir;
        this.customers = customers;
        this.audit = audit;
        this.out = out;
        try {
            Files.createDirectories(dir.resolve("rollouts"));
            Files.createDirectories(dir.resolve("requests"));
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot prepare the fleet folder (" + e.getMessage() + ")", e);
        }
        this.record = new FleetRecord(dir.resolve(FleetRecord.FILE));
        this.machine = new RolloutMachine(dir.resolve("rollouts"), settings, customers, record, audit, out);
        syncConfigured();
        record.flush();
    }

    /** The fleet folder under a cloud work folder. */
    public static Path dir(Path workDir) {
        return workDir.resolve("fleet");
    }

    public FleetRecord record() {
        return record;
    }

    /** A customer's rollout state as it stands. */
    public CustomerRollout rollout(String customer) {
        return call(() -> machine.state(customer));
    }

    /** Listens to every device's status and reports on {@code link} (call before it connects) and sends with {@code sender}. */
    public void attach(MqttLink link, OtaSender sender) {
        thread.execute(() -> machine.sender(sender));
        link.subscribe(Topics.ALL_STATUS, 1, (t, p, u) -> heard(t, p, true));
        link.subscribe(Topics.ALL_OTA_REPORTS, 1, (t, p, u) -> heard(t, p, false));
    }

    /** Makes the customer's current model for a profile no release holds, for cameras that start without a model. */
    public void provision(Provisioner p) {
        thread.execute(() -> machine.provisioner(p));
    }

    /** Starts the timer: canaries that ran long enough, failed sends, rollback requests, the record's writes. */
    public void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Starts rolling {@code r} out (canaries first); returns once the canaries were sent it. */
    public Plan begin(Release r) {
        return call(() -> machine.begin(r));
    }

    /** On Paho's thread: the record is updated at once, the rollout decides on the fleet thread. */
    private void heard(String topic, byte[] payload, boolean status) throws IOException {
        if (payload.length == 0 || thread.isShutdown()) {
            return; // a cleared retained status, or closing
        }
        String c = Topics.customerOf(topic);
        String d = Topics.deviceOf(topic);
        Map<?, ?> m = ConfigFiles.JSON.readValue(payload, Map.class);
        Instant now = Instant.now();
        if (status) {
            record.status(c, d, m, now);
        } else {
            DeviceRecord r = record.report(c, d, m, now);
            audit.record("OTA_REPORT", null, c, Map.of("device", d, "report", m));
            out.printf("fleet: %s/%s reports %s%n", c, d, r.lastOutcome());
        }
        thread.execute(() -> guarded(() -> machine.heard(c, d)));
    }

    private void tick() {
        guarded(() -> {
            syncConfigured();
            takeRequests();
            machine.tick();
            record.flush();
        });
    }

    /** Rollback requests left by {@code diredi fleet rollback}, oldest first; each is deleted once applied. */
    private void takeRequests() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir.resolve("requests"))) {
            files = s.filter(p -> p.getFileName().toString().matches("\\d+-.+\\.json")).sorted().toList();
        }
        for (Path f : files) {
            machine.rolledBack(RollbackRequest.read(f));
            Files.delete(f);
        }
    }

    /** Configured cameras not heard from yet get a record ("never seen"), so the fleet view lists them. */
    private void syncConfigured() {
        customers.get().forEach((c, cust) -> cust.devices().forEach(d -> record.ensure(c, d.id(), d.profile())));
    }

    private interface Step {
        void run() throws Exception;
    }

    private void guarded(Step s) {
        try {
            s.run();
        } catch (Exception | AssertionError e) { // a periodic task that throws is never run again
            System.err.println("fleet: " + e);
            e.printStackTrace();
        }
    }

    private <T> T call(java.util.concurrent.Callable<T> c) {
        try {
            return thread.submit(c).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        record.flush();
    }
}
