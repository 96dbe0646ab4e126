package org.diredi.core.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's one container for named tensors: model weights, optimizer state and knowledge
 * deltas. A small, documented binary format so that files can be read without DJL (the edge side
 * and other languages can parse it) and so that every problem has a precise message:
 *
 * <pre>
 * "DRDT" magic, int version (1), int count,
 * per tensor: UTF name, byte dtype (1 = float32, 2 = float16), int rank, long[rank] shape,
 *             little-endian values
 * "END!" trailer (a truncated file is detected even when it ends on a tensor boundary)
 * </pre>
 */
public final class TensorFile {

    public static final byte FLOAT32 = 1;
    public static final byte FLOAT16 = 2;
    private static final int MAGIC = 0x44524454; // "DRDT"
    private static final int TRAILER = 0x454e4421; // "END!"
    private static final int VERSION = 1;

    /** One named tensor: shape and float values (stored as float16 when {@code dtype} says so). */
    public record Tensor(String name, long[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException(
                        "tensor " + name + ": shape " + Arrays.toString(shape) + " holds " + n
                                + " values, got " + data.length);
            }
        }

        /** Index of the first NaN or infinite value, or -1. */
        public int firstNonFinite() {
            for (int i = 0; i < data.length; i++) {
                if (!Float.isFinite(data[i])) {
                    return i;
                }
            }
            return -1;
        }
    }

    private TensorFile() {}

    public static void write(OutputStream out, List<Tensor> tensors, byte dtype) throws IOException {
        DataOutputStream os = new DataOutputStream(out);
        os.writeInt(MAGIC);
        os.writeInt(VERSION);
        os.writeInt(tensors.size());
        for (Tensor t : tensors) {
            os.writeUTF(t.name());
            os.writeByte(dtype);
            os.writeInt(t.shape().length);
            for (long d : t.shape()) {
                os.writeLong(d);
            }
            int width = dtype == FLOAT16 ? 2 : 4;
            ByteBuffer buf = ByteBuffer.allocate(t.data().length * width).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : t.data()) {
                if (dtype == FLOAT16) {
                    buf.putShort(toHalf(v));
                } else {
                    buf.putFloat(v);
                }
            }
            os.write(buf.array());
        }
        os.writeInt(TRAILER);
        os.flush();
    }

    /** Serialises to bytes (for hashing and for messages). */
    public static byte[] toBytes(List<Tensor> tensors, byte dtype) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try {
            write(bos, tensors, dtype);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bos.toByteArray();
    }

    /**
     * Reads every tensor; {@code source} names the file in error messages.
     *
     * @throws IOException with "truncated" or "corrupt" and the source when the bytes are not a
     *                     complete tensor file
     */
    public static List<Tensor> read(InputStream in, String source) throws IOException {
        DataInputStream is = new DataInputStream(in);
        List<Tensor> out = new ArrayList<>();
        try {
            if (is.readInt() != MAGIC) {
                throw new IOException(source + ": not a DiReDi tensor file (bad magic)");
            }
            int version = is.readInt();
            if (version != VERSION) {
                throw new IOException(source + ": unsupported tensor file version " + version);
            }
            int count = is.readInt();
            if (count < 0 || count > 1_000_000) {
                throw new IOException(source + ": corrupt tensor file (count " + count + ")");
            }
            for (int i = 0; i < count; i++) {
                String name = is.readUTF();
                byte dtype = is.readByte();
                if (dtype != FLOAT32 && dtype != FLOAT16) {
                    throw new IOException(source + ": tensor " + name + " has unknown dtype " + dtype);
                }
                int rank = is.readInt();
                if (rank < 0 || rank > 8) {
                    throw new IOException(source + ": tensor " + name + " has corrupt rank " + rank);
                }
                long[] shape = new long[rank];
                long n = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = is.readLong();
                    if (shape[d] < 0 || shape[d] > Integer.MAX_VALUE) {
                        throw new IOException(source + ": tensor " + name + " has corrupt shape");
                    }
                    n *= shape[d];
                }
                if (n > Integer.MAX_VALUE / 4) {
                    throw new IOException(source + ": tensor " + name + " is too large (" + n + " values)");
                }
                int width = dtype == FLOAT16 ? 2 : 4;
                byte[] raw = new byte[(int) n * width];
                is.readFully(raw);
                ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                float[] data = new float[(int) n];
                for (int k = 0; k < n; k++) {
                    data[k] = dtype == FLOAT16 ? fromHalf(buf.getShort()) : buf.getFloat();
                }
                out.add(new Tensor(name, shape, data));
            }
            if (is.readInt() != TRAILER) {
                throw new IOException(source + ": corrupt tensor file (no end marker after " + count + " tensors)");
            }
        } catch (EOFException e) {
            throw new IOException(source + ": truncated tensor file (ended after " + out.size() + " tensors)", e);
        }
        return out;
    }

    /** By name, in file order. */
    public static Map<String, Tensor> byName(List<Tensor> tensors) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            m.put(t.name(), t);
        }
        return m;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** IEEE 754 binary16 from float, round to nearest even (Java 17 has no Float.floatToFloat16). */
    public static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) { // Inf or NaN
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) { // overflow -> Inf
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) { // subnormal or zero
            if (e < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is still correct rounding
        }
        return (short) (sign | half);
    }

    /** float from IEEE 754 binary16. */
    public static float fromHalf(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant / 1024f / 16384f; // 2^-14 * mant / 2^10
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
