package org.diredi.edge.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * A bounded first-in first-out queue of messages on disk, one file per message
 * ({@code m-<sequence>.json}, sequence numbers increasing), so it survives a restart or a power cut:
 * each entry is written to a temporary file, synced, renamed, and the folder synced after the rename
 * (without that last step a power cut can lose the rename). Beyond {@code capacity} entries the oldest
 * are deleted and counted in {@code dropped}, a number kept in the same folder.
 *
 * <p>Delivered entries are deleted without a folder sync: after a power cut one may come back and be
 * sent again, which at-least-once delivery allows. Thread-safe.
 */
public final class DiskQueue {

    /** An entry and its place in the queue. */
    public record Entry(long sequence, Message message) {}

    private static final String PREFIX = "m-";
    private static final String SUFFIX = ".json";
    private static final String DROPPED = "dropped";

    private final Path dir;
    private final int capacity;
    private final Deque<Long> sequences = new ArrayDeque<>(); // oldest first
    private long lastSequence;
    private long dropped;

    /** Opens (or creates) the queue in {@code dir}; entries left by a previous run are kept, in order. */
    public DiskQueue(Path dir, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be >= 1, got " + capacity);
        }
        this.dir = dir;
        this.capacity = capacity;
        try {
            Files.createDirectories(dir);
            AtomicFiles.cleanStale(dir); // temp files of writes a kill or power cut interrupted
            dropped = readDropped();
            sequences.addAll(storedSequences());
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot open the message queue (" + e.getMessage() + ")", e);
        }
        lastSequence = sequences.isEmpty() ? 0 : sequences.peekLast();
        dropOverCapacity(); // the bound may have been lowered since the last run
    }

    public Path dir() {
        return dir;
    }

    /** Adds {@code m} at the tail, durably, dropping the oldest entries beyond the capacity. */
    public synchronized void append(Message m) {
        long seq = lastSequence + 1;
        try {
            AtomicFiles.writeJson(file(seq), m); // synced, renamed, folder synced
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot queue a message for " + m.topic() + " (" + e.getMessage()
                    + ")", e);
        }
        lastSequence = seq;
        sequences.addLast(seq);
        dropOverCapacity();
    }

    /**
     * The oldest {@code max} entries, oldest first. An entry that cannot be read (a disk fault) is
     * deleted and counted as dropped.
     */
    public synchronized List<Entry> peek(int max) {
        List<Entry> out = new ArrayList<>(Math.min(max, sequences.size()));
        List<Long> unreadable = new ArrayList<>();
        for (long seq : sequences) {
            if (out.size() >= max) {
                break;
            }
            try {
                out.add(new Entry(seq, ConfigFiles.JSON.readValue(file(seq).toFile(), Message.class)));
            } catch (IOException | RuntimeException e) {
                System.err.println("edge: queued message " + file(seq) + " is unreadable (" + e.getMessage()
                        + "); dropped");
                unreadable.add(seq);
            }
        }
        for (long seq : unreadable) {
            remove(seq);
            countDropped(1);
        }
        return out;
    }

    /** Deletes an entry once it was delivered; unknown sequences are ignored. */
    public synchronized void remove(long sequence) {
        if (!sequences.remove(sequence)) {
            return;
        }
        try {
            Files.deleteIfExists(file(sequence));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete delivered message " + file(sequence), e);
        }
    }

    public synchronized int size() {
        return sequences.size();
    }

    public synchronized boolean isEmpty() {
        return sequences.isEmpty();
    }

    /** Entries dropped to stay within the capacity (or unreadable), since the queue was first created. */
    public synchronized long dropped() {
        return dropped;
    }

    private void dropOverCapacity() {
        int over = sequences.size() - capacity;
        for (int i = 0; i < over; i++) {
            remove(sequences.peekFirst());
        }
        if (over > 0) {
            countDropped(over);
        }
    }

    private void countDropped(int n) {
        dropped += n;
        try {
            AtomicFiles.writeString(dir.resolve(DROPPED), dropped + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot record the dropped count (" + e.getMessage() + ")", e);
        }
    }

    private long readDropped() throws IOException {
        try {
            return Long.parseLong(Files.readString(dir.resolve(DROPPED), StandardCharsets.UTF_8).trim());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (NumberFormatException e) {
            throw new IOException(dir.resolve(DROPPED) + " does not hold a number", e);
        }
    }

    private List<Long> storedSequences() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches(PREFIX + "\\d{20}" + "\\" + SUFFIX))
                    .map(n -> Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length())))
                    .sorted().toList();
        }
    }

    private Path file(long sequence) {
        return dir.resolve(String.format("%s%020d%s", PREFIX, sequence, SUFFIX));
    }
}
