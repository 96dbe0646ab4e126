package org.diredi.messaging;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.diredi.vision.io.AtomicFiles;

/**
 * Broker passwords from configuration: a file named by the config (keeps secrets out of it), or inline;
 * and files that hold secrets, written readable by their owner only.
 */
public final class Secrets {

    private Secrets() {}

    /**
     * @param inline  the inline password, or null
     * @param file    a file holding the password (trailing whitespace ignored); wins over {@code inline}
     * @param setting the config key of {@code file}, for the error message
     */
    public static String password(String inline, String file, String setting) {
        if (file == null || file.isBlank()) {
            return inline;
        }
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(setting + " " + file + ": password file not found");
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + " " + file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /**
     * Writes {@code content} atomically (as {@link AtomicFiles}), readable and writable by the owner only
     * where the file system has POSIX permissions. The temp file gets mode 600 at creation, so the secret
     * is never readable by others, not even between write and rename.
     */
    public static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    ownerOnly()); OutputStream out = Channels.newOutputStream(ch)) {
                out.write(content);
                ch.force(true);
            }
            AtomicFiles.replace(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static FileAttribute<?>[] ownerOnly() {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }
}
