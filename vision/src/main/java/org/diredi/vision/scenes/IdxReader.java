package org.diredi.vision.scenes;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.diredi.vision.data.DataException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST: big-endian magic 2051 (unsigned-byte images,
 * count x rows x cols) or 2049 (unsigned-byte labels), gzip-compressed or not (sniffed).
 */
public final class IdxReader {

    public static final int IMAGES_MAGIC = 2051;
    public static final int LABELS_MAGIC = 2049;

    /** {@code count} images of {@code rows x cols} unsigned bytes, image-major then row-major. */
    public record Images(int count, int rows, int cols, byte[] pixels) {

        public Images {
            if ((long) count * rows * cols != pixels.length) {
                throw new IllegalArgumentException("pixel buffer has " + pixels.length
                        + " bytes, expected " + count + "x" + rows + "x" + cols);
            }
        }

        /** Pixel of image {@code i} at row {@code r}, column {@code c}, as 0..255. */
        public int pixel(int i, int r, int c) {
            return pixels[(i * rows + r) * cols + c] & 0xFF;
        }

        /** Offset of image {@code i} in {@link #pixels()}. */
        public int offset(int i) {
            return i * rows * cols;
        }
    }

    private IdxReader() {}

    public static Images readImages(Path file) {
        try (InputStream in = open(file)) {
            return readImages(in, file);
        } catch (IOException e) {
            throw new DataException(file, "cannot read IDX file: " + e.getMessage(), e);
        }
    }

    public static byte[] readLabels(Path file) {
        try (InputStream in = open(file)) {
            return readLabels(in, file);
        } catch (IOException e) {
            throw new DataException(file, "cannot read IDX file: " + e.getMessage(), e);
        }
    }

    /** Reads an image file from a stream (not closed); {@code source} names it in errors. */
    public static Images readImages(InputStream stream, Path source) {
        try {
            DataInputStream in = new DataInputStream(decompressed(stream, source));
            checkMagic(in, source, IMAGES_MAGIC);
            int count = dimension(in, source, "image count");
            int rows = dimension(in, source, "row count");
            int cols = dimension(in, source, "column count");
            long n = (long) count * rows * cols;
            if (n > Integer.MAX_VALUE - 8) {
                throw new DataException(source, "IDX image file too large: " + count + "x" + rows
                        + "x" + cols + " bytes");
            }
            byte[] pixels = readFully(in, source, (int) n, count + " images of " + rows + "x" + cols);
            return new Images(count, rows, cols, pixels);
        } catch (IOException e) {
            throw ioError(source, e);
        }
    }

    /** Reads a label file from a stream (not closed); {@code source} names it in errors. */
    public static byte[] readLabels(InputStream stream, Path source) {
        try {
            DataInputStream in = new DataInputStream(decompressed(stream, source));
            checkMagic(in, source, LABELS_MAGIC);
            int count = dimension(in, source, "label count");
            return readFully(in, source, count, count + " labels");
        } catch (IOException e) {
            throw ioError(source, e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file, "IDX file not found");
        }
    }

    private static InputStream decompressed(InputStream stream, Path source) throws IOException {
        BufferedInputStream in = new BufferedInputStream(stream, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    private static void checkMagic(DataInputStream in, Path source, int expected) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new DataException(source, "truncated IDX file: shorter than its 4-byte header");
        }
        if (magic != expected) {
            String what = magic == IMAGES_MAGIC ? " (that is an IDX image file)"
                    : magic == LABELS_MAGIC ? " (that is an IDX label file)" : "";
            throw new DataException(source, "bad IDX magic number " + magic + what + ", expected "
                    + expected + (expected == IMAGES_MAGIC ? " (unsigned-byte images, 3 dims)"
                    : " (unsigned-byte labels, 1 dim)"));
        }
    }

    private static int dimension(DataInputStream in, Path source, String what) throws IOException {
        int v;
        try {
            v = in.readInt();
        } catch (EOFException e) {
            throw new DataException(source, "truncated IDX file: header ends before the " + what);
        }
        if (v < 0) {
            throw new DataException(source, "corrupt IDX header: negative " + what + " " + v);
        }
        return v;
    }

    private static byte[] readFully(DataInputStream in, Path source, int n, String what)
            throws IOException {
        byte[] data = new byte[n];
        int got;
        try {
            got = in.readNBytes(data, 0, n);
        } catch (EOFException e) {
            // GZIPInputStream signals a cut-off compressed stream this way.
            throw new DataException(source, "truncated IDX file: the gzip stream ends early while"
                    + " reading " + what, e);
        }
        if (got < n) {
            throw new DataException(source, "truncated IDX file: header promises " + what + " ("
                    + n + " bytes) but only " + got + " bytes follow");
        }
        return data;
    }

    private static DataException ioError(Path source, IOException e) {
        if (e instanceof EOFException) {
            return new DataException(source, "truncated IDX file: the gzip stream ends early", e);
        }
        if (e instanceof ZipException) {
            return new DataException(source, "corrupt gzip data: " + e.getMessage(), e);
        }
        return new DataException(source, "cannot read IDX file: " + e.getMessage(), e);
    }
}
