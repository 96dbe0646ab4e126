package org.diredi.core.delta;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.diredi.core.checkpoint.TensorFile;

/**
 * The bytes of {@code delta.tensors} in each {@link DeltaForm} (whose javadoc states the round-trip bounds).
 * The dense forms are a {@link TensorFile}; the compact ones a container of their own:
 *
 * <pre>
 * "DRDC" magic, int version (1), byte form (3 = sparse, 4 = int8, 5 = sparse-int8), int count,
 * per tensor: UTF name, int rank, long[rank] shape, then
 *   sparse:      int k, int[k] ascending indices, float[k] values (little-endian)
 *   int8:        float scale (finite, > 0), byte[n] values round(x / scale) in [-127, 127]
 *   sparse-int8: int k, byte layout (0: int[k] ascending indices, little-endian; 1: a bitmap of n bits,
 *                bit i % 8 (least significant first) of byte i / 8 set for a kept value i, k bits set),
 *                float scale, byte[k] values
 * "END!" trailer
 * </pre>
 *
 * @param form          the form
 * @param sparseDensity for the sparse forms, the fraction of each tensor's values kept, in (0, 1]; otherwise null
 */
public record DeltaEncoding(DeltaForm form, Double sparseDensity) {

    public static final DeltaEncoding FLOAT32 = new DeltaEncoding(DeltaForm.FLOAT32, null);
    public static final DeltaEncoding FLOAT16 = new DeltaEncoding(DeltaForm.FLOAT16, null);
    public static final DeltaEncoding INT8 = new DeltaEncoding(DeltaForm.INT8, null);

    private static final int MAGIC = 0x44524443; // "DRDC"
    private static final int TRAILER = 0x454e4421; // "END!"
    private static final int VERSION = 1;
    private static final byte SPARSE = 3;
    private static final byte INT8_CODE = 4;
    private static final byte SPARSE_INT8_CODE = 5;
    private static final byte INDEX_LIST = 0;
    private static final byte INDEX_BITMAP = 1;

    public DeltaEncoding {
        if (form.sparse()) {
            if (sparseDensity == null || !(sparseDensity > 0 && sparseDensity <= 1)) {
                throw new IllegalArgumentException("sparseDensity must be in (0, 1] for the " + form.id()
                        + " form, got " + sparseDensity);
            }
        } else {
            sparseDensity = null;
        }
    }

    /** Sparse: the {@code density} fraction of each tensor's values of largest magnitude. */
    public static DeltaEncoding sparse(double density) {
        return new DeltaEncoding(DeltaForm.SPARSE, density);
    }

    /** Sparse with int8 values: the {@code density} fraction of largest magnitude, about 1 byte each. */
    public static DeltaEncoding sparseInt8(double density) {
        return new DeltaEncoding(DeltaForm.SPARSE_INT8, density);
    }

    /** The encoding a setting names ({@code key}s in the error): a form and, for the sparse ones, its density. */
    public static DeltaEncoding of(String form, double density, String key) {
        DeltaForm f = DeltaForm.of(form, key);
        return new DeltaEncoding(f, f.sparse() ? density : null);
    }

    /** How values are stored: the manifest's {@code dtype}. */
    public String dtype() {
        return switch (form) {
            case FLOAT16 -> "float16";
            case INT8, SPARSE_INT8 -> "int8";
            default -> "float32";
        };
    }

    /** {@code tensors} in this form. */
    public byte[] encode(List<TensorFile.Tensor> tensors) {
        if (form == DeltaForm.FLOAT32 || form == DeltaForm.FLOAT16) {
            return TensorFile.toBytes(tensors, form == DeltaForm.FLOAT16 ? TensorFile.FLOAT16 : TensorFile.FLOAT32);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream os = new DataOutputStream(bytes)) {
            os.writeInt(MAGIC);
            os.writeInt(VERSION);
            os.writeByte(code(form));
            os.writeInt(tensors.size());
            for (TensorFile.Tensor t : tensors) {
                os.writeUTF(t.name());
                os.writeInt(t.shape().length);
                for (long d : t.shape()) {
                    os.writeLong(d);
                }
                os.write(switch (form) {
                    case SPARSE -> sparseBody(t.data());
                    case SPARSE_INT8 -> sparseInt8Body(t.data());
                    default -> int8Body(t.data());
                });
            }
            os.writeInt(TRAILER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** The number of values a tensor of {@code n} keeps at {@code density}: ceil(density n), at least 1. */
    public static int kept(int n, double density) {
        return n == 0 ? 0 : (int) Math.min(n, Math.max(1, Math.ceil(density * n)));
    }

    private static byte code(DeltaForm form) {
        return switch (form) {
            case SPARSE -> SPARSE;
            case SPARSE_INT8 -> SPARSE_INT8_CODE;
            default -> INT8_CODE;
        };
    }

    /** The {@code k} values of largest magnitude (ties at the threshold: the first ones). */
    private static boolean[] largest(float[] x, int k) {
        float[] mag = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            mag[i] = Math.abs(x[i]);
        }
        float[] sorted = mag.clone();
        Arrays.sort(sorted);
        float threshold = k == 0 ? Float.POSITIVE_INFINITY : sorted[x.length - k];
        boolean[] keep = new boolean[x.length];
        int taken = 0;
        for (int i = 0; i < x.length; i++) {
            if (mag[i] > threshold) {
                keep[i] = true;
                taken++;
            }
        }
        for (int i = 0; i < x.length && taken < k; i++) {
            if (!keep[i] && mag[i] == threshold) {
                keep[i] = true;
                taken++;
            }
        }
        return keep;
    }

    private byte[] sparseBody(float[] x) {
        int k = kept(x.length, sparseDensity);
        boolean[] keep = largest(x, k);
        ByteBuffer buf = ByteBuffer.allocate(4 + 8 * k).order(ByteOrder.LITTLE_ENDIAN);
        buf.order(ByteOrder.BIG_ENDIAN).putInt(k).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < x.length; i++) {
            if (keep[i]) {
                buf.putInt(i);
            }
        }
        for (int i = 0; i < x.length; i++) {
            if (keep[i]) {
                buf.putFloat(x[i]);
            }
        }
        return buf.array();
    }

    private byte[] sparseInt8Body(float[] x) {
        int k = kept(x.length, sparseDensity);
        boolean[] keep = largest(x, k);
        int bitmapBytes = (x.length + 7) / 8;
        boolean bitmap = bitmapBytes < 4L * k;
        float max = 0;
        for (int i = 0; i < x.length; i++) {
            if (keep[i]) {
                max = Math.max(max, Math.abs(x[i]));
            }
        }
        float scale = max > 0 ? max / 127 : 1;
        ByteBuffer buf = ByteBuffer.allocate(4 + 1 + (bitmap ? bitmapBytes : 4 * k) + 4 + k)
                .order(ByteOrder.BIG_ENDIAN);
        buf.putInt(k).put(bitmap ? INDEX_BITMAP : INDEX_LIST);
        if (bitmap) {
            byte[] bits = new byte[bitmapBytes];
            for (int i = 0; i < x.length; i++) {
                if (keep[i]) {
                    bits[i >>> 3] |= (byte) (1 << (i & 7));
                }
            }
            buf.put(bits);
        } else {
            buf.order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < x.length; i++) {
                if (keep[i]) {
                    buf.putInt(i);
                }
            }
            buf.order(ByteOrder.BIG_ENDIAN);
        }
        buf.putFloat(scale);
        for (int i = 0; i < x.length; i++) {
            if (keep[i]) {
                buf.put(quantise(x[i], scale));
            }
        }
        return buf.array();
    }

    private static byte quantise(float v, float scale) {
        return (byte) Math.max(-127, Math.min(127, Math.round(v / scale)));
    }

    private static byte[] int8Body(float[] x) {
        float max = 0;
        for (float v : x) {
            max = Math.max(max, Math.abs(v));
        }
        float scale = max > 0 ? max / 127 : 1; // an all-zero tensor: any positive scale decodes to zeros
        ByteBuffer buf = ByteBuffer.allocate(4 + x.length).order(ByteOrder.BIG_ENDIAN);
        buf.putFloat(scale);
        for (float v : x) {
            buf.put(quantise(v, scale));
        }
        return buf.array();
    }

    /**
     * Dense tensors from {@code bytes} written in {@code form}; {@code source} names the file in errors.
     *
     * @throws KnowledgeDelta.DeltaException naming the file (and the tensor) for truncated or corrupt bytes, a
     *         sparse index out of range or out of order, an int8 scale that is not finite and positive
     */
    public static List<TensorFile.Tensor> decode(byte[] bytes, DeltaForm form, String source) {
        if (form == DeltaForm.FLOAT32 || form == DeltaForm.FLOAT16) {
            try {
                return TensorFile.read(new ByteArrayInputStream(bytes), source);
            } catch (IOException e) {
                throw new KnowledgeDelta.DeltaException(e.getMessage());
            }
        }
        DataInputStream is = new DataInputStream(new ByteArrayInputStream(bytes));
        List<TensorFile.Tensor> out = new ArrayList<>();
        try {
            if (is.readInt() != MAGIC || is.readInt() != VERSION) {
                throw new KnowledgeDelta.DeltaException(source + ": not a " + form.id() + " delta (bad magic or version)");
            }
            byte code = is.readByte();
            if (code != code(form)) {
                throw new KnowledgeDelta.DeltaException(source + ": the manifest says " + form.id()
                        + " but the tensors are stored in form code " + code);
            }
            int count = is.readInt();
            if (count < 0 || count > 1_000_000) {
                throw new KnowledgeDelta.DeltaException(source + ": corrupt delta (count " + count + ")");
            }
            for (int i = 0; i < count; i++) {
                out.add(decodeTensor(is, form, source));
            }
            if (is.readInt() != TRAILER) {
                throw new KnowledgeDelta.DeltaException(source + ": corrupt delta (no end marker after " + count
                        + " tensors)");
            }
        } catch (EOFException e) {
            throw new KnowledgeDelta.DeltaException(source + ": truncated delta (ended after " + out.size() + " tensors)");
        } catch (IOException e) {
            throw new KnowledgeDelta.DeltaException(source + ": unreadable delta (" + e.getMessage() + ")");
        }
        return out;
    }

    private static TensorFile.Tensor decodeTensor(DataInputStream is, DeltaForm form, String source)
            throws IOException {
        String name = is.readUTF();
        String where = source + ": tensor " + name;
        int rank = is.readInt();
        if (rank < 0 || rank > 8) {
            throw new KnowledgeDelta.DeltaException(where + " has corrupt rank " + rank);
        }
        long[] shape = new long[rank];
        long n = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = is.readLong();
            if (shape[d] < 0 || shape[d] > Integer.MAX_VALUE) {
                throw new KnowledgeDelta.DeltaException(where + " has corrupt shape");
            }
            n *= shape[d];
        }
        if (n > Integer.MAX_VALUE / 4) {
            throw new KnowledgeDelta.DeltaException(where + " is too large (" + n + " values)");
        }
        float[] data = switch (form) {
            case SPARSE -> sparseValues(is, (int) n, where);
            case SPARSE_INT8 -> sparseInt8Values(is, (int) n, where);
            default -> int8Values(is, (int) n, where);
        };
        return new TensorFile.Tensor(name, shape, data);
    }

    private static float[] sparseValues(DataInputStream is, int n, String where) throws IOException {
        int k = is.readInt();
        if (k < 0 || k > n) {
            throw new KnowledgeDelta.DeltaException(where + " announces " + k + " kept values of " + n);
        }
        if (k > Integer.MAX_VALUE / 8) {
            throw new KnowledgeDelta.DeltaException(where + " announces " + k + " kept values: too many to store");
        }
        ByteBuffer buf = ByteBuffer.wrap(readExactly(is, 8 * k, where, "bytes of indices and values"))
                .order(ByteOrder.LITTLE_ENDIAN);
        int[] idx = new int[k];
        for (int j = 0; j < k; j++) {
            idx[j] = checkedIndex(buf.getInt(), j, j == 0 ? -1 : idx[j - 1], n, where);
        }
        float[] data = new float[n];
        for (int j = 0; j < k; j++) {
            data[idx[j]] = buf.getFloat();
        }
        return data;
    }

    private static float[] sparseInt8Values(DataInputStream is, int n, String where) throws IOException {
        int k = is.readInt();
        if (k < 0 || k > n) {
            throw new KnowledgeDelta.DeltaException(where + " announces " + k + " kept values of " + n);
        }
        byte layout = is.readByte();
        int[] idx = new int[k];
        if (layout == INDEX_BITMAP) {
            byte[] bits = readExactly(is, (n + 7) / 8, where, "bitmap bytes");
            int j = 0;
            for (int i = 0; i < bits.length * 8; i++) {
                if ((bits[i >>> 3] >> (i & 7) & 1) != 0) {
                    if (i >= n || j == k) {
                        throw new KnowledgeDelta.DeltaException(where + ": the bitmap marks position " + i + " (of "
                                + n + ", " + k + " announced): out of range or more than announced");
                    }
                    idx[j++] = i;
                }
            }
            if (j != k) {
                throw new KnowledgeDelta.DeltaException(where + ": the bitmap marks " + j + " values, " + k
                        + " announced");
            }
        } else if (layout == INDEX_LIST) {
            ByteBuffer buf = ByteBuffer.wrap(readExactly(is, 4 * k, where, "index bytes"))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < k; j++) {
                idx[j] = checkedIndex(buf.getInt(), j, j == 0 ? -1 : idx[j - 1], n, where);
            }
        } else {
            throw new KnowledgeDelta.DeltaException(where + ": unknown index layout " + layout);
        }
        float scale = readScale(is, where);
        byte[] q = readExactly(is, k, where, "int8 values");
        float[] data = new float[n];
        for (int j = 0; j < k; j++) {
            data[idx[j]] = q[j] * scale;
        }
        return data;
    }

    /** An index of a sparse list, checked: in [0, n) and above the one before it. */
    private static int checkedIndex(int index, int position, int previous, int n, String where) {
        if (index < 0 || index >= n || index <= previous) {
            throw new KnowledgeDelta.DeltaException(where + ": sparse index " + index + " at position " + position
                    + " is out of range [0, " + n + ") or out of order");
        }
        return index;
    }

    private static float readScale(DataInputStream is, String where) throws IOException {
        float scale = is.readFloat();
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new KnowledgeDelta.DeltaException(where + ": int8 scale " + scale + " is not finite and positive");
        }
        return scale;
    }

    private static byte[] readExactly(DataInputStream is, int bytes, String where, String what) throws IOException {
        byte[] b = is.readNBytes(bytes);
        if (b.length != bytes) {
            throw new KnowledgeDelta.DeltaException(where + ": " + bytes + " " + what + " announced, " + b.length
                    + " stored (truncated)");
        }
        return b;
    }

    private static float[] int8Values(DataInputStream is, int n, String where) throws IOException {
        float scale = readScale(is, where);
        byte[] q = readExactly(is, n, where, "int8 values");
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = q[i] * scale;
        }
        return data;
    }
}
