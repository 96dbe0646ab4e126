package org.diredi.edge.ota;

/**
 * What became of one OTA update, as reported on the device's {@code ota/report} topic.
 *
 * @param status        APPLIED, REJECTED (never installed) or ROLLED_BACK (installed, failed, undone)
 * @param version       the update's version (-1 when its manifest could not be read)
 * @param activeVersion the model version the device runs afterwards
 * @param reason        why, for anything but APPLIED
 */
public record UpdateOutcome(String device, Status status, long version, long activeVersion, String reason, String at) {

    public enum Status { APPLIED, REJECTED, ROLLED_BACK }

    static UpdateOutcome of(String device, Status s, long version, long active, String reason) {
        return new UpdateOutcome(device, s, version, active, reason, java.time.Instant.now().toString());
    }
}
