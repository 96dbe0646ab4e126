package org.diredi.vision.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.awt.image.RenderedImage;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import javax.imageio.ImageIO;

/**
 * Write-then-rename: the one way this project writes result files, so a crash or a failing writer
 * never leaves a truncated file where a reader (a resumed run, a report, a watcher) expects a
 * complete one. The temp file lives in the target's directory because a rename is only atomic
 * within one file system.
 */
public final class AtomicFiles {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private static final LongAdder DIRECTORY_SYNCS = new LongAdder();

    private AtomicFiles() {}

    /**
     * Writes {@code target} with {@code writer}: into a temp file next to it, flushed to disk, then
     * moved over the target (atomically where the file system allows it). On any failure the temp
     * file is deleted and an existing target is left untouched. Missing parent directories are
     * created. The stream given to the writer is buffered; closing it is allowed and harmless.
     */
    public static void write(Path target, IOConsumer<OutputStream> writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = createTemp(dir, abs.getFileName().toString());
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 BufferedOutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                writer.accept(new NonClosing(out));
                out.flush();
                // Without the fsync a power loss after the rename can leave an empty file.
                ch.force(true);
            }
            replace(tmp, abs);
            done = true;
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException suppressed) {
                    // The original failure matters more than a leftover temp file.
                }
            }
        }
    }

    /** Writes {@code text} as UTF-8, atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Deletes the temp files killed writers left in {@code dir} (a kill -9 cannot clean up after
     * itself): names of the form {@code .NAME.HEX.tmp} that this class creates. Call only when no
     * other process writes into {@code dir}.
     *
     * @return how many were deleted
     */
    public static int cleanStale(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (f.getFileName().toString().matches("\\..+\\.[0-9a-f]+\\.tmp") && Files.deleteIfExists(f)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Writes {@code bytes}, atomically. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * {@link #writeBytes} for code that reports failures itself (dataset writers): an I/O error
     * becomes an {@link java.io.UncheckedIOException} naming the file.
     */
    public static void bytes(Path target, byte[] bytes) {
        try {
            writeBytes(target, bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** {@link #bytes} for UTF-8 text. */
    public static void string(Path target, String text) {
        bytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Deletes {@code dir} and everything under it; nothing happens if it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Writes {@code value} as pretty-printed JSON (Jackson, records supported) with a final newline. */
    public static void writeJson(Path target, Object value) throws IOException {
        write(target, out -> {
            JSON.writeValue(out, value);
            out.write('\n');
        });
    }

    /** Writes {@code image} as PNG, atomically. */
    public static void writePng(Path target, RenderedImage image) throws IOException {
        write(target, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer for image type of " + target);
            }
        });
    }

    /**
     * Builds a whole folder at once: {@code builder} fills a temporary folder beside {@code target},
     * every file in it is synced, and it is renamed to {@code target}, which must not exist or be an
     * empty folder. On any failure the temporary folder is deleted and {@code target} is left as it was,
     * so a reader sees no folder or a complete one, never part of one.
     *
     * @throws DirectoryNotEmptyException if {@code target} is a folder with something in it
     */
    public static void directory(Path target, IOConsumer<Path> builder) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        requireEmpty(abs);
        Path tmp = createTempDirectory(parent, abs.getFileName().toString());
        boolean done = false;
        try {
            builder.accept(tmp);
            syncTree(tmp);
            requireEmpty(abs);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE); // rename(2) replaces an empty folder
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(abs);
                Files.move(tmp, abs);
            }
            syncDirectory(parent);
            done = true;
        } finally {
            if (!done) {
                try {
                    deleteTree(tmp);
                } catch (IOException suppressed) {
                    // The original failure matters more than a leftover temp folder.
                }
            }
        }
    }

    private static void requireEmpty(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new DirectoryNotEmptyException(dir.toString());
                }
            }
        } else if (Files.exists(dir)) {
            throw new FileAlreadyExistsException(dir.toString());
        }
    }

    /** Syncs every file, then every folder from the deepest up, so the rename publishes only synced data. */
    private static void syncTree(Path root) throws IOException {
        List<Path> all;
        try (var s = Files.walk(root)) {
            all = s.sorted(java.util.Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            if (Files.isRegularFile(p)) {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            } else if (Files.isDirectory(p)) {
                syncDirectory(p);
            }
        }
    }

    private static Path createTempDirectory(Path dir, String name) throws IOException {
        // Not Files.createTempDirectory: it creates mode 0700, which the rename would give the target.
        for (int attempt = 0; ; attempt++) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            try {
                return Files.createDirectory(dir.resolve("." + name + "." + suffix + ".tmp"));
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 16) {
                    throw e;
                }
            }
        }
    }

    private static Path createTemp(Path dir, String name) throws IOException {
        // Not Files.createTempFile: it creates mode 0600, which the rename would give the target.
        for (int attempt = 0; ; attempt++) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            Path tmp = (dir == null ? Path.of("") : dir).resolve("." + name + "." + suffix + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 16) {
                    throw e;
                }
            }
        }
    }

    /**
     * Moves a complete, synced {@code tmp} over {@code target} (atomically where the file system allows
     * it) and syncs the directory: the rename lives in the directory's own blocks, and until those reach
     * the disk a power cut can bring back the old file, or no file at all.
     */
    public static void replace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /**
     * Flushes a directory's entries (renames, new files) to disk. Where the platform cannot open a
     * directory for reading (Windows) or sync it, this does nothing: those file systems order the
     * rename themselves or offer no way to ask.
     */
    public static void syncDirectory(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
            DIRECTORY_SYNCS.increment();
        } catch (AccessDeniedException | UnsupportedOperationException e) {
            // Windows refuses to open a directory as a file; nothing to sync there.
        } catch (IOException e) {
            if (!isUnsupportedSync(e)) {
                throw e;
            }
        }
    }

    /** Some file systems (e.g. some network mounts) refuse fsync on a directory with EINVAL. */
    private static boolean isUnsupportedSync(IOException e) {
        return String.valueOf(e.getMessage()).contains("Invalid argument");
    }

    /** How many directory syncs succeeded in this JVM: lets a test see that a write synced its folder. */
    static long directorySyncs() {
        return DIRECTORY_SYNCS.sum();
    }

    /** Lets writers (Jackson, ImageIO wrappers) close "their" stream without closing ours early. */
    private static final class NonClosing extends FilterOutputStream {

        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len); // FilterOutputStream's default writes byte by byte
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
