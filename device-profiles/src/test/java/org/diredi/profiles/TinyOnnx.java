package org.diredi.profiles;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ONNX models in the protobuf wire format for tests (this module has no protobuf
 * runtime). Field numbers as in onnx.proto.
 */
final class TinyOnnx {

    private long opset = 13;
    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();

    TinyOnnx opset(long v) {
        opset = v;
        return this;
    }

    TinyOnnx node(String name, String op, String domain, List<String> in, List<String> out) {
        Msg m = new Msg();
        in.forEach(i -> m.string(1, i));
        out.forEach(o -> m.string(2, o));
        m.string(3, name).string(4, op);
        if (!domain.isEmpty()) {
            m.string(7, domain);
        }
        nodes.add(m.bytes());
        return this;
    }

    /** A float input; dims are Long (fixed) or String (symbolic). */
    TinyOnnx input(String name, Object... dims) {
        inputs.add(valueInfo(name, dims));
        return this;
    }

    TinyOnnx output(String name, Object... dims) {
        outputs.add(valueInfo(name, dims));
        return this;
    }

    /** A float initializer of {@code n} zeros, raw data. */
    TinyOnnx floatInitializer(String name, int n) {
        initializers.add(new Msg().varint(1, n).varint(2, 1).string(8, name).bytes(9, new byte[4 * n]).bytes());
        return this;
    }

    byte[] build() {
        Msg g = new Msg();
        nodes.forEach(n -> g.bytes(1, n));
        g.string(2, "tiny");
        initializers.forEach(i -> g.bytes(5, i));
        inputs.forEach(i -> g.bytes(11, i));
        outputs.forEach(o -> g.bytes(12, o));
        return new Msg().varint(1, 7).string(2, "tiny-test")
                .bytes(8, new Msg().string(1, "").varint(2, opset).bytes())
                .bytes(7, g.bytes()).bytes();
    }

    private static byte[] valueInfo(String name, Object... dims) {
        Msg shape = new Msg();
        for (Object d : dims) {
            shape.bytes(1, d instanceof String s ? new Msg().string(2, s).bytes()
                    : new Msg().varint(1, ((Number) d).longValue()).bytes());
        }
        byte[] tensor = new Msg().varint(1, 1).bytes(2, shape.bytes()).bytes();
        return new Msg().string(1, name).bytes(2, new Msg().bytes(1, tensor).bytes()).bytes();
    }

    /** A message under construction. */
    static final class Msg {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Msg varint(int field, long v) {
            raw((long) field << 3);
            raw(v);
            return this;
        }

        Msg bytes(int field, byte[] b) {
            raw((long) field << 3 | 2);
            raw(b.length);
            out.writeBytes(b);
            return this;
        }

        Msg string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
