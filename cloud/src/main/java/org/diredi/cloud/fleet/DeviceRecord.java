package org.diredi.cloud.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the cloud knows about one camera, from its retained status and its OTA reports.
 *
 * @param modelVersion  the version it runs (null: never heard from)
 * @param holds         the versions in its model store (what a rollback can return it to), per its status
 * @param versionsSeen  every version it was seen to run or hold
 * @param lastSeen      the time of its latest status, on the camera's clock
 * @param heardAt       when the cloud last heard from it, on the cloud's clock
 * @param connection    as its latest status said ("online", "offline"); "never seen" before any status
 * @param lastOutcome   its latest OTA report (update or rollback)
 * @param pinnedVersion set when a fleet rollback returned it to a version: it is not brought up to its
 *                      customer's current version until a newer update is rolled out to it
 */
public record DeviceRecord(String customer, String device, String profile, Long modelVersion, String modelSha256,
                           List<Long> holds, List<Long> versionsSeen, String lastSeen, String heardAt,
                           String connection, Outcome lastOutcome, Long pinnedVersion) {

    public static final String NEVER_SEEN = "never seen";

    /** One OTA report: kind update or rollback, status APPLIED / REJECTED / ROLLED_BACK, and why. */
    public record Outcome(String kind, String status, long version, long activeVersion, String reason, String at) {
        public boolean applied() {
            return "APPLIED".equals(status);
        }

        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean isUpdate() {
            return !"rollback".equals(kind);
        }

        @Override
        public String toString() {
            return status + " " + (isUpdate() ? "" : "rollback to ") + "v" + version
                    + (reason == null ? "" : ": " + reason);
        }
    }

    public DeviceRecord {
        holds = holds == null ? List.of() : List.copyOf(holds);
        versionsSeen = versionsSeen == null ? List.of() : List.copyOf(versionsSeen);
    }

    /** A configured camera the cloud has not heard from yet. */
    public static DeviceRecord unseen(String customer, String device, String profile) {
        return new DeviceRecord(customer, device, profile, null, null, List.of(), List.of(), null, null, NEVER_SEEN,
                null, null);
    }

    /** This record updated by a status message ({@code s} as the camera publishes it). */
    DeviceRecord withStatus(Map<?, ?> s, Instant heard) {
        Long version = number(s.get("modelVersion"));
        List<Long> held = s.get("modelVersions") instanceof List<?> l ? l.stream().map(DeviceRecord::number).toList()
                : holds;
        DeviceRecord r = new DeviceRecord(customer, device, s.get("profile") instanceof String p ? p : profile, version,
                s.get("modelSha256") instanceof String h ? h : null, held, seen(versionsSeen, version, held),
                s.get("at") instanceof String a ? a : lastSeen, heard.toString(),
                s.get("connection") instanceof String c ? c : connection, lastOutcome, pinnedVersion);
        return s.get("lastUpdate") instanceof Map<?, ?> u ? r.withOutcome(u, heard) : r;
    }

    /** This record updated by an OTA report; an older report than the one on record changes nothing. */
    DeviceRecord withOutcome(Map<?, ?> report, Instant heard) {
        Outcome o = new Outcome(report.get("kind") instanceof String k ? k : "update", String.valueOf(report.get("status")),
                whole(report.get("version")), whole(report.get("activeVersion")),
                report.get("reason") instanceof String why ? why : null, String.valueOf(report.get("at")));
        if (lastOutcome != null && !after(o.at(), lastOutcome.at())) {
            return this;
        }
        boolean moved = modelVersion == null || modelVersion != o.activeVersion();
        Long pin = o.applied() && !o.isUpdate() ? Long.valueOf(o.version()) : pinnedVersion;
        return new DeviceRecord(customer, device, profile, o.activeVersion(), moved ? null : modelSha256, holds,
                seen(versionsSeen, o.activeVersion(), List.of()), lastSeen, heard.toString(), connection, o, pin);
    }

    DeviceRecord withPin(Long version) {
        return new DeviceRecord(customer, device, profile, modelVersion, modelSha256, holds, versionsSeen, lastSeen,
                heardAt, connection, lastOutcome, version);
    }

    /** Whether it ever ran or held {@code version} (as far as the cloud heard). */
    public boolean hadVersion(long version) {
        return versionsSeen.contains(version) || holds.contains(version);
    }

    private static List<Long> seen(List<Long> before, Long version, List<Long> held) {
        TreeSet<Long> s = new TreeSet<>(before);
        if (version != null && version >= 0) { // -1: no model yet
            s.add(version);
        }
        s.addAll(held);
        return List.copyOf(s);
    }

    private static boolean after(String a, String b) {
        try {
            return Instant.parse(a).isAfter(Instant.parse(b));
        } catch (RuntimeException e) {
            return !a.equals(b);
        }
    }

    private static Long number(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }

    private static long whole(Object o) {
        return o instanceof Number n ? n.longValue() : -1;
    }
}
