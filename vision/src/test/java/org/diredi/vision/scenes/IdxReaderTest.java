package org.diredi.vision.scenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.diredi.vision.data.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    /** Two 2x3 images with pixel values 0..11 and 100..111 (bytes above 127 included). */
    static byte[] tinyImages(int count) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(2051);
        out.writeInt(count);
        out.writeInt(2);
        out.writeInt(3);
        for (int i = 0; i < 6; i++) {
            out.writeByte(i);
        }
        for (int i = 0; i < 6; i++) {
            out.writeByte(250 + i % 6); // 250..255
        }
        return b.toByteArray();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write(raw);
        }
        return b.toByteArray();
    }

    @Test
    void readsGzippedImages() throws IOException {
        Path f = dir.resolve("tiny-images-idx3-ubyte.gz");
        Files.write(f, gzip(tinyImages(2)));
        IdxReader.Images imgs = IdxReader.readImages(f);
        assertEquals(2, imgs.count());
        assertEquals(2, imgs.rows());
        assertEquals(3, imgs.cols());
        assertEquals(5, imgs.pixel(0, 1, 2));
        assertEquals(250, imgs.pixel(1, 0, 0));
        assertEquals(255, imgs.pixel(1, 1, 2)); // unsigned
        assertEquals(6, imgs.offset(1));
    }

    @Test
    void readsUncompressedToo() throws IOException {
        Path f = dir.resolve("raw-images-idx3-ubyte");
        Files.write(f, tinyImages(2));
        assertEquals(3, IdxReader.readImages(f).pixel(0, 1, 0));
    }

    @Test
    void readsLabels() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(2049);
        out.writeInt(4);
        out.write(new byte[] {9, 0, 3, 7});
        Path f = dir.resolve("labels.gz");
        Files.write(f, gzip(b.toByteArray()));
        assertArrayEquals(new byte[] {9, 0, 3, 7}, IdxReader.readLabels(f));
    }

    @Test
    void truncatedGzipStream() throws IOException {
        byte[] gz = gzip(tinyImages(2));
        Path f = dir.resolve("cut.gz");
        Files.write(f, Arrays.copyOf(gz, gz.length - 12));
        DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("cut.gz") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void headerPromisesMoreThanTheFileHolds() throws IOException {
        Path f = dir.resolve("short.gz");
        Files.write(f, gzip(tinyImages(3))); // says 3 images, holds 2
        DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("short.gz: truncated IDX file: header promises 3 images of 2x3"
                + " (18 bytes) but only 12 bytes follow"), e.getMessage());
    }

    @Test
    void truncatedHeader() throws IOException {
        Path f = dir.resolve("hdr");
        Files.write(f, Arrays.copyOf(tinyImages(2), 10));
        DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("truncated IDX file: header ends before the row count"), e.getMessage());
    }

    @Test
    void badMagicNamesWhatItFound() throws IOException {
        Path f = dir.resolve("images.gz");
        Files.write(f, gzip(tinyImages(2)));
        DataException e = assertThrows(DataException.class, () -> IdxReader.readLabels(f));
        assertTrue(e.getMessage().contains("images.gz: bad IDX magic number 2051 (that is an IDX image file),"
                + " expected 2049"), e.getMessage());
        Path junk = dir.resolve("junk");
        Files.writeString(junk, "hello world, not IDX");
        DataException e2 = assertThrows(DataException.class, () -> IdxReader.readImages(junk));
        assertTrue(e2.getMessage().contains("junk: bad IDX magic number"), e2.getMessage());
    }

    @Test
    void missingFile() {
        DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(dir.resolve("none.gz")));
        assertTrue(e.getMessage().endsWith("none.gz: IDX file not found"), e.getMessage());
    }

    @Test
    void bundledT10kIsComplete() {
        FashionMnist t10k = FashionMnist.t10k();
        assertEquals(10_000, t10k.count());
        assertEquals(28, t10k.images().rows());
        int[] perClass = new int[10];
        for (int i = 0; i < t10k.count(); i++) {
            perClass[t10k.label(i)]++;
        }
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, perClass);
        // Fashion-MNIST crops are a light object on a black frame.
        assertEquals(0, t10k.images().pixel(0, 0, 0));
    }
}
