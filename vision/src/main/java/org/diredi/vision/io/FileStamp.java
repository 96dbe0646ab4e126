package org.diredi.vision.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One version of a file, as cheaply as a {@code stat} tells it: a service that re-reads a file another
 * process rewrites (an account store, a registry) compares stamps instead of contents. Files written by
 * {@link AtomicFiles} are renamed into place, which gives them a new file key even when size and time
 * happen to match.
 *
 * @param fileKey the file system's identity of the file (inode), null when missing
 */
public record FileStamp(Object fileKey, long modifiedNanos, long size) {

    public static final FileStamp MISSING = new FileStamp(null, -1, -1);

    /** The stamp of {@code file} now; {@link #MISSING} when it does not exist. */
    public static FileStamp of(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(Objects.requireNonNullElse(a.fileKey(), "no-key"),
                    a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size());
        } catch (NoSuchFileException e) {
            return MISSING;
        } catch (IOException e) {
            // Unreadable now: differs from any readable version, so the reader tries (and reports) it.
            return new FileStamp("unreadable: " + e.getMessage(), -1, -1);
        }
    }
}
