package org.diredi.cloud.registry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.diredi.cloud.CloudConfig;
import org.diredi.messaging.Topics;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * The manufacturer's fleet registry: every customer with its current tutor, edge model, preset and
 * version, its cameras (id, profile) and the broker accounts of its on-prem PCs, in one JSON file.
 * Enrolment ({@code diredi fleet add-*}) adds to it, the cloud reads it (re-reading it when it changes)
 * and records each accepted update in it. Writers take the registry's lock (a lock file beside it, so
 * processes exclude each other), read, change and write atomically, so no writer undoes another's change.
 * <pre>
 * {"customers": {"acme": {"tutor": "...", "edge": "...", "edgePreset": "cpu/edge", "version": 0,
 *     "devices": [{"id": "cam-01", "profile": "cpu"}], "onprem": ["acme-onprem"]}}}
 * </pre>
 */
public final class FleetRegistry {

    /** The file's contents, customers sorted by id (a stable file for a diff). */
    public record Contents(Map<String, CloudConfig.Customer> customers) {
        public static final Contents EMPTY = new Contents(Map.of());

        public Contents {
            TreeMap<String, CloudConfig.Customer> sorted = new TreeMap<>();
            if (customers != null) {
                customers.forEach((id, c) -> {
                    Topics.id("customer", id);
                    if (c == null) {
                        throw new IllegalArgumentException("customers: " + id + " is empty");
                    }
                    sorted.put(id, c);
                });
            }
            customers = Collections.unmodifiableMap(sorted);
        }

        /** These contents with {@code id}'s entry set to {@code c}. */
        public Contents with(String id, CloudConfig.Customer c) {
            TreeMap<String, CloudConfig.Customer> all = new TreeMap<>(customers);
            all.put(id, c);
            return new Contents(all);
        }
    }

    /** An action under the registry's lock. */
    public interface Locked<T> {
        T run() throws IOException;
    }

    /** One lock per registry file and JVM, held around the file lock (which excludes other processes only). */
    private static final Map<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

    private final Path file;

    public FleetRegistry(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /**
     * The registry now; empty when the file does not exist yet (no one enrolled).
     *
     * @throws ConfigFiles.ConfigException naming the file and the problem when it is not a valid registry
     */
    public Contents read() {
        if (!Files.exists(file)) {
            return Contents.EMPTY;
        }
        return ConfigFiles.load(file, Contents.class, Contents.EMPTY);
    }

    /** Replaces the file, atomically; callers hold the lock ({@link #update}, {@link #locked}). */
    public void write(Contents c) throws IOException {
        AtomicFiles.writeJson(file, c);
    }

    /** Reads, changes and writes the registry under its lock; returns what was written. */
    public Contents update(UnaryOperator<Contents> change) throws IOException {
        return locked(() -> {
            Contents next = change.apply(read());
            write(next);
            return next;
        });
    }

    /**
     * Runs {@code action} holding the registry's lock: enrolment holds it across every file it writes
     * (account store, registry, mosquitto files), so two enrolments never interleave. Re-entrant.
     */
    public <T> T locked(Locked<T> action) throws IOException {
        Path lockFile = file.toAbsolutePath().normalize().resolveSibling(file.getFileName() + ".lock");
        ReentrantLock jvm = IN_JVM.computeIfAbsent(lockFile, k -> new ReentrantLock());
        jvm.lock();
        try {
            if (jvm.getHoldCount() > 1) {
                return action.run();
            }
            Files.createDirectories(lockFile.getParent());
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock held = ch.lock()) {
                return action.run();
            }
        } finally {
            jvm.unlock();
        }
    }
}
