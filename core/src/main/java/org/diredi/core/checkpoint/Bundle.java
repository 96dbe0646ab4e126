package org.diredi.core.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.diredi.vision.io.AtomicFiles;

/**
 * The container of checkpoints and knowledge deltas: a zip of named entries, written to a
 * temporary file and renamed (a kill never leaves half a file in place of a good one), read
 * through the zip's central directory so that a file cut anywhere is detected.
 */
public final class Bundle {

    private Bundle() {}

    /** Writes the entries, in order, atomically. */
    public static void write(Path target, Map<String, byte[]> entries) throws IOException {
        if (target.toAbsolutePath().getParent() != null) {
            Files.createDirectories(target.toAbsolutePath().getParent());
        }
        AtomicFiles.write(target, os -> {
            ZipOutputStream zip = new ZipOutputStream(os);
            zip.setLevel(1);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /**
     * Reads every entry. {@code what} names the kind of file in messages ("checkpoint", "delta").
     *
     * @throws BundleException naming the file: not found, truncated or corrupt, unreadable
     */
    public static Map<String, byte[]> read(Path file, String what) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            var it = zip.entries();
            while (it.hasMoreElements()) {
                ZipEntry e = it.nextElement();
                try (InputStream in = zip.getInputStream(e)) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new BundleException(file + ": " + what + " not found");
        } catch (ZipException | java.io.EOFException e) {
            throw new BundleException(file + ": truncated or corrupt " + what + " (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BundleException(file + ": cannot read " + what + " (" + e.getMessage() + ")");
        }
        return entries;
    }

    /** A bundle that cannot be used; the message names the file and the reason. */
    public static class BundleException extends RuntimeException {
        public BundleException(String message) {
            super(message);
        }
    }
}
