package org.diredi.cloud.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.diredi.messaging.Topics;

/**
 * The lock a worker holds on a customer while it decides one of its deltas: an OS file lock on
 * {@code <locks>/<customer>.lock}, so it excludes workers in other processes (on other machines, when the
 * work folder is a shared file system with locks, e.g. NFSv4) and the kernel frees it when its holder dies,
 * even by SIGKILL. The intake releases a customer's jobs one at a time; this lock is what keeps a job that the
 * broker or the intake gave out twice (a worker's connection dropped while it still worked, a re-announce)
 * from being decided twice or beside the customer's next delta.
 */
public final class CustomerLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private CustomerLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The customer's lock, or null when another worker holds it now. */
    public static CustomerLock tryLock(Path locks, String customer) {
        FileChannel ch = null;
        try {
            Files.createDirectories(locks);
            ch = FileChannel.open(locks.resolve(Topics.id("customer", customer) + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
                return null;
            }
            return new CustomerLock(ch, l);
        } catch (OverlappingFileLockException e) { // held by another worker in this JVM
            closeQuietly(ch);
            return null;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException(locks + ": cannot lock customer " + customer + " (" + e.getMessage() + ")", e);
        }
    }

    /** Whether a worker holds the customer's lock now. */
    public static boolean held(Path locks, String customer) {
        try (CustomerLock l = tryLock(locks, customer)) {
            return l == null;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // nothing held
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
