package org.diredi.core.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.diredi.core.checkpoint.Bundle;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.vision.config.ConfigFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every delta form written and read back through the one reader, within the bounds DeltaForm states. */
class DeltaFormsTest {

    @TempDir
    Path dir;

    /** Gaussian values of mixed scales (one tensor 1000x smaller, one all zeros), as deltas are. */
    static List<TensorFile.Tensor> delta() {
        Random r = new Random(11);
        List<TensorFile.Tensor> out = new ArrayList<>();
        double[] scales = {0.01, 1e-5, 0.3, 0};
        int[] sizes = {4000, 999, 64, 10};
        for (int t = 0; t < scales.length; t++) {
            float[] v = new float[sizes[t]];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * scales[t]);
            }
            out.add(new TensorFile.Tensor("03head_t" + t, new long[] {v.length}, v));
        }
        return out;
    }

    static DeltaManifest manifest() {
        return new DeltaManifest(null, null, "base", "sha", List.of("a", "b"), List.of("b"), List.of(), 1.0,
                "neck+head", null, Map.of(), 0, 0, 0, null, Map.of());
    }

    private KnowledgeDelta roundTrip(DeltaEncoding e) throws IOException {
        Path f = dir.resolve(e.form().id() + ".delta");
        KnowledgeDelta written = KnowledgeDelta.write(f, manifest(), delta(), e);
        KnowledgeDelta read = KnowledgeDelta.read(f);
        assertEquals(e.form().id(), read.manifest().form());
        assertEquals(e.sparseDensity(), read.manifest().sparseDensity());
        assertEquals(KnowledgeDelta.l2Norm(read.tensors()), read.manifest().l2Norm(), 1e-9,
                "the manifest's norm is the delta's as read");
        for (int i = 0; i < read.tensors().size(); i++) {
            assertArrayEquals(written.tensors().get(i).data(), read.tensors().get(i).data(), "write returns what is read");
            assertArrayEquals(delta().get(i).shape(), read.tensors().get(i).shape());
        }
        return read;
    }

    @Test
    void float32IsExactAndFloat16WithinItsBound() throws IOException {
        List<TensorFile.Tensor> x = delta();
        KnowledgeDelta f32 = roundTrip(DeltaEncoding.FLOAT32);
        KnowledgeDelta f16 = roundTrip(DeltaEncoding.FLOAT16);
        for (int t = 0; t < x.size(); t++) {
            assertArrayEquals(x.get(t).data(), f32.tensors().get(t).data());
            float[] a = x.get(t).data();
            float[] b = f16.tensors().get(t).data();
            for (int i = 0; i < a.length; i++) {
                double bound = Math.abs(a[i]) >= Math.pow(2, -14) ? Math.abs(a[i]) * Math.pow(2, -11) : Math.pow(2, -25);
                assertTrue(Math.abs(a[i] - b[i]) <= bound, a[i] + " -> " + b[i]);
            }
        }
    }

    @Test
    void int8ErrorsAreAtMostHalfTheTensorsScale() throws IOException {
        List<TensorFile.Tensor> x = delta();
        KnowledgeDelta q = roundTrip(DeltaEncoding.INT8);
        double worst = 0;
        for (int t = 0; t < x.size(); t++) {
            float[] a = x.get(t).data();
            float[] b = q.tensors().get(t).data();
            double max = 0;
            for (float v : a) {
                max = Math.max(max, Math.abs(v));
            }
            double scale = max / 127;
            for (int i = 0; i < a.length; i++) {
                double err = Math.abs(a[i] - b[i]);
                assertTrue(err <= scale / 2 * (1 + 1e-6) + 1e-12, x.get(t).name() + "[" + i + "]: " + err);
                worst = Math.max(worst, err / Math.max(scale, 1e-30));
            }
        }
        assertTrue(worst > 0.3, "the errors use the bound, so it is the bound that is tested: " + worst);
        long dense = Files.size(dir.resolve("int8.delta"));
        roundTrip(DeltaEncoding.FLOAT32);
        assertTrue(dense < Files.size(dir.resolve("float32.delta")) * 0.3, "int8 is about a quarter of float32");
    }

    @Test
    void sparseKeepsTheLargestMagnitudesExactlyAndZeroesTheRest() throws IOException {
        List<TensorFile.Tensor> x = delta();
        double density = 0.05;
        KnowledgeDelta s = roundTrip(DeltaEncoding.sparse(density));
        for (int t = 0; t < x.size(); t++) {
            float[] a = x.get(t).data();
            float[] b = s.tensors().get(t).data();
            float minKept = Float.POSITIVE_INFINITY;
            float maxDropped = 0;
            int kept = 0;
            int nonZero = 0;
            for (int i = 0; i < a.length; i++) {
                nonZero += a[i] != 0 ? 1 : 0;
                if (b[i] != 0) {
                    assertEquals(a[i], b[i], "kept values are exact");
                    minKept = Math.min(minKept, Math.abs(a[i]));
                    kept++;
                } else {
                    maxDropped = Math.max(maxDropped, Math.abs(a[i]));
                }
            }
            assertTrue(maxDropped <= minKept, x.get(t).name() + ": dropped " + maxDropped + " > kept " + minKept);
            assertEquals(Math.min(DeltaEncoding.kept(a.length, density), nonZero), kept, x.get(t).name());
        }
        assertEquals(200, DeltaEncoding.kept(4000, density));
        long sparse = Files.size(dir.resolve("sparse.delta"));
        roundTrip(DeltaEncoding.FLOAT32);
        assertTrue(sparse < Files.size(dir.resolve("float32.delta")) * 0.15, "5% of the values, with their indices");
    }

    @Test
    void oldFilesWithoutAFormAreReadByTheirDtype() throws IOException {
        Path f = dir.resolve("old.delta");
        byte[] bytes = TensorFile.toBytes(delta(), TensorFile.FLOAT16);
        // the manifest as files written before forms existed: no form, sparseDensity or privacy keys
        Map<String, Object> m = ConfigFiles.JSON.convertValue(manifest(),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        m.remove("form");
        m.remove("sparseDensity");
        m.remove("privacy");
        m.putAll(Map.of("format", DeltaManifest.FORMAT, "dtype", "float16", "tensors", 4,
                "tensorsSha256", TensorFile.sha256(bytes)));
        writeBundle(f, ConfigFiles.toJson(m), bytes);
        KnowledgeDelta d = KnowledgeDelta.read(f);
        assertNull(d.manifest().form());
        assertEquals("float16", d.manifest().formName());
        assertEquals(delta().get(0).data()[0], d.tensors().get(0).data()[0], 1e-5);
    }

    @Test
    void sparseInt8KeepsTheLargestWithinHalfTheKeptScaleAndPicksTheSmallerIndexLayout() throws IOException {
        List<TensorFile.Tensor> x = delta();
        roundTrip(DeltaEncoding.FLOAT32);
        long f32 = Files.size(dir.resolve("float32.delta"));
        for (double density : new double[] {0.02, 0.5}) { // indices as a list, then as a bitmap
            KnowledgeDelta s = roundTrip(DeltaEncoding.sparseInt8(density));
            for (int t = 0; t < x.size(); t++) {
                float[] a = x.get(t).data();
                float[] b = s.tensors().get(t).data();
                float minKept = Float.POSITIVE_INFINITY;
                float maxDropped = 0;
                float maxKept = 0;
                int kept = 0;
                for (int i = 0; i < a.length; i++) {
                    if (b[i] != 0) {
                        minKept = Math.min(minKept, Math.abs(a[i]));
                        maxKept = Math.max(maxKept, Math.abs(a[i]));
                        kept++;
                    } else {
                        maxDropped = Math.max(maxDropped, Math.abs(a[i]));
                    }
                }
                double scale = maxKept / 127.0;
                for (int i = 0; i < a.length; i++) {
                    if (b[i] != 0) {
                        assertTrue(Math.abs(a[i] - b[i]) <= scale / 2 * (1 + 1e-6), x.get(t).name() + "[" + i + "]");
                    }
                }
                int nonZero = (int) IntStream.range(0, a.length).filter(i -> a[i] != 0).count();
                // the kept Gaussian values lie far above half the scale, so none of them quantises to 0
                assertEquals(Math.min(DeltaEncoding.kept(a.length, density), nonZero), kept, x.get(t).name());
                assertTrue(maxDropped <= minKept * (1 + 1e-6) || kept == 0, x.get(t).name() + " at " + density);
            }
        }
        long half = Files.size(dir.resolve("sparse-int8.delta"));
        assertTrue(half < f32 * 0.22, "half the values at about 1 byte each plus a bitmap, 0.16x and headers: " + half + " of " + f32);
        roundTrip(DeltaEncoding.sparse(0.5));
        long sparse = Files.size(dir.resolve("sparse.delta"));
        assertTrue(half < sparse / 3.5, "against 8 bytes a value (indices, float32; zipped): " + half + " of " + sparse);
    }

    @Test
    void aSparseInt8BitmapThatDoesNotMatchItsCountOrRangeIsRefused() throws IOException {
        // 10 values: a bitmap of 2 bytes; three marked with two announced, one announced with none marked, a
        // position past the tenth, an unknown layout, a truncated bitmap
        byte[][] bitmaps = {{0b111, 0}, {0, 0}, {0b1, 0b100}, {0b11, 0}, {0b11}};
        int[] announced = {2, 1, 2, 2, 2};
        byte[] layouts = {1, 1, 1, 2, 1};
        String[] said = {"bitmap", "bitmap", "out of range", "layout", "truncated"};
        for (int c = 0; c < bitmaps.length; c++) {
            Path f = dir.resolve("bad-bitmap-" + c + ".delta");
            int k = announced[c];
            byte layout = layouts[c];
            byte[] bits = bitmaps[c];
            byte[] tensors = compact(5, "03head_w", 10, out -> {
                out.writeInt(k);
                out.writeByte(layout);
                out.write(bits);
                if (bits.length == 2) {
                    out.writeFloat(0.1f);
                    out.write(new byte[k]);
                }
            });
            // the truncated bitmap is the file's last byte: its end marker goes too
            writeBundle(f, bits.length == 2 ? tensors : Arrays.copyOf(tensors, tensors.length - 4), "sparse-int8",
                    0.2);
            var x = assertThrows(KnowledgeDelta.DeltaException.class, () -> KnowledgeDelta.read(f));
            assertTrue(x.getMessage().contains(f.toString()) && x.getMessage().contains("03head_w")
                    && x.getMessage().contains(said[c]), c + ": " + x.getMessage());
        }
    }

    @Test
    void anUnknownFormIsRefusedNamingTheFile() throws IOException {
        Path f = dir.resolve("future.delta");
        KnowledgeDelta.write(f, manifest(), delta(), DeltaEncoding.FLOAT32);
        Map<String, byte[]> e = Bundle.read(f, "delta");
        String json = new String(e.get(KnowledgeDelta.MANIFEST), StandardCharsets.UTF_8)
                .replace("\"form\" : \"float32\"", "\"form\" : \"float4\"");
        writeBundle(f, json, e.get(KnowledgeDelta.TENSORS));
        var x = assertThrows(KnowledgeDelta.DeltaException.class, () -> KnowledgeDelta.read(f));
        assertTrue(x.getMessage().contains(f.toString()) && x.getMessage().contains("unknown delta form 'float4'"),
                x.getMessage());
    }

    @Test
    void aSparseIndexOutOfRangeIsRefusedNamingFileAndTensor() throws IOException {
        Path f = dir.resolve("bad-index.delta");
        writeBundle(f, compact(3, "03head_w", 10, out -> {
            out.writeInt(2);
            writeLe(out, 3, 10, 0.5f, 0.25f); // index 10 of a 10-value tensor
        }), "sparse", 0.2);
        var x = assertThrows(KnowledgeDelta.DeltaException.class, () -> KnowledgeDelta.read(f));
        assertTrue(x.getMessage().contains(f.toString()) && x.getMessage().contains("03head_w")
                && x.getMessage().contains("out of range"), x.getMessage());
    }

    @Test
    void sparseIndicesAndValuesThatDoNotAddUpAreRefused() throws IOException {
        Path f = dir.resolve("short.delta");
        writeBundle(f, compact(3, "03head_w", 10, out -> {
            out.writeInt(3); // three announced, two stored
            writeLe(out, 1, 2, 0.5f, 0.25f);
        }), "sparse", 0.2);
        var x = assertThrows(KnowledgeDelta.DeltaException.class, () -> KnowledgeDelta.read(f));
        assertTrue(x.getMessage().contains(f.toString()) && x.getMessage().contains("03head_w"), x.getMessage());
    }

    @Test
    void anInt8ScaleThatIsNotFiniteAndPositiveIsRefused() throws IOException {
        for (float scale : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            Path f = dir.resolve("scale.delta");
            writeBundle(f, compact(4, "02neck_w", 3, out -> {
                out.writeFloat(scale);
                out.write(new byte[] {1, -2, 3});
            }), "int8", null);
            var x = assertThrows(KnowledgeDelta.DeltaException.class, () -> KnowledgeDelta.read(f));
            assertTrue(x.getMessage().contains(f.toString()) && x.getMessage().contains("02neck_w")
                    && x.getMessage().contains("scale"), x.getMessage());
        }
    }

    @Test
    void aSparseDensityOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DeltaEncoding.sparse(0));
        assertThrows(IllegalArgumentException.class, () -> DeltaEncoding.sparse(1.5));
        var e = assertThrows(IllegalArgumentException.class, () -> DeltaEncoding.of("zip", 0.1, "deltaForm"));
        assertTrue(e.getMessage().startsWith("deltaForm: unknown delta form 'zip'"), e.getMessage());
    }

    interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    /** A one-tensor compact container, written by hand as DeltaEncoding documents it. */
    private static byte[] compact(int code, String name, int n, Body body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(0x44524443);
        out.writeInt(1);
        out.writeByte(code);
        out.writeInt(1);
        out.writeUTF(name);
        out.writeInt(1);
        out.writeLong(n);
        body.write(out);
        out.writeInt(0x454e4421);
        return b.toByteArray();
    }

    /** Two little-endian ints then two little-endian floats. */
    private static void writeLe(DataOutputStream out, int i0, int i1, float v0, float v1) throws IOException {
        out.writeInt(Integer.reverseBytes(i0));
        out.writeInt(Integer.reverseBytes(i1));
        out.writeInt(Integer.reverseBytes(Float.floatToIntBits(v0)));
        out.writeInt(Integer.reverseBytes(Float.floatToIntBits(v1)));
    }

    private static void writeBundle(Path f, byte[] tensors, String form, Double density) throws IOException {
        DeltaManifest m = manifest();
        DeltaManifest full = new DeltaManifest(DeltaManifest.FORMAT, "now", m.baseTutorId(), m.baseTutorSha256(),
                m.classes(), m.classesAdded(), m.classesRemoved(), 1.0, "neck+head", "float32", Map.of(), 1, 10, 1,
                TensorFile.sha256(tensors), Map.of(), form, density, null, null, null);
        writeBundle(f, ConfigFiles.toJson(full), tensors);
    }

    private static void writeBundle(Path f, String manifestJson, byte[] tensors) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(KnowledgeDelta.MANIFEST, manifestJson.getBytes(StandardCharsets.UTF_8));
        entries.put(KnowledgeDelta.TENSORS, tensors);
        Bundle.write(f, entries);
        assertFalse(Files.notExists(f));
    }
}
