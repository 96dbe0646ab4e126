package org.diredi.messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Sends a large payload as a chunked transfer: the {@link TransferManifest} on {@code {base}/manifest},
 * then the chunks on {@code {base}/chunk}, all QoS 1, each chunk with the MQTT v5 user properties
 * {@code transfer}, {@code index}, {@code count} and {@code sha256} (of the chunk).
 *
 * <p>It keeps a few publishes in flight and remembers which were acknowledged. When the connection
 * drops it waits (bounded) for the link's automatic reconnect and sends what is still
 * unacknowledged, so a broker restart mid-upload costs a few duplicate chunks, which the
 * {@link TransferReceiver} ignores. A refusal by the broker (e.g. not authorised) ends the transfer
 * at once: retrying would not help.
 */
public final class TransferSender {

    /** Called on the sending thread after each acknowledged chunk. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (sent, total) -> {};

        void update(long bytesAcknowledged, long totalBytes);
    }

    public static final int DEFAULT_WINDOW = 4;
    public static final Duration DEFAULT_RECONNECT_TIMEOUT = Duration.ofMinutes(2);

    private final Duration reconnectTimeout;
    private final int window;

    public TransferSender() {
        this(DEFAULT_RECONNECT_TIMEOUT, DEFAULT_WINDOW);
    }

    /**
     * @param reconnectTimeout how long to wait for the link to come back after a lost connection, and
     *                         the longest time without any acknowledgement before giving up
     * @param window           publishes in flight at once; keep it below the broker's receive
     *                         maximum (HiveMQ: 10), or Paho refuses further publishes
     */
    public TransferSender(Duration reconnectTimeout, int window) {
        if (window < 1 || window > 64) {
            throw new IllegalArgumentException("window must be 1..64, got " + window);
        }
        this.reconnectTimeout = reconnectTimeout;
        this.window = window;
    }

    /** Sends with the default window and reconnect timeout. */
    public static TransferManifest send(MqttLink link, String baseTopic, String transferId, byte[] manifestJson,
            byte[] payload, int chunkSize, Progress progress) {
        return new TransferSender().transfer(link, baseTopic, transferId, manifestJson, payload, chunkSize, progress);
    }

    /** Sends a file with the default window and reconnect timeout; it is read chunk by chunk, never whole. */
    public static TransferManifest send(MqttLink link, String baseTopic, String transferId, byte[] manifestJson,
            Path payload, int chunkSize, Progress progress) {
        return new TransferSender().transfer(link, baseTopic, transferId, manifestJson, payload, chunkSize, progress);
    }

    /**
     * Publishes the transfer and returns once the broker acknowledged every message.
     *
     * @return the announced transfer manifest (size, chunk count, whole SHA-256)
     * @throws RejectedByBroker  if the broker refused a publish (e.g. not authorised)
     * @throws MessagingException if the connection stayed down longer than the reconnect timeout
     */
    public TransferManifest transfer(MqttLink link, String baseTopic, String transferId, byte[] manifestJson,
            byte[] payload, int chunkSize, Progress progress) {
        return run(link, baseTopic, transferId, manifestJson, new BytesSource(payload), chunkSize, progress);
    }

    /** As {@link #transfer(MqttLink, String, String, byte[], byte[], int, Progress)}, from a file. */
    public TransferManifest transfer(MqttLink link, String baseTopic, String transferId, byte[] manifestJson,
            Path payload, int chunkSize, Progress progress) {
        try (FileSource src = new FileSource(payload)) {
            return run(link, baseTopic, transferId, manifestJson, src, chunkSize, progress);
        } catch (IOException e) {
            throw new MessagingException("cannot read transfer payload " + payload + ": " + e.getMessage(), e);
        }
    }

    /** Payload bytes by offset, so a resend can re-read any chunk. */
    private interface Source {
        long size();

        byte[] read(long offset, int length);

        String sha256();
    }

    private record InFlight(int index, int length, MqttLink.Delivery delivery) {}

    private TransferManifest run(MqttLink link, String baseTopic, String transferId, byte[] manifestJson, Source src,
            int chunkSize, Progress progress) {
        long size = src.size();
        long count = TransferManifest.chunkCount(size, chunkSize <= 0 ? 1 : chunkSize);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many chunks: " + count + "; use a larger chunk size");
        }
        TransferManifest header = new TransferManifest(transferId, size, (int) count, chunkSize, src.sha256(),
                manifestJson);
        new Run(link, baseTopic, header, src, progress == null ? Progress.NONE : progress).send();
        return header;
    }

    /**
     * One transfer: the messages not yet acknowledged (-1 is the manifest), sent in rounds until
     * none is left. A round publishes what is pending with at most {@code window} in flight and
     * stops at the first failure; the next round starts once the link is connected again.
     */
    private final class Run {
        private final MqttLink link;
        private final String baseTopic;
        private final TransferManifest header;
        private final byte[] headerJson;
        private final Source src;
        private final Progress progress;
        private final TreeSet<Integer> pending = new TreeSet<>();
        private long acked;
        private MessagingException lastFailure;

        Run(MqttLink link, String baseTopic, TransferManifest header, Source src, Progress progress) {
            this.link = link;
            this.baseTopic = baseTopic;
            this.header = header;
            this.headerJson = header.toJson();
            this.src = src;
            this.progress = progress;
            for (int i = -1; i < header.chunks(); i++) {
                pending.add(i); // -1 is the manifest: sorted first, so normally sent first
            }
        }

        void send() {
            long lastProgress = System.nanoTime();
            while (!pending.isEmpty()) {
                awaitConnection();
                long ackedBefore = acked;
                sendRound();
                if (acked > ackedBefore || pending.isEmpty()) {
                    lastProgress = System.nanoTime();
                    continue;
                }
                // Bounded however the failures look (dropped connections, ack timeouts, a broker that
                // keeps disconnecting us): no acknowledgement for reconnectTimeout ends the transfer.
                if (System.nanoTime() - lastProgress > reconnectTimeout.toNanos()) {
                    throw new MessagingException("transfer " + header.transferId() + " to " + baseTopic + " stalled: no"
                            + " acknowledgement for " + reconnectTimeout.toSeconds() + " s; " + acknowledged()
                            + " messages acknowledged; last error: "
                            + (lastFailure == null ? "none" : lastFailure.getMessage()), lastFailure);
                }
                if (link.isConnected()) {
                    // Failed while the client still looks connected (e.g. an ack timeout): give Paho a
                    // moment to notice a dead socket before the next round.
                    pauseBriefly();
                }
            }
        }

        private void awaitConnection() {
            if (!link.isConnected() && !link.awaitConnected(reconnectTimeout)) {
                throw new MessagingException("transfer " + header.transferId() + " to " + baseTopic + ": not connected"
                        + " to the broker and no reconnect within " + reconnectTimeout.toSeconds() + " s; "
                        + acknowledged() + " messages acknowledged"
                        + (lastFailure == null ? "" : "; last error: " + lastFailure.getMessage()), lastFailure);
            }
        }

        /** "k of n", n counting the manifest. */
        private String acknowledged() {
            return (header.chunks() + 1 - pending.size()) + " of " + (header.chunks() + 1);
        }

        private void sendRound() {
            Deque<InFlight> inFlight = new ArrayDeque<>();
            for (int index : new ArrayList<>(pending)) {
                if (!makeRoom(inFlight)) {
                    break;
                }
                try {
                    inFlight.addLast(publish(index));
                } catch (RejectedByBroker e) {
                    throw e;
                } catch (MessagingException e) { // not connected: wait for the reconnect, then resend
                    lastFailure = e;
                    break;
                }
            }
            while (!inFlight.isEmpty()) { // collect what is out; failures stay pending
                collect(inFlight.removeFirst());
            }
        }

        /** Waits for the oldest publishes until fewer than {@code window} are out; false if one failed. */
        private boolean makeRoom(Deque<InFlight> inFlight) {
            while (inFlight.size() >= window) {
                if (!collect(inFlight.removeFirst())) {
                    return false;
                }
            }
            return true;
        }

        /** Awaits {@code f}'s acknowledgement; false (and remembered) on a failure other than a refusal. */
        private boolean collect(InFlight f) {
            MessagingException e = await(link, f, header.transferId());
            if (e != null) {
                lastFailure = e;
                return false;
            }
            acked += ack(pending, f, acked, header.size(), progress);
            return true;
        }

        /** Publishes the manifest (index -1) or chunk {@code index} with its user properties. */
        private InFlight publish(int index) {
            String transferId = header.transferId();
            if (index < 0) {
                return new InFlight(index, 0, link.publishAsync(baseTopic + "/manifest", headerJson, 1, false,
                        Map.of("transfer", transferId)));
            }
            int len = header.chunkLength(index);
            byte[] chunk = src.read((long) index * header.chunkSize(), len);
            Map<String, String> props = new LinkedHashMap<>();
            props.put("transfer", transferId);
            props.put("index", Integer.toString(index));
            props.put("count", Integer.toString(header.chunks()));
            props.put("sha256", Hashes.sha256Hex(chunk));
            return new InFlight(index, len, link.publishAsync(baseTopic + "/chunk", chunk, 1, false, props));
        }
    }

    private static void pauseBriefly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("transfer interrupted");
        }
    }

    /** Marks {@code f} acknowledged; reports progress for chunks (not the manifest). Returns its bytes. */
    private static long ack(TreeSet<Integer> pending, InFlight f, long ackedBefore, long size, Progress p) {
        pending.remove(f.index());
        if (f.index() >= 0) {
            p.update(ackedBefore + f.length(), size);
        }
        return f.length();
    }

    /** Null if acknowledged; a refusal is thrown, other failures returned for a retry. */
    private static MessagingException await(MqttLink link, InFlight f, String transferId) {
        try {
            f.delivery().await(link.options().operationTimeout());
            return null;
        } catch (RejectedByBroker e) {
            throw new RejectedByBroker("transfer " + transferId + ": " + e.getMessage(), e.topic(), e.reasonCode());
        } catch (MessagingException e) {
            return e;
        }
    }

    private static final class BytesSource implements Source {
        private final byte[] data;

        BytesSource(byte[] data) {
            this.data = data;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public byte[] read(long offset, int length) {
            byte[] b = new byte[length];
            System.arraycopy(data, (int) offset, b, 0, length);
            return b;
        }

        @Override
        public String sha256() {
            return Hashes.sha256Hex(data);
        }
    }

    private static final class FileSource implements Source, AutoCloseable {
        private final Path file;
        private final FileChannel ch;

        FileSource(Path file) throws IOException {
            this.file = file;
            this.ch = FileChannel.open(file, StandardOpenOption.READ);
        }

        @Override
        public long size() {
            try {
                return ch.size();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }

        @Override
        public byte[] read(long offset, int length) {
            ByteBuffer buf = ByteBuffer.allocate(length);
            try {
                while (buf.hasRemaining()) {
                    if (ch.read(buf, offset + buf.position()) < 0) {
                        throw new MessagingException("transfer payload " + file + " shrank while being sent");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            return buf.array();
        }

        @Override
        public String sha256() {
            try {
                return Hashes.sha256Hex(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
