package org.diredi.cloud.fleet;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.diredi.cloud.AuditLog;
import org.diredi.cloud.CloudConfig;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.RollbackInstruction;
import org.diredi.messaging.Signed;
import org.diredi.messaging.Topics;
import org.diredi.vision.config.ConfigFiles;

/**
 * {@code diredi fleet rollback C --to VERSION}: one signed {@link RollbackInstruction} per camera,
 * published on its {@code ota/rollback} topic (its persistent session keeps it while it is offline).
 * The camera checks it like an update and returns to that version if its model store still holds it,
 * else reports REJECTED; the cloud does not re-ship an old artifact (a camera refuses to install an
 * older version than the one it runs). A version the fleet record shows a camera never had, or no
 * longer holds, is refused here before anything is sent.
 */
public final class FleetRollback {

    /** A camera to instruct, with the profile the instruction names. */
    public record Target(String device, String profile) {}

    /** One camera's answer (its OTA report of kind rollback). */
    public record Answer(String device, String status, long activeVersion, String reason) {}

    /** What was sent, and who answered what within the wait. */
    public record Result(long toVersion, List<String> devices, Map<String, Answer> answers) {
        public boolean allApplied() {
            return devices.stream().allMatch(d -> answers.containsKey(d) && "APPLIED".equals(answers.get(d).status()));
        }
    }

    private FleetRollback() {}

    /**
     * The cameras to instruct, all checked first against the configuration and the fleet record.
     *
     * @param devices empty for every camera of the customer
     * @throws IllegalArgumentException naming every problem; nothing has been sent
     */
    public static List<Target> targets(CloudConfig config, String customer, long toVersion, List<String> devices) {
        Topics.id("customer", customer);
        if (toVersion < 0) {
            throw new IllegalArgumentException("--to: a model version is >= 0, got " + toVersion);
        }
        Map<String, DeviceRecord> record = record(config);
        Map<String, String> known = known(config, customer, record);
        if (known.isEmpty()) {
            throw new IllegalArgumentException("customer '" + customer + "': no cameras in the configuration or the"
                    + " fleet record (customers: " + config.customers().keySet() + ")");
        }
        List<String> problems = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        for (String d : devices.isEmpty() ? List.copyOf(known.keySet()) : devices) {
            if (!known.containsKey(d)) {
                problems.add("--devices " + d + ": no such camera of " + customer + " (known: " + known.keySet() + ")");
                continue;
            }
            String why = versionProblem(record.get(customer + "/" + d), toVersion);
            if (why != null) {
                problems.add(customer + "/" + d + " " + why);
            }
            targets.add(new Target(d, known.get(d)));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems) + "; nothing was sent");
        }
        return targets;
    }

    /** Why the record says {@code version} cannot be returned to; null when it can (or the record does not know). */
    private static String versionProblem(DeviceRecord r, long version) {
        if (r == null || (r.modelVersion() == null && r.versionsSeen().isEmpty())) {
            return null; // never heard from: the camera itself decides
        }
        if (!r.hadVersion(version)) {
            return "never had version " + version + " (the fleet record shows " + r.versionsSeen() + ")";
        }
        if (!r.holds().isEmpty() && !r.holds().contains(version)) {
            return "no longer holds version " + version + " (its model store holds " + r.holds() + ")";
        }
        return null;
    }

    /** The customer's cameras and their profiles: configured ones, then any the record knows besides. */
    private static Map<String, String> known(CloudConfig config, String customer, Map<String, DeviceRecord> record) {
        Map<String, String> known = new LinkedHashMap<>();
        CloudConfig.Customer c = config.customers().get(customer);
        if (c != null) {
            c.devices().forEach(d -> known.put(d.id(), d.profile()));
        }
        record.values().stream().filter(r -> r.customer().equals(customer) && r.profile() != null)
                .forEach(r -> known.putIfAbsent(r.device(), r.profile()));
        return known;
    }

    private static Map<String, DeviceRecord> record(CloudConfig config) {
        Path f = Fleet.dir(Path.of(config.workDir())).resolve(FleetRecord.FILE);
        Map<String, DeviceRecord> m = new LinkedHashMap<>();
        if (Files.exists(f)) {
            FleetRecord.read(f).forEach(r -> m.put(r.customer() + "/" + r.device(), r));
        }
        return m;
    }

    /**
     * Checks, signs and sends one instruction per camera, leaves the rollback for the running cloud, and
     * waits up to {@code wait} for the cameras' reports.
     */
    public static Result run(CloudConfig config, String customer, long toVersion, List<String> devices, Duration wait,
                             PrintStream out) throws InterruptedException {
        List<Target> targets = targets(config, customer, toVersion, devices);
        PrivateKey key = Ed25519.readPrivateKey(Path.of(config.signingKey()));
        PublicKey pub = Ed25519.readPublicKey(Path.of(config.publicKey()));
        AuditLog audit = new AuditLog(Path.of(config.workDir()).resolve("audit.jsonl"));
        Map<String, Answer> answers = new ConcurrentHashMap<>();
        List<String> ids = targets.stream().map(Target::device).toList();
        try (MqttLink link = new MqttLink(MqttLink.Options.of(config.broker(), config.username() + ".rollback")
                .withCredentials(config.username(), config.secret())
                .withCaCertificate(config.brokerCaCertificate() == null ? null : Path.of(config.brokerCaCertificate())))) {
            for (String d : ids) {
                link.subscribe(Topics.otaReport(customer, d), 1, (t, p, u) -> answer(d, toVersion, p, answers));
            }
            link.connect();
            Instant now = Instant.now();
            for (Target t : targets) {
                RollbackInstruction r = RollbackInstruction.of(customer, t.device(), t.profile(), toVersion, now,
                        Duration.ofHours(config.otaExpiryHours()), "fleet rollback to v" + toVersion);
                link.publish(Topics.otaRollback(customer, t.device()), Signed.sign(r.toJson(), key, pub).toJson(), 1,
                        false, Map.of());
                audit.record("ROLLBACK_SENT", null, customer, Map.of("device", t.device(), "toVersion", toVersion));
                out.printf("fleet: rollback to v%d sent to %s/%s%n", toVersion, customer, t.device());
            }
            new RollbackRequest(customer, toVersion, ids, devices.isEmpty(), now.toString())
                    .write(Fleet.dir(Path.of(config.workDir())).resolve("requests"));
            long end = System.nanoTime() + wait.toNanos();
            while (answers.size() < ids.size() && System.nanoTime() < end) {
                Thread.sleep(100);
            }
        }
        return new Result(toVersion, ids, Map.copyOf(answers));
    }

    private static void answer(String device, long toVersion, byte[] report, Map<String, Answer> answers)
            throws java.io.IOException {
        Map<?, ?> m = ConfigFiles.JSON.readValue(report, Map.class);
        if ("rollback".equals(m.get("kind")) && m.get("version") instanceof Number v && v.longValue() == toVersion) {
            answers.put(device, new Answer(device, String.valueOf(m.get("status")),
                    m.get("activeVersion") instanceof Number a ? a.longValue() : -1,
                    m.get("reason") instanceof String r ? r : null));
        }
    }
}
