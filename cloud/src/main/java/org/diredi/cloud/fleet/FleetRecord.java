package org.diredi.cloud.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * The durable record of every camera ({@code fleet/devices.json} in the cloud's work folder). Status
 * messages and reports update it in memory as they arrive; {@link #flush} writes it whole (write, sync,
 * rename), at most once per fleet tick, so a thousand cameras reporting every few seconds cost one write
 * a tick, and a restart finds the record as of the last tick.
 */
public final class FleetRecord {

    public static final String FILE = "devices.json";

    /** The file's content. */
    public record Stored(String updatedAt, List<DeviceRecord> devices) {}

    private final Path file;
    private final Map<String, DeviceRecord> devices = new TreeMap<>();
    private final Object writing = new Object(); // one write at a time, so an older snapshot never lands last
    private boolean dirty;

    /** The record in {@code file}, or an empty one when there is none yet. */
    public FleetRecord(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            read(file).forEach(d -> devices.put(key(d.customer(), d.device()), d));
        }
        dirty = true;
    }

    /** Every device in {@code file}; a missing or unreadable file is an error naming it. */
    public static List<DeviceRecord> read(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + ": no fleet record (the cloud writes it once `cloud serve` has"
                    + " run with this configuration's workDir)");
        }
        try {
            return ConfigFiles.JSON.readValue(file.toFile(), Stored.class).devices();
        } catch (IOException e) {
            throw new IllegalStateException(file + ": unreadable fleet record (" + e.getMessage() + ")", e);
        }
    }

    public synchronized DeviceRecord get(String customer, String device) {
        return devices.get(key(customer, device));
    }

    /** Every device, by customer then device id. */
    public synchronized List<DeviceRecord> all() {
        return new ArrayList<>(devices.values());
    }

    public synchronized List<DeviceRecord> customer(String customer) {
        return devices.values().stream().filter(d -> d.customer().equals(customer)).toList();
    }

    /** Adds a configured camera not heard from yet; a known one keeps its record. */
    public synchronized void ensure(String customer, String device, String profile) {
        if (devices.putIfAbsent(key(customer, device), DeviceRecord.unseen(customer, device, profile)) == null) {
            dirty = true;
        }
    }

    public DeviceRecord status(String customer, String device, Map<?, ?> status, Instant heard) {
        return update(customer, device, d -> d.withStatus(status, heard));
    }

    public DeviceRecord report(String customer, String device, Map<?, ?> report, Instant heard) {
        return update(customer, device, d -> d.withOutcome(report, heard));
    }

    public DeviceRecord pin(String customer, String device, Long version) {
        return update(customer, device, d -> d.withPin(version));
    }

    private synchronized DeviceRecord update(String customer, String device, UnaryOperator<DeviceRecord> change) {
        DeviceRecord before = devices.getOrDefault(key(customer, device), DeviceRecord.unseen(customer, device, null));
        DeviceRecord after = change.apply(before);
        if (!after.equals(before)) {
            devices.put(key(customer, device), after);
            dirty = true;
        }
        return after;
    }

    /** Writes the record if it changed since the last write. */
    public void flush() {
        synchronized (writing) {
            write();
        }
    }

    private void write() {
        Stored s;
        synchronized (this) {
            if (!dirty) {
                return;
            }
            s = new Stored(Instant.now().toString(), devices.values().stream()
                    .sorted(Comparator.comparing(DeviceRecord::customer).thenComparing(DeviceRecord::device)).toList());
            dirty = false;
        }
        try {
            AtomicFiles.writeJson(file, s);
        } catch (IOException e) {
            synchronized (this) {
                dirty = true;
            }
            throw new UncheckedIOException("cannot write the fleet record " + file + ": " + e.getMessage(), e);
        }
    }

    private static String key(String customer, String device) {
        return customer + "/" + device;
    }
}
