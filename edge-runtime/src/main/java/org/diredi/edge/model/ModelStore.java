package org.diredi.edge.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.diredi.messaging.Hashes;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * The device's models on disk. Every version is a complete file {@code v<N>.onnx} (written to a
 * temporary name, then renamed) with its record {@code v<N>.json}; the file {@code ACTIVE} names the
 * version in use and is replaced atomically. So a kill -9 at any moment leaves ACTIVE pointing at a
 * complete model, and a failed update only has to point ACTIVE back.
 */
public final class ModelStore {

    static final String ACTIVE = "ACTIVE";
    /** When the last signed instruction this device followed was issued (the manufacturer's clock). */
    static final String INSTRUCTED = "INSTRUCTED";

    /** One installed model. {@code origin} says where it came from (initial file, OTA manifest). */
    public record Installed(long version, String file, String sha256, long size, String origin, String installedAt) {}

    private final Path dir;

    public ModelStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            AtomicFiles.cleanStale(dir); // leftovers of writes a kill interrupted
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot prepare the model store (" + e.getMessage() + ")", e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path path(Installed m) {
        return dir.resolve(m.file());
    }

    /** The model in use, if any. */
    public Optional<Installed> active() {
        Path p = dir.resolve(ACTIVE);
        if (!Files.exists(p)) {
            return Optional.empty();
        }
        try {
            long v = Long.parseLong(Files.readString(p).trim());
            return Optional.of(get(v));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(p + ": unreadable active-model pointer (" + e.getMessage() + ")", e);
        }
    }

    /** The installed record of {@code version}. */
    public Installed get(long version) {
        Path json = dir.resolve("v" + version + ".json");
        try {
            return ConfigFiles.JSON.readValue(json.toFile(), Installed.class);
        } catch (IOException e) {
            throw new IllegalStateException(json + ": model record missing or unreadable (" + e.getMessage() + ")", e);
        }
    }

    /** Installed versions, oldest first (those with both the model and its record). */
    public List<Long> versions() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("v\\d+\\.json"))
                    .map(n -> Long.parseLong(n.substring(1, n.length() - 5)))
                    .filter(v -> Files.exists(dir.resolve("v" + v + ".onnx")))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The newest installed version below the active one (where a rollback goes). */
    public Optional<Installed> previous() {
        Optional<Installed> a = active();
        if (a.isEmpty()) {
            return Optional.empty();
        }
        return versions().stream().filter(v -> v < a.get().version()).reduce((x, y) -> y).map(this::get);
    }

    /**
     * Copies {@code model} in as {@code version} (not active yet). The model file is complete before
     * its record exists, so a record always describes a whole file.
     */
    public Installed install(long version, Path model, String origin) {
        if (version < 0) {
            throw new IllegalArgumentException("model version must be >= 0, got " + version);
        }
        String file = "v" + version + ".onnx";
        try {
            AtomicFiles.write(dir.resolve(file), out -> Files.copy(model, out));
            Installed m = new Installed(version, file, Hashes.sha256Hex(dir.resolve(file)), Files.size(dir.resolve(file)), origin,
                    java.time.Instant.now().toString());
            AtomicFiles.writeJson(dir.resolve("v" + version + ".json"), m);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot install model version " + version + " ("
                    + e.getMessage() + ")", e);
        }
    }

    /** Makes {@code version} the active model (one atomic rename). */
    public void activate(long version) {
        get(version); // must exist
        try {
            AtomicFiles.writeString(dir.resolve(ACTIVE), version + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot switch to model version " + version, e);
        }
    }

    /** When the last instruction followed was issued, if any. */
    public Optional<java.time.Instant> instructedAt() {
        Path p = dir.resolve(INSTRUCTED);
        try {
            return Files.exists(p) ? Optional.of(java.time.Instant.parse(Files.readString(p).trim())) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(p + ": unreadable instruction time (" + e.getMessage() + ")", e);
        }
    }

    /** Records that an instruction issued at {@code at} was followed (one atomic rename). */
    public void markInstructed(java.time.Instant at) {
        try {
            AtomicFiles.writeString(dir.resolve(INSTRUCTED), at + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot record the instruction time", e);
        }
    }

    /** Deletes an installed version that is not active (a failed update, or old ones). */
    public void remove(long version) {
        if (active().map(a -> a.version() == version).orElse(false)) {
            throw new IllegalStateException("model version " + version + " is active: switch away first");
        }
        try {
            Files.deleteIfExists(dir.resolve("v" + version + ".json")); // record first: no record without a file
            Files.deleteIfExists(dir.resolve("v" + version + ".onnx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keeps the active version and the {@code keepPrevious} newest below it. */
    public void prune(int keepPrevious) {
        long act = active().map(Installed::version).orElse(Long.MAX_VALUE);
        List<Long> older = versions().stream().filter(v -> v < act).toList();
        for (int i = 0; i < older.size() - keepPrevious; i++) {
            remove(older.get(i));
        }
    }
}
