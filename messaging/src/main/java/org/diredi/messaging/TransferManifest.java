package org.diredi.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * What a chunked transfer announces on {@code {base}/manifest}: the transfer id, total size, how
 * it is cut, the SHA-256 of the whole payload, and the caller's own manifest (typically a
 * {@link Signed} {@link UpdateManifest}) carried along as bytes.
 *
 * @param transferId {@code [A-Za-z0-9_-][A-Za-z0-9._-]{0,127}}: safe as a directory name
 * @param size       payload bytes, > 0
 * @param chunks     number of chunks, {@code ceil(size / chunkSize)}
 * @param chunkSize  bytes per chunk (the last one may be shorter)
 * @param sha256     hex SHA-256 of the whole payload
 * @param manifest   the caller's manifest bytes (base64 in JSON); may be empty, never null
 */
public record TransferManifest(String transferId, long size, int chunks, int chunkSize, String sha256, byte[] manifest) {

    public static final int MAX_CHUNK_SIZE = 64 << 20;
    // Leading character excludes "." and "..": the id becomes a directory name on the receiver.
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    // A transport header: unknown fields are ignored so a newer sender can add some.
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public TransferManifest {
        checkId(transferId);
        if (size <= 0) {
            throw new IllegalArgumentException("transfer size must be > 0, got " + size);
        }
        if (chunkSize <= 0 || chunkSize > MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunkSize must be 1.." + MAX_CHUNK_SIZE + ", got " + chunkSize);
        }
        if (chunks != chunkCount(size, chunkSize)) {
            throw new IllegalArgumentException("chunks " + chunks + " inconsistent with size " + size + " and chunkSize "
                    + chunkSize + " (expected " + chunkCount(size, chunkSize) + ")");
        }
        if (!Hashes.isSha256Hex(sha256)) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
        if (manifest == null) {
            manifest = new byte[0];
        }
    }

    public static long chunkCount(long size, int chunkSize) {
        return (size + chunkSize - 1) / chunkSize;
    }

    /** Length of chunk {@code index}: {@code chunkSize}, except the last. */
    public int chunkLength(int index) {
        if (index < 0 || index >= chunks) {
            throw new IndexOutOfBoundsException("chunk " + index + " of " + chunks);
        }
        return index < chunks - 1 ? chunkSize : (int) (size - (long) chunkSize * (chunks - 1));
    }

    public static String checkId(String transferId) {
        if (transferId == null || !ID.matcher(transferId).matches()) {
            throw new IllegalArgumentException("invalid transfer id '" + transferId
                    + "': expected 1-128 characters of A-Z a-z 0-9 _ - . (not starting with '.')");
        }
        return transferId;
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws MessagingException naming what is wrong */
    public static TransferManifest fromJson(byte[] json) {
        try {
            return JSON.readValue(json, TransferManifest.class);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new MessagingException("invalid transfer manifest: " + c.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new MessagingException("invalid transfer manifest: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MessagingException("invalid transfer manifest: " + e.getMessage(), e);
        }
    }
}
