package org.diredi.edge.ota;

/**
 * What became of one OTA update or rollback instruction, as reported on the device's {@code ota/report}
 * topic.
 *
 * @param status        APPLIED, REJECTED (never installed, or the instruction not followed) or
 *                      ROLLED_BACK (installed, failed, undone)
 * @param version       the update's version, or the version a rollback instruction asked for (-1 when its
 *                      manifest could not be read)
 * @param activeVersion the model version the device runs afterwards
 * @param reason        why, for anything but APPLIED
 * @param kind          {@value #UPDATE} or {@value #ROLLBACK} (a signed instruction to return to a held version)
 */
public record UpdateOutcome(String device, Status status, long version, long activeVersion, String reason, String at,
                            String kind) {

    public enum Status { APPLIED, REJECTED, ROLLED_BACK }

    public static final String UPDATE = "update";
    public static final String ROLLBACK = "rollback";

    static UpdateOutcome of(String device, Status s, long version, long active, String reason) {
        return of(device, s, version, active, reason, UPDATE);
    }

    static UpdateOutcome of(String device, Status s, long version, long active, String reason, String kind) {
        return new UpdateOutcome(device, s, version, active, reason, java.time.Instant.now().toString(), kind);
    }
}
