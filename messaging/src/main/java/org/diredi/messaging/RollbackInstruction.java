package org.diredi.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * The manufacturer's signed instruction (wrapped in {@link Signed}, like an {@link UpdateManifest}) to
 * one device: go back to model version {@code toVersion}, which it must still hold. The device checks
 * it as it checks an update: the signature against its pinned key, that it names this device and its
 * profile, the validity window, and that it was issued after the running model was released and after
 * the last instruction it followed (so a recorded instruction cannot be replayed later).
 *
 * @param instruction always {@code "rollback"}: with every field required, an update manifest can never
 *                    be read as an instruction, nor the other way round
 * @param customer    the device's customer
 * @param device      the one device it is for
 * @param toVersion   the model version to run again, >= 0
 * @param createdAt   ISO-8601 instant
 * @param expiresAt   ISO-8601 instant, after createdAt
 * @param notes       free text; null is stored as ""
 */
public record RollbackInstruction(String instruction, String customer, String device, String targetProfile,
        long toVersion, String createdAt, String expiresAt, String notes) {

    public static final String ROLLBACK = "rollback";

    public RollbackInstruction {
        if (!ROLLBACK.equals(instruction)) {
            throw new IllegalArgumentException("instruction must be '" + ROLLBACK + "', got '" + instruction + "'");
        }
        Topics.id("customer", customer);
        Topics.id("device", device);
        UpdateManifest.require(targetProfile, "targetProfile");
        if (targetProfile.isBlank()) {
            throw new IllegalArgumentException("targetProfile must not be blank");
        }
        if (toVersion < 0) {
            throw new IllegalArgumentException("toVersion must be >= 0, got " + toVersion);
        }
        Instant created = UpdateManifest.instant(createdAt, "createdAt");
        Instant expires = UpdateManifest.instant(expiresAt, "expiresAt");
        if (!expires.isAfter(created)) {
            throw new IllegalArgumentException("expiresAt " + expiresAt + " is not after createdAt " + createdAt);
        }
        notes = notes == null ? "" : notes;
    }

    /** An instruction issued {@code now}, valid for {@code validFor}. */
    public static RollbackInstruction of(String customer, String device, String profile, long toVersion, Instant now,
                                         Duration validFor, String notes) {
        return new RollbackInstruction(ROLLBACK, customer, device, profile, toVersion, now.toString(),
                now.plus(validFor).toString(), notes);
    }

    public Instant created() {
        return Instant.parse(createdAt);
    }

    public boolean isExpired(Instant now) {
        return !now.isBefore(Instant.parse(expiresAt));
    }

    public byte[] toJson() {
        try {
            return UpdateManifest.JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses and validates. @throws MessagingException naming the problem */
    public static RollbackInstruction fromJson(byte[] json) {
        try {
            return UpdateManifest.JSON.readValue(json, RollbackInstruction.class);
        } catch (ValueInstantiationException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new MessagingException("invalid rollback instruction: " + c.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new MessagingException("invalid rollback instruction: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MessagingException("invalid rollback instruction: " + e.getMessage(), e);
        }
    }
}
