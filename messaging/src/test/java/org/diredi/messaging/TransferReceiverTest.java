package org.diredi.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Feeds the receiver's handler directly, as Paho would, with the sender's message format. */
class TransferReceiverTest {

    private static final String BASE = Topics.ota("acme", "cam-01");
    private static final byte[] EMBEDDED = "{\"signed\":true}".getBytes(StandardCharsets.UTF_8);

    /** Records what the receiver reports and copies completed payloads (the listener may move them). */
    static final class Recorder implements TransferReceiver.Listener {
        final List<TransferReceiver.Transfer> done = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
        final List<String> corrupt = new ArrayList<>();

        @Override
        public void onComplete(TransferReceiver.Transfer t) throws Exception {
            done.add(t);
            payloads.add(Files.readAllBytes(t.payload()));
        }

        @Override
        public void onFailed(String id, String reason) {
            failed.add(id + ": " + reason);
        }

        @Override
        public void onCorruptChunk(String id, int index, String reason) {
            corrupt.add(id + "#" + index + ": " + reason);
        }
    }

    record Msg(String topic, byte[] payload, Map<String, String> props) {}

    static byte[] data(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The messages {@link TransferSender} would publish: manifest first, then the chunks. */
    static List<Msg> messages(String base, String id, byte[] payload, int chunkSize) {
        int count = (int) TransferManifest.chunkCount(payload.length, chunkSize);
        TransferManifest h = new TransferManifest(id, payload.length, count, chunkSize, Hashes.sha256Hex(payload), EMBEDDED);
        List<Msg> out = new ArrayList<>();
        out.add(new Msg(base + "/manifest", h.toJson(), Map.of("transfer", id)));
        for (int i = 0; i < count; i++) {
            byte[] c = Arrays.copyOfRange(payload, i * chunkSize, Math.min(payload.length, (i + 1) * chunkSize));
            out.add(new Msg(base + "/chunk", c, Map.of("transfer", id, "index", "" + i, "count", "" + count,
                    "sha256", Hashes.sha256Hex(c))));
        }
        return out;
    }

    static void feed(TransferReceiver r, Msg m) {
        r.onMessage(m.topic(), m.payload(), m.props());
    }

    @Test
    void assemblesOutOfOrderChunksWithDuplicatesExactlyOnce(@TempDir Path dir) {
        byte[] payload = data(10_000, 1);
        List<Msg> msgs = messages(BASE, "t1", payload, 1024);
        List<Msg> shuffled = new ArrayList<>(msgs);
        Collections.shuffle(shuffled, new Random(7));
        shuffled.addAll(msgs.subList(0, 4)); // resends after a reconnect
        Recorder rec = new Recorder();
        TransferReceiver r = new TransferReceiver(Topics.device("acme", "x").replace("/x", "/+") + "/ota", dir, 1 << 20, rec);
        for (Msg m : shuffled) {
            feed(r, m);
        }
        assertEquals(1, rec.done.size(), "completed once despite duplicates");
        assertArrayEquals(payload, rec.payloads.get(0));
        TransferReceiver.Transfer t = rec.done.get(0);
        assertEquals("t1", t.transferId());
        assertEquals(BASE, t.baseTopic());
        assertArrayEquals(EMBEDDED, t.manifest());
        assertEquals(Hashes.sha256Hex(payload), t.sha256());
        assertEquals(List.of(), rec.failed);
        assertEquals(List.of(), rec.corrupt);
        assertFalse(Files.exists(dir.resolve("t1/chunk-00000000")), "chunks are removed once assembled");
    }

    @Test
    void corruptChunkIsDroppedAndAGoodResendCompletes(@TempDir Path dir) throws Exception {
        byte[] payload = data(5000, 2);
        List<Msg> msgs = messages(BASE, "t2", payload, 1000);
        Recorder rec = new Recorder();
        TransferReceiver r = new TransferReceiver(BASE, dir, 1 << 20, rec);
        Msg good = msgs.get(3);
        byte[] flipped = good.payload().clone();
        flipped[17] ^= 0x40;
        for (Msg m : msgs) {
            feed(r, m == good ? new Msg(m.topic(), flipped, m.props()) : m);
        }
        assertEquals(1, rec.corrupt.size(), rec.corrupt.toString());
        assertTrue(rec.corrupt.get(0).startsWith("t2#2: SHA-256 mismatch"), rec.corrupt.get(0));
        assertTrue(rec.done.isEmpty(), "never assembled with a corrupt chunk");
        assertFalse(Files.exists(dir.resolve("t2/chunk-00000002")));

        feed(r, good);
        assertEquals(1, rec.done.size());
        assertArrayEquals(payload, rec.payloads.get(0));
    }

    @Test
    void wholeHashMismatchFails(@TempDir Path dir) {
        byte[] payload = data(3000, 3);
        List<Msg> msgs = messages(BASE, "t3", payload, 1000);
        // Manifest announcing a different payload of the same size: every chunk is fine on its own.
        TransferManifest lie = new TransferManifest("t3", 3000, 3, 1000, Hashes.sha256Hex(data(3000, 4)), EMBEDDED);
        msgs.set(0, new Msg(BASE + "/manifest", lie.toJson(), Map.of()));
        Recorder rec = new Recorder();
        TransferReceiver r = new TransferReceiver(BASE, dir, 1 << 20, rec);
        msgs.forEach(m -> feed(r, m));
        assertTrue(rec.done.isEmpty());
        assertEquals(1, rec.failed.size());
        assertTrue(rec.failed.get(0).contains("does not match the manifest"), rec.failed.get(0));
        assertFalse(Files.exists(dir.resolve("t3/payload")));
        feed(r, msgs.get(1)); // late duplicate of a failed transfer: ignored, not reported again
        assertEquals(1, rec.failed.size());
    }

    @Test
    void refusesTransfersAboveMaxBytes(@TempDir Path dir) {
        List<Msg> msgs = messages(BASE, "big", data(4096, 5), 1024);
        Recorder rec = new Recorder();
        TransferReceiver r = new TransferReceiver(BASE, dir, 4095, rec);
        msgs.forEach(m -> feed(r, m));
        assertTrue(rec.done.isEmpty());
        assertEquals(List.of("big: declared size 4096 bytes exceeds the maximum of 4095"), rec.failed);

        // Chunks without a manifest are bounded too.
        Recorder rec2 = new Recorder();
        TransferReceiver r2 = new TransferReceiver(BASE, dir.resolve("2"), 2048, rec2);
        messages(BASE, "noheader", data(4096, 6), 1024).stream().skip(1).forEach(m -> feed(r2, m));
        assertEquals(1, rec2.failed.size(), rec2.failed.toString());
        assertTrue(rec2.failed.get(0).contains("before any manifest"));
    }

    @Test
    void restartedReceiverContinuesFromDisk(@TempDir Path dir) {
        byte[] payload = data(8000, 8);
        List<Msg> msgs = messages(BASE, "t4", payload, 1000);
        Recorder first = new Recorder();
        TransferReceiver r1 = new TransferReceiver(BASE, dir, 1 << 20, first);
        msgs.subList(0, 5).forEach(m -> feed(r1, m)); // manifest + 4 chunks, then the process dies

        Recorder second = new Recorder();
        TransferReceiver r2 = new TransferReceiver(BASE, dir, 1 << 20, second);
        msgs.subList(3, msgs.size()).forEach(m -> feed(r2, m)); // broker redelivers from chunk 2 on
        assertTrue(first.done.isEmpty());
        assertEquals(1, second.done.size());
        assertArrayEquals(payload, second.payloads.get(0));
    }

    @Test
    void resumeCompletesATransferWhoseHandlerNeverFinished(@TempDir Path dir) {
        byte[] payload = data(2500, 9);
        List<Msg> msgs = messages(BASE, "t5", payload, 1000);
        TransferReceiver crashing = new TransferReceiver(BASE, dir, 1 << 20, t -> {
            throw new Error("simulated crash inside the completion handler");
        });
        try {
            msgs.forEach(m -> feed(crashing, m));
        } catch (Error expected) {
            // the process "dies" here: no state file written
        }
        assertFalse(Files.exists(dir.resolve("t5/state")));

        Recorder rec = new Recorder();
        new TransferReceiver(BASE, dir, 1 << 20, rec).resume();
        assertEquals(1, rec.done.size());
        assertArrayEquals(payload, rec.payloads.get(0));
    }

    @Test
    void rejectsUnsafeIdsAndMalformedChunks(@TempDir Path dir) {
        Recorder rec = new Recorder();
        TransferReceiver r = new TransferReceiver(BASE, dir, 1 << 20, rec);
        byte[] c = {1, 2, 3};
        String sha = Hashes.sha256Hex(c);
        r.onMessage(BASE + "/chunk", c, Map.of("transfer", "../escape", "index", "0", "count", "1", "sha256", sha));
        r.onMessage(BASE + "/chunk", c, Map.of("transfer", "ok", "index", "x", "count", "1", "sha256", sha));
        r.onMessage(BASE + "/chunk", c, Map.of("transfer", "ok", "index", "1", "count", "1", "sha256", sha));
        r.onMessage(BASE + "/manifest", "{}".getBytes(StandardCharsets.UTF_8), Map.of("transfer", "ok"));
        assertEquals(3, rec.corrupt.size(), rec.corrupt.toString());
        assertTrue(rec.corrupt.get(0).startsWith("?#"), rec.corrupt.get(0));
        assertEquals(1, rec.failed.size());
        assertTrue(rec.failed.get(0).startsWith("ok: invalid transfer manifest"), rec.failed.get(0));
        assertFalse(Files.exists(dir.resolveSibling("escape")));
        assertTrue(rec.done.isEmpty());
    }

    @Test
    void newContentUnderAnOldIdStartsAFreshTransfer(@TempDir Path dir) {
        Recorder rec = new Recorder();
        TransferReceiver r = new TransferReceiver(BASE, dir, 1 << 20, rec);
        byte[] v1 = data(1500, 10);
        byte[] v2 = data(1700, 11);
        messages(BASE, "same", v1, 1000).forEach(m -> feed(r, m));
        messages(BASE, "same", v2, 1000).forEach(m -> feed(r, m));
        assertEquals(2, rec.done.size());
        assertArrayEquals(v1, rec.payloads.get(0));
        assertArrayEquals(v2, rec.payloads.get(1));
    }
}
