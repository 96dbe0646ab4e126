package org.diredi.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;
import org.diredi.vision.io.AtomicFiles;

/**
 * A machine's ready-to-copy folder, made whole or not at all: its files are written into a hidden
 * folder beside it, which is renamed into place at the end. An existing folder is never touched.
 */
final class MachineFolder implements AutoCloseable {

    /** The password file every machine's configuration names. */
    static final String PASSWORD = "broker.password";
    static final String CA = "ca.crt";

    private final Path target;
    private final Path staging;
    private boolean placed;

    private MachineFolder(Path target, Path staging) {
        this.target = target;
        this.staging = staging;
    }

    /** @throws IllegalArgumentException naming the folder when it exists already */
    static void requireAbsent(Path target) {
        if (Files.exists(target)) {
            throw new IllegalArgumentException(target + ": already exists; nothing was overwritten (move it away, or"
                    + " enrol under another name)");
        }
    }

    /** A hidden staging folder beside {@code target}. */
    static MachineFolder stage(Path target) throws IOException {
        requireAbsent(target);
        Path abs = target.toAbsolutePath().normalize();
        Files.createDirectories(abs.getParent());
        Path staging = abs.resolveSibling("." + abs.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + ".tmp");
        Files.createDirectory(staging);
        return new MachineFolder(abs, staging);
    }

    /** Where a file of the folder is written now. */
    Path file(String name) {
        return staging.resolve(name);
    }

    /** Where a file of the folder will be once it is in place. */
    Path placed(String name) {
        return target.resolve(name);
    }

    Path target() {
        return target;
    }

    /** Copies {@code source} into the folder as {@code name}. */
    void copy(Path source, String name) throws IOException {
        Files.copy(source, file(name), StandardCopyOption.COPY_ATTRIBUTES);
    }

    /** Renames the staged folder into place. */
    void place() throws IOException {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(target.getParent());
        placed = true;
    }

    /** Takes the folder away again, when a later step of the enrolment failed. */
    void undo() throws IOException {
        if (placed) {
            AtomicFiles.deleteTree(target);
            placed = false;
        }
    }

    /** Removes what is left of the staging folder (everything, unless it was placed). */
    @Override
    public void close() throws IOException {
        AtomicFiles.deleteTree(staging);
    }
}
