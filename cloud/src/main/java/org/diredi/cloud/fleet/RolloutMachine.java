package org.diredi.cloud.fleet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.diredi.cloud.AuditLog;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.fleet.CustomerRollout.Phase;
import org.diredi.cloud.fleet.CustomerRollout.Rollout;
import org.diredi.cloud.fleet.CustomerRollout.Sent;

/**
 * The staged rollout as a small state machine, driven by the cameras' reports and statuses and by a
 * timer, never by waiting: an update goes to the canaries ({@link Phase#CANARY}); a canary that rejects
 * it or rolls it back halts it ({@link Phase#HALTED}); once every canary has reported it APPLIED and
 * its statuses showed it running it, online, for {@code healthySeconds} (a status at the end of that
 * time included), it becomes the customer's current version and goes to
 * every other camera ({@link Phase#COMPLETE}). A camera found below its customer's current version
 * is sent the current update (again). Every transition is saved before anything is sent, so a restarted
 * cloud resumes where it stopped. Runs on the fleet thread only.
 */
final class RolloutMachine {

    /** How long a failed send waits before the next try. */
    static final Duration RETRY = Duration.ofSeconds(30);
    /** How long a customer's model that could not be provisioned for a profile waits before the next try (an export). */
    static final Duration PROVISION_RETRY = Duration.ofMinutes(10);

    private final Path dir;
    private final RolloutSettings settings;
    private final Supplier<Map<String, CloudConfig.Customer>> customers;
    private final FleetRecord record;
    private final AuditLog audit;
    private final PrintStream out;
    private final Map<String, CustomerRollout> states = new ConcurrentHashMap<>();
    private final Map<String, Instant> failedSends = new HashMap<>();
    private final Map<String, Instant> failedProvisions = new HashMap<>();
    private OtaSender sender;
    private Provisioner provisioner;

    RolloutMachine(Path dir, RolloutSettings settings, Supplier<Map<String, CloudConfig.Customer>> customers,
                   FleetRecord record, AuditLog audit, PrintStream out) {
        this.dir = dir;
        this.settings = settings;
        this.customers = customers;
        this.record = record;
        this.audit = audit;
        this.out = out;
        states.putAll(CustomerRollout.readAll(dir));
    }

    void sender(OtaSender s) {
        this.sender = s;
    }

    void provisioner(Provisioner p) {
        this.provisioner = p;
    }

    CustomerRollout state(String customer) {
        return states.computeIfAbsent(customer, c -> CustomerRollout.initial(c, configured(c) == null ? 0
                : configured(c).version()));
    }

    /** Sends a release to its canaries (or to everyone when there are none) and returns who gets it when. */
    Fleet.Plan begin(Fleet.Release r) {
        String c = r.customer();
        List<String> order = canaryOrder(c, r.artifacts().keySet());
        int k = settings.canaryCount(c, order.size());
        String now = Instant.now().toString();
        CustomerRollout st = state(c);
        if (st.current() >= r.version()) {
            // The cloud records an accepted version in the registry before its rollout begins, and a customer
            // first looked at in between took that as its current version: until the canaries prove the
            // release, the current version is the one before it.
            st = st.withCurrent(r.version() - 1);
        }
        if (st.rollout() != null && st.rollout().phase() == Phase.CANARY) {
            audit.record("ROLLOUT_SUPERSEDED", st.rollout().transferId(), c, Map.of("version", st.rollout().version(),
                    "by", r.version()));
            st = st.withRollout(st.rollout().to(Phase.SUPERSEDED, "superseded by v" + r.version(), now));
        }
        Rollout ro = new Rollout(r.version(), r.transferId(), Phase.CANARY, order.subList(0, k),
                order.subList(k, order.size()), Map.of(), null, now, now);
        put(st.withRelease(r.version(), r.artifacts()).withRollout(ro));
        audit.record("ROLLOUT_STARTED", r.transferId(), c, Map.of("version", r.version(), "canaries", ro.canaries(),
                "rest", ro.rest(), "healthySeconds", settings.healthySeconds()));
        out.printf("fleet: v%d for %s: canaries %s, then %s%n", r.version(), c, ro.canaries(), ro.rest());
        for (String d : ro.canaries()) {
            record.pin(c, d, null);
            send(c, d, r.version(), "canary");
        }
        if (k == 0) {
            promote(c);
        }
        return new Fleet.Plan(ro.canaries(), ro.rest(), settings.healthySeconds());
    }

    /** A camera was heard from: its customer's canaries, then whether it needs the current update. */
    void heard(String customer, String device) {
        checkCanaries(customer);
        catchUp(customer, device);
    }

    /**
     * The timer: canaries that have run long enough, canaries whose send failed, and cameras heard from
     * since they were sent the current update that still do not run it.
     */
    void tick() {
        for (CustomerRollout st : List.copyOf(states.values())) {
            if (st.rollout() != null && st.rollout().phase() == Phase.CANARY) {
                checkCanaries(st.customer());
                retryCanaries(st.customer());
            }
            CloudConfig.Customer cust = configured(st.customer());
            if (cust != null) {
                cust.devices().forEach(d -> catchUp(st.customer(), d.id()));
            }
        }
    }

    /** A {@code fleet rollback} of every camera: its version becomes the customer's current one. */
    void rolledBack(RollbackRequest q) {
        audit.record("ROLLBACK_RECORDED", null, q.customer(), Map.of("toVersion", q.toVersion(),
                "devices", q.devices(), "allDevices", q.allDevices()));
        if (!q.allDevices()) {
            return;
        }
        CustomerRollout st = state(q.customer()).withCurrent(q.toVersion());
        if (st.rollout() != null && st.rollout().phase() == Phase.CANARY) {
            st = st.withRollout(st.rollout().to(Phase.SUPERSEDED, "fleet rollback to v" + q.toVersion(),
                    Instant.now().toString()));
        }
        put(st);
        out.printf("fleet: %s rolled back to v%d%n", q.customer(), q.toVersion());
    }

    private void checkCanaries(String c) {
        CustomerRollout st = states.get(c);
        Rollout ro = st == null ? null : st.rollout();
        if (ro == null || ro.phase() != Phase.CANARY) {
            return;
        }
        Instant now = Instant.now();
        Map<String, String> since = new LinkedHashMap<>(ro.healthySince());
        for (String d : ro.canaries()) {
            DeviceRecord rec = record.get(c, d);
            DeviceRecord.Outcome o = rec == null ? null : rec.lastOutcome();
            if (o != null && o.isUpdate() && o.version() == ro.version() && !o.applied()) {
                halt(c, d, "canary " + d + ": " + o);
                return;
            }
            if (healthy(rec, ro.version(), st.artifact(ro.version(), profileOf(c, d)))) {
                since.putIfAbsent(d, now.toString());
            } else {
                since.remove(d);
            }
        }
        if (!since.equals(ro.healthySince())) {
            ro = ro.healthy(since);
            put(st.withRollout(ro));
        }
        if (since.size() == ro.canaries().size() && ro.canaries().stream().allMatch(d -> proven(c, d, since, now))) {
            promote(c);
        }
    }

    /**
     * Healthy since at least {@code healthySeconds}, and heard from at the end of that time: a status that
     * still shows it running the version, not just the lack of news from a camera that went quiet.
     */
    private boolean proven(String c, String d, Map<String, String> since, Instant now) {
        Instant end = Instant.parse(since.get(d)).plusSeconds(settings.healthySeconds());
        DeviceRecord rec = record.get(c, d);
        return !end.isAfter(now) && rec.heardAt() != null && !Instant.parse(rec.heardAt()).isBefore(end);
    }

    /** Running {@code version} (its status says so, with the artifact's hash), online, after reporting it APPLIED. */
    private static boolean healthy(DeviceRecord rec, long version, Artifact a) {
        if (rec == null || rec.modelVersion() == null || rec.modelVersion() != version
                || !"online".equals(rec.connection())) {
            return false;
        }
        DeviceRecord.Outcome o = rec.lastOutcome();
        return o != null && o.applied() && o.isUpdate() && o.version() == version && rec.modelSha256() != null
                && (a == null || a.sha256().equals(rec.modelSha256()));
    }

    private void halt(String c, String device, String reason) {
        CustomerRollout st = states.get(c);
        Rollout ro = st.rollout();
        put(st.withRollout(ro.to(Phase.HALTED, reason, Instant.now().toString())));
        audit.record("ROLLOUT_HALTED", ro.transferId(), c, Map.of("version", ro.version(), "device", device,
                "reason", reason, "notSentTo", ro.rest()));
        out.printf("fleet: rollout of v%d to %s halted: %s%n", ro.version(), c, reason);
    }

    private void promote(String c) {
        CustomerRollout st = states.get(c);
        Rollout ro = st.rollout();
        put(st.withRollout(ro.to(Phase.COMPLETE, null, Instant.now().toString())).withCurrent(ro.version()));
        audit.record("ROLLOUT_COMPLETE", ro.transferId(), c, Map.of("version", ro.version(), "canaries",
                ro.canaries(), "rest", ro.rest()));
        out.printf("fleet: v%d proven on %s; sending it to %s%n", ro.version(), ro.canaries(), ro.rest());
        ro.rest().forEach(d -> record.pin(c, d, null));
        fanOut(c, ro);
        CloudConfig.Customer cust = configured(c);
        List<String> everyone = new ArrayList<>(ro.rest());
        if (cust != null) {
            cust.devices().stream().map(CloudConfig.Device::id).filter(d -> !everyone.contains(d)).forEach(everyone::add);
        }
        everyone.forEach(d -> catchUp(c, d));
    }

    /**
     * The rest of a proven rollout, published once per profile on the customer's fan-out topic instead of
     * once per camera, and noted as sent to each of that profile's cameras: one that is heard from and still
     * does not run it {@code resendAfterSeconds} later is sent it on its own topic ({@link #catchUp}). A
     * profile whose artifact names no customer, or whose fan-out fails, is left to the per-camera sends.
     */
    private void fanOut(String c, Rollout ro) {
        Map<String, List<String>> byProfile = new java.util.TreeMap<>();
        for (String d : ro.rest()) {
            String p = profileOf(c, d);
            if (p != null) {
                byProfile.computeIfAbsent(p, x -> new ArrayList<>()).add(d);
            }
        }
        for (Map.Entry<String, List<String>> e : byProfile.entrySet()) {
            Artifact a = state(c).artifact(ro.version(), e.getKey());
            if (a == null || sender == null) {
                continue;
            }
            try {
                Artifact sent = sender.fanOut(c, a, e.getValue());
                if (sent != null) {
                    put(withSent(states.get(c), ro.version(), a, sent).withSent(e.getValue(),
                            new Sent(ro.version(), Instant.now().toString())));
                }
            } catch (IOException | RuntimeException x) {
                audit.record("SEND_FAILED", a.transferId(), c, Map.of("profile", e.getKey(), "version", ro.version(),
                        "reason", String.valueOf(x.getMessage())));
                out.printf("fleet: v%d to %s's %s cameras at once failed (%s); sending it to each%n", ro.version(), c,
                        e.getKey(), x.getMessage());
            }
        }
    }

    /** {@code st} with {@code sent} in place of {@code a} when it was signed again: later sends use the fresh envelope. */
    private static CustomerRollout withSent(CustomerRollout st, long version, Artifact a, Artifact sent) {
        if (sent.equals(a)) {
            return st;
        }
        Map<String, Artifact> release = new HashMap<>(st.releases().get(version));
        release.put(a.profile(), sent);
        return st.withRelease(version, release);
    }

    /** Sends the current update to {@code device} when it is below its customer's current version. */
    private void catchUp(String c, String device) {
        DeviceRecord rec = record.get(c, device);
        CustomerRollout st = states.get(c);
        if (st == null && !withoutModel(rec)) {
            return;
        }
        st = state(c); // never rolled out to: its current version is the registry's (0 for a new customer)
        long current = st.current();
        if (rec != null && (rec.pinnedVersion() != null || (rec.modelVersion() != null && rec.modelVersion() >= current)
                || refused(rec, current) || leftOnPurpose(rec, current))) {
            return;
        }
        String profile = profileOf(c, device);
        if (profile == null || st.artifact(current, profile) == null && !(withoutModel(rec) && provide(c, current,
                profile))) {
            return;
        }
        Sent s = states.get(c).sent().get(device);
        if (s != null && s.version() == current && !missed(rec, s)) {
            return; // on its way, or kept by its session until it is back
        }
        send(c, device, current, s != null && s.version() == current ? "resend"
                : withoutModel(rec) ? "first model" : "rollout");
    }

    /**
     * It ran {@code current} and now runs an older model: only a rollback moves a camera down, and a status
     * can show the older model before the rollback's report (which pins it) or the fleet rollback request
     * reaches the cloud. Catching it up would undo the rollback.
     */
    private static boolean leftOnPurpose(DeviceRecord rec, long current) {
        return rec.modelVersion() != null && rec.modelVersion() >= 0 && rec.modelVersion() < current
                && rec.versionsSeen().contains(current);
    }

    /** Heard from, and running no model: a camera enrolled without one, waiting for its customer's current model. */
    private static boolean withoutModel(DeviceRecord rec) {
        return rec != null && rec.heardAt() != null && (rec.modelVersion() == null || rec.modelVersion() < 0);
    }

    /**
     * Makes the customer's model {@code version} for {@code profile} into a release (exported and signed
     * by the provisioner) when no release holds it: a camera without a model is sent it like any update.
     * A failure is audited and tried again after {@link #PROVISION_RETRY}.
     */
    private boolean provide(String c, long version, String profile) {
        String key = c + "/" + version + "/" + profile;
        Instant failed = failedProvisions.get(key);
        if (provisioner == null || failed != null && failed.plus(PROVISION_RETRY).isAfter(Instant.now())) {
            return false;
        }
        Artifact a;
        try {
            a = provisioner.provide(c, version, profile);
        } catch (IOException | RuntimeException e) {
            audit.record("PROVISION_FAILED", null, c, Map.of("version", version, "profile", profile,
                    "reason", String.valueOf(e.getMessage())));
            a = null;
        }
        if (a == null) {
            failedProvisions.put(key, Instant.now());
            out.printf("fleet: no v%d of %s for profile %s to send to its cameras without a model%n", version, c, profile);
            return false;
        }
        CustomerRollout st = state(c);
        Map<String, Artifact> release = new HashMap<>(st.releases().getOrDefault(version, Map.of()));
        release.put(profile, a);
        put(st.withRelease(version, release));
        audit.record("PROVISIONED", a.transferId(), c, Map.of("version", version, "profile", profile));
        out.printf("fleet: v%d of %s made for profile %s (cameras without a model)%n", version, c, profile);
        return true;
    }

    /** It rejected or rolled back that version (other than for expiry, which a fresh signature cures). */
    private static boolean refused(DeviceRecord rec, long version) {
        DeviceRecord.Outcome o = rec.lastOutcome();
        return o != null && o.isUpdate() && o.version() == version && !o.applied()
                && (o.reason() == null || !o.reason().contains("expired"));
    }

    /**
     * Heard from after the update was sent, and still below it {@code resendAfterSeconds} after: it was
     * offline past its session (the broker kept nothing for it) or is new.
     */
    private boolean missed(DeviceRecord rec, Sent s) {
        Instant sent = Instant.parse(s.at());
        return rec != null && rec.heardAt() != null && Instant.parse(rec.heardAt()).isAfter(sent)
                && Instant.now().isAfter(sent.plusSeconds(settings.resendAfterSeconds()));
    }

    private void retryCanaries(String c) {
        CustomerRollout st = states.get(c);
        for (String d : st.rollout().canaries()) {
            Sent s = st.sent().get(d);
            Instant failed = failedSends.get(c + "/" + d);
            // never sent (a restart between saving the rollout and sending) or failed a while ago
            if ((s == null || s.version() != st.rollout().version())
                    && (failed == null || failed.plus(RETRY).isBefore(Instant.now()))) {
                send(c, d, st.rollout().version(), "canary");
            }
        }
    }

    /** Sends release {@code version} to one camera and notes it; a failure is audited and retried later. */
    private void send(String c, String device, long version, String why) {
        String profile = profileOf(c, device);
        Artifact a = state(c).artifact(version, profile);
        if (a == null || sender == null) {
            return;
        }
        try {
            Artifact sent = sender.send(c, device, a, why);
            put(withSent(states.get(c), version, a, sent).withSent(device, new Sent(version, Instant.now().toString())));
            failedSends.remove(c + "/" + device);
        } catch (IOException | RuntimeException e) {
            failedSends.put(c + "/" + device, Instant.now());
            audit.record("SEND_FAILED", a.transferId(), c, Map.of("device", device, "version", version,
                    "reason", String.valueOf(e.getMessage())));
            out.printf("fleet: sending v%d to %s/%s failed: %s%n", version, c, device, e.getMessage());
        }
    }

    /** The eligible cameras (configured, with an artifact for their profile), online ones first. */
    private List<String> canaryOrder(String c, java.util.Set<String> profiles) {
        CloudConfig.Customer cust = configured(c);
        if (cust == null) {
            return List.of();
        }
        return cust.devices().stream().filter(d -> profiles.contains(d.profile())).map(CloudConfig.Device::id)
                .sorted(Comparator.comparing(d -> isOnline(c, d) ? 0 : 1)).toList();
    }

    private boolean isOnline(String c, String d) {
        DeviceRecord r = record.get(c, d);
        return r != null && "online".equals(r.connection());
    }

    private String profileOf(String c, String device) {
        CloudConfig.Customer cust = configured(c);
        if (cust != null) {
            for (CloudConfig.Device d : cust.devices()) {
                if (d.id().equals(device)) {
                    return d.profile();
                }
            }
        }
        return null;
    }

    private CloudConfig.Customer configured(String c) {
        return customers.get().get(c);
    }

    private void put(CustomerRollout st) {
        st.save(dir);
        states.put(st.customer(), st);
    }
}
