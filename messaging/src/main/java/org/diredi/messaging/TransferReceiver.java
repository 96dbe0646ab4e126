package org.diredi.messaging;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.diredi.vision.io.AtomicFiles;

/**
 * Receives chunked transfers (see {@link TransferSender}) under one base topic filter, which may
 * contain {@code +} (e.g. {@code diredi/v1/customers/+/onprem/delta}).
 *
 * <p>Everything is kept on disk under {@code stagingDir/<transferId>/}, each file written then
 * renamed: {@code transfer.json} (the transfer manifest and its base topic), {@code chunk-NNNNNNNN}
 * per chunk, {@code payload} once assembled, and {@code state} ("complete" or "failed: ...") at
 * the end. A restarted receiver (same staging directory, resumed MQTT session) carries on where it
 * stopped. Since the MQTT acknowledgement is sent only after {@link #onMessage} returns, a chunk
 * is on disk before the broker forgets it.
 *
 * <p>Each chunk is checked against its own SHA-256 before it is stored: a corrupt chunk is dropped
 * and reported, never assembled. Duplicates (resends after a reconnect) are ignored. When the
 * manifest and every chunk are present the chunks are concatenated into {@code payload}, whose
 * size and SHA-256 must match the manifest. Transfers announcing more than {@code maxBytes} are
 * refused before anything is assembled.
 *
 * <p>One receiver per staging directory and process (state is cached in memory); not behind a
 * shared subscription, which would scatter one transfer's chunks over several receivers.
 */
public final class TransferReceiver implements MqttLink.Handler {

    /**
     * A completed, hash-checked transfer.
     *
     * @param baseTopic the concrete base topic it arrived on (e.g. one customer's delta topic)
     * @param manifest  the sender's embedded manifest bytes (e.g. a {@link Signed} envelope): still to be verified
     * @param payload   the assembled file; the listener may move or delete it
     */
    public record Transfer(String transferId, String baseTopic, byte[] manifest, Path payload, long size, String sha256) {}

    /** Outcome callbacks; they run on the MQTT callback thread (or the thread calling {@link #resume()}). */
    public interface Listener {
        /**
         * Called once the payload is complete and hash-checked. Throwing marks the transfer failed.
         * After a crash during this call it is called again on {@link #resume()}: be idempotent.
         */
        void onComplete(Transfer transfer) throws Exception;

        /** The transfer cannot complete: too large, whole hash mismatch, malformed manifest. */
        default void onFailed(String transferId, String reason) {}

        /** A chunk was dropped (bad hash, bad properties); the transfer may still complete from a resend. */
        default void onCorruptChunk(String transferId, int index, String reason) {}
    }

    public static final String MANIFEST = "/manifest";
    public static final String CHUNK = "/chunk";
    private static final int MAX_CHUNKS = 1 << 22;
    private static final String UNKNOWN = "?";
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** transfer.json: the announced manifest plus where it came from. */
    record Meta(String baseTopic, TransferManifest header) {}

    /** What is known about one transfer; rebuilt from disk after a restart. */
    private static final class State {
        Meta meta;
        final BitSet have = new BitSet();
        long stagedBytes;
        String status; // null while in progress
    }

    private final String baseFilter;
    private final Path stagingDir;
    private final long maxBytes;
    private final Listener listener;
    private final Map<String, State> states = new HashMap<>();

    /**
     * @param baseFilter base topic filter, e.g. {@code Topics.ota(c, d)} or {@code .../customers/+/onprem/delta}
     * @param stagingDir where transfers are kept (created if missing)
     * @param maxBytes   largest transfer accepted
     */
    public TransferReceiver(String baseFilter, Path stagingDir, long maxBytes, Listener listener) {
        if (baseFilter.contains("#")) {
            throw new IllegalArgumentException("base filter must not contain '#': " + baseFilter);
        }
        Topics.matches(baseFilter + MANIFEST, "x"); // syntax check
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0, got " + maxBytes);
        }
        this.baseFilter = baseFilter;
        this.stagingDir = stagingDir;
        this.maxBytes = maxBytes;
        this.listener = listener;
        try {
            Files.createDirectories(stagingDir);
        } catch (IOException e) {
            throw new MessagingException("cannot create staging directory " + stagingDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Finishes transfers left complete on disk by a previous run, then registers for
     * {@code {base}/manifest} and {@code {base}/chunk} on {@code link} (before or after connect).
     */
    public void attach(MqttLink link, int qos) {
        resume();
        link.subscribe(baseFilter + MANIFEST, qos, this);
        link.subscribe(baseFilter + CHUNK, qos, this);
    }

    public Path stagingDir() {
        return stagingDir;
    }

    public Path directoryOf(String transferId) {
        return stagingDir.resolve(TransferManifest.checkId(transferId));
    }

    /** Assembles every transfer whose manifest and chunks are all on disk but which has no outcome yet. */
    public synchronized void resume() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(stagingDir, Files::isDirectory)) {
            for (Path d : dirs) {
                String id = d.getFileName().toString();
                try {
                    TransferManifest.checkId(id);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                State s = state(id);
                if (s.status == null && s.meta != null) {
                    tryComplete(id, s);
                }
            }
        } catch (IOException e) {
            throw new MessagingException("cannot list staging directory " + stagingDir + ": " + e.getMessage(), e);
        }
    }

    /** The MQTT handler: a manifest or a chunk of some transfer. */
    @Override
    public synchronized void onMessage(String topic, byte[] payload, Map<String, String> props) {
        if (topic.endsWith(MANIFEST) && Topics.matches(baseFilter + MANIFEST, topic)) {
            onManifest(topic.substring(0, topic.length() - MANIFEST.length()), payload, props);
        } else if (topic.endsWith(CHUNK) && Topics.matches(baseFilter + CHUNK, topic)) {
            onChunk(topic.substring(0, topic.length() - CHUNK.length()), payload, props);
        }
    }

    private void onManifest(String base, byte[] payload, Map<String, String> props) {
        TransferManifest h;
        try {
            h = TransferManifest.fromJson(payload);
        } catch (MessagingException e) {
            failed(safeId(props.get("transfer")), e.getMessage());
            return;
        }
        String id = h.transferId();
        State s = state(id);
        if (s.meta != null && !sameTransfer(s.meta.header(), h)) {
            // The id is reused for different content: a new transfer replaces the old one.
            reset(id);
            s = state(id);
        }
        if (s.status != null) {
            return; // duplicate of a finished transfer
        }
        if (h.size() > maxBytes) {
            finish(id, s, "failed: declared size " + h.size() + " bytes exceeds the maximum of " + maxBytes);
            return;
        }
        if (s.meta == null) {
            s.meta = new Meta(base, h);
            try {
                AtomicFiles.writeJson(dir(id).resolve("transfer.json"), s.meta);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot store transfer manifest of " + id, e);
            }
            dropInconsistentChunks(id, s);
        }
        tryComplete(id, s);
    }

    private void onChunk(String base, byte[] payload, Map<String, String> props) {
        String id = props.get("transfer");
        try {
            TransferManifest.checkId(id);
        } catch (IllegalArgumentException e) {
            corrupt(safeId(id), -1, "chunk without a valid 'transfer' property: " + e.getMessage());
            return;
        }
        int index;
        int count;
        try {
            index = Integer.parseInt(props.getOrDefault("index", ""));
            count = Integer.parseInt(props.getOrDefault("count", ""));
        } catch (NumberFormatException e) {
            corrupt(id, -1, "chunk without numeric 'index'/'count' properties: " + props);
            return;
        }
        if (count <= 0 || count > MAX_CHUNKS || index < 0 || index >= count) {
            corrupt(id, index, "chunk index " + index + " / count " + count + " out of range");
            return;
        }
        String expected = props.get("sha256");
        String actual = Hashes.sha256Hex(payload);
        if (!actual.equals(expected)) {
            corrupt(id, index, "SHA-256 mismatch: property says " + expected + ", content is " + actual);
            return;
        }
        State s = state(id);
        if (s.status != null || s.have.get(index)) {
            return; // duplicate, or the transfer is already decided
        }
        if (s.meta != null) {
            TransferManifest h = s.meta.header();
            if (!base.equals(s.meta.baseTopic())) {
                corrupt(id, index, "chunk on " + base + " but the transfer was announced on " + s.meta.baseTopic());
                return;
            }
            if (count != h.chunks() || payload.length != h.chunkLength(index)) {
                corrupt(id, index, "chunk " + index + " of " + count + " with " + payload.length
                        + " bytes does not fit the manifest (" + h.chunks() + " chunks of " + h.chunkSize() + ")");
                return;
            }
        } else if (s.stagedBytes + payload.length > maxBytes) {
            // No manifest yet: still bound what a sender can park here.
            finish(id, s, "failed: more than " + maxBytes + " bytes of chunks before any manifest");
            return;
        }
        AtomicFiles.bytes(chunkFile(id, index), payload);
        s.have.set(index);
        s.stagedBytes += payload.length;
        if (s.meta != null) {
            tryComplete(id, s);
        }
    }

    private void tryComplete(String id, State s) {
        TransferManifest h = s.meta.header();
        Path payload = dir(id).resolve("payload");
        if (s.have.nextClearBit(0) >= h.chunks()) {
            String problem = assemble(id, h, payload);
            if (problem != null) {
                finish(id, s, "failed: " + problem);
                return;
            }
        } else if (!Files.isRegularFile(payload) || !assembledBefore(h, payload)) {
            return; // still waiting for chunks
        }
        // (else: assembled and checked by a run that stopped before the completion handler finished)
        try {
            listener.onComplete(new Transfer(id, s.meta.baseTopic(), h.manifest(), payload, h.size(), h.sha256()));
        } catch (Exception e) {
            System.err.println("[transfer " + id + "] completion handler failed: " + e);
            finish(id, s, "failed: completion handler: " + e.getMessage());
            return;
        }
        writeState(id, "complete");
        s.status = "complete";
    }

    /** Concatenates the chunks into {@code payload}; null if size and SHA-256 match the manifest. */
    private String assemble(String id, TransferManifest h, Path payload) {
        MessageDigest md = Hashes.sha256();
        long[] written = {0};
        try {
            AtomicFiles.write(payload, out -> {
                OutputStream dout = new DigestOutputStream(out, md);
                for (int i = 0; i < h.chunks(); i++) {
                    written[0] += Files.copy(chunkFile(id, i), dout);
                }
                dout.flush();
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot assemble transfer " + id + " in " + dir(id), e);
        }
        deleteChunks(id, h.chunks()); // the payload (or the failure) replaces them
        String sha = HexFormat.of().formatHex(md.digest());
        if (written[0] == h.size() && sha.equals(h.sha256())) {
            return null;
        }
        try {
            Files.deleteIfExists(payload);
        } catch (IOException ignored) {
            // the state file written by the caller is what counts
        }
        return "assembled payload (" + written[0] + " bytes, SHA-256 " + sha + ") does not match the manifest ("
                + h.size() + " bytes, SHA-256 " + h.sha256() + ")";
    }

    private static boolean assembledBefore(TransferManifest h, Path payload) {
        try {
            return Files.size(payload) == h.size() && Hashes.sha256Hex(payload).equals(h.sha256());
        } catch (IOException e) {
            return false;
        }
    }

    /** Records a final failure and reports it. */
    private void finish(String id, State s, String status) {
        writeState(id, status);
        s.status = status;
        deleteChunks(id, s.have.length());
        failed(id, status.startsWith("failed: ") ? status.substring("failed: ".length()) : status);
    }

    private void dropInconsistentChunks(String id, State s) {
        TransferManifest h = s.meta.header();
        for (int i = s.have.nextSetBit(0); i >= 0; i = s.have.nextSetBit(i + 1)) {
            Path f = chunkFile(id, i);
            try {
                if (i >= h.chunks() || Files.size(f) != h.chunkLength(i)) {
                    Files.deleteIfExists(f);
                    s.have.clear(i);
                    corrupt(id, i, "chunk received before the manifest does not fit it; dropped");
                }
            } catch (IOException e) {
                s.have.clear(i);
            }
        }
    }

    private State state(String id) {
        State s = states.get(id);
        if (s != null) {
            return s;
        }
        s = new State();
        Path d = dir(id);
        try {
            if (Files.isRegularFile(d.resolve("state"))) {
                s.status = Files.readString(d.resolve("state"), StandardCharsets.UTF_8).trim();
            }
            if (Files.isRegularFile(d.resolve("transfer.json"))) {
                s.meta = JSON.readValue(d.resolve("transfer.json").toFile(), Meta.class);
            }
            if (Files.isDirectory(d)) {
                try (DirectoryStream<Path> chunks = Files.newDirectoryStream(d, "chunk-*")) {
                    for (Path c : chunks) {
                        String n = c.getFileName().toString().substring("chunk-".length());
                        if (n.matches("[0-9]{8}")) {
                            s.have.set(Integer.parseInt(n));
                            s.stagedBytes += Files.size(c);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new MessagingException("cannot read transfer state in " + d + ": " + e.getMessage(), e);
        }
        states.put(id, s);
        return s;
    }

    private void reset(String id) {
        states.remove(id);
        Path d = dir(id);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset transfer directory " + d, e);
        }
    }

    private void deleteChunks(String id, int upTo) {
        for (int i = 0; i < upTo; i++) {
            try {
                Files.deleteIfExists(chunkFile(id, i));
            } catch (IOException e) {
                // leftovers cost space, not correctness
            }
        }
    }

    private void writeState(String id, String status) {
        AtomicFiles.string(dir(id).resolve("state"), status + "\n");
    }

    private static boolean sameTransfer(TransferManifest a, TransferManifest b) {
        return a.size() == b.size() && a.chunkSize() == b.chunkSize() && a.sha256().equals(b.sha256())
                && java.util.Arrays.equals(a.manifest(), b.manifest());
    }

    private Path dir(String id) {
        return stagingDir.resolve(id);
    }

    private Path chunkFile(String id, int index) {
        return dir(id).resolve(String.format("chunk-%08d", index));
    }

    private static String safeId(String id) {
        try {
            return TransferManifest.checkId(id);
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }

    private void failed(String id, String reason) {
        System.err.println("[transfer " + id + "] failed: " + reason);
        try {
            listener.onFailed(id, reason);
        } catch (RuntimeException e) {
            System.err.println("[transfer " + id + "] onFailed handler threw: " + e);
        }
    }

    private void corrupt(String id, int index, String reason) {
        System.err.println("[transfer " + id + "] chunk " + index + " dropped: " + reason);
        try {
            listener.onCorruptChunk(id, index, reason);
        } catch (RuntimeException e) {
            System.err.println("[transfer " + id + "] onCorruptChunk handler threw: " + e);
        }
    }
}
