package org.diredi.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The OTA manifest the cloud signs (wrapped in {@link Signed}) and a device checks before installing:
 * which artifact, its hash and size, a monotonic version (a device refuses to go back), the target
 * profile, the class list, and a validity window so an old signed update cannot be replayed later.
 *
 * @param artifact      file name of the model artifact (no directories)
 * @param sha256        lower-case hex SHA-256 of the artifact
 * @param size          artifact size in bytes, > 0
 * @param version       monotonic model version, >= 0
 * @param targetProfile device profile, e.g. "jetson-nano", "cpu"
 * @param model         free text (preset, architecture)
 * @param classes       the model's class names, in output order
 * @param createdAt     ISO-8601 instant
 * @param expiresAt     ISO-8601 instant, after createdAt
 * @param parent        previous model version or id; null for a first model
 * @param notes         free text; null is stored as ""
 * @param targetCustomer the customer whose cameras may install it; required for an update published once to
 *                      every camera of a customer and profile (a camera refuses one naming another customer, or
 *                      none); null for an update signed for one device's own topic only
 */
public record UpdateManifest(String artifact, String sha256, long size, long version, String targetProfile,
        String model, List<String> classes, String createdAt, String expiresAt, String parent, String notes,
        String targetCustomer) {

    // Every field must be present (parent as an explicit null): a missing "version" must not read as 0.
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public UpdateManifest {
        require(artifact, "artifact");
        if (artifact.isBlank() || artifact.contains("/") || artifact.contains("\\") || artifact.equals("..")
                || artifact.equals(".")) {
            throw new IllegalArgumentException("artifact must be a plain file name, got '" + artifact + "'");
        }
        require(sha256, "sha256");
        if (!Hashes.isSha256Hex(sha256)) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
        if (size <= 0) {
            throw new IllegalArgumentException("size must be > 0 bytes, got " + size);
        }
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, got " + version);
        }
        require(targetProfile, "targetProfile");
        if (targetProfile.isBlank()) {
            throw new IllegalArgumentException("targetProfile must not be blank");
        }
        require(model, "model");
        require(classes, "classes");
        for (String c : classes) {
            if (c == null || c.isBlank()) {
                throw new IllegalArgumentException("classes must not contain null or blank names: " + classes);
            }
        }
        classes = List.copyOf(classes);
        Instant created = instant(createdAt, "createdAt");
        Instant expires = instant(expiresAt, "expiresAt");
        if (!expires.isAfter(created)) {
            throw new IllegalArgumentException("expiresAt " + expiresAt + " is not after createdAt " + createdAt);
        }
        notes = notes == null ? "" : notes;
        if (targetCustomer != null) {
            Topics.id("customer", targetCustomer);
        }
    }

    /** A manifest that names no customer (sent on a device's own topic only). */
    public UpdateManifest(String artifact, String sha256, long size, long version, String targetProfile, String model,
                          List<String> classes, String createdAt, String expiresAt, String parent, String notes) {
        this(artifact, sha256, size, version, targetProfile, model, classes, createdAt, expiresAt, parent, notes, null);
    }

    /** The same update with a new validity window (what a re-signature changes). */
    public UpdateManifest validFrom(Instant created, Instant expires) {
        return new UpdateManifest(artifact, sha256, size, version, targetProfile, model, classes, created.toString(),
                expires.toString(), parent, notes, targetCustomer);
    }

    public Instant created() {
        return Instant.parse(createdAt);
    }

    public Instant expires() {
        return Instant.parse(expiresAt);
    }

    public boolean isExpired(Instant now) {
        return !now.isBefore(expires());
    }

    /** Null if {@code file} has this manifest's size and SHA-256, else what differs. */
    public String mismatch(Path file) throws IOException {
        long actual = Files.size(file);
        if (actual != size) {
            return "size " + actual + " != manifest size " + size;
        }
        String h = Hashes.sha256Hex(file);
        return h.equals(sha256) ? null : "sha256 " + h + " != manifest sha256 " + sha256;
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses and validates. @throws MessagingException naming the problem */
    public static UpdateManifest fromJson(byte[] json) {
        try {
            return JSON.readValue(json, UpdateManifest.class);
        } catch (ValueInstantiationException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new MessagingException("invalid update manifest: " + c.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new MessagingException("invalid update manifest: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MessagingException("invalid update manifest: " + e.getMessage(), e);
        }
    }

    static void require(Object v, String name) {
        if (v == null) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    static Instant instant(String s, String name) {
        require(s, name);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be an ISO-8601 instant like 2025-01-31T12:00:00Z, got '"
                    + s + "'");
        }
    }
}
