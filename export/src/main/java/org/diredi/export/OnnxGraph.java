package org.diredi.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A small builder over the ONNX protobuf graph: nodes with unique names, float and int64
 * initializers (raw little-endian data, as ONNX requires), constants shared by value, and the
 * static shape of every tensor it produced, which the exporter needs for Reshape targets.
 */
final class OnnxGraph {

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, String> constants = new HashMap<>();
    private final Map<String, Integer> opCounts = new LinkedHashMap<>();

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A name not used yet: {@code base}, else {@code base_2}, {@code base_3}, ... */
    String unique(String base) {
        String n = base;
        for (int i = 2; !names.add(n); i++) {
            n = base + "_" + i;
        }
        return n;
    }

    long[] shape(String tensor) {
        long[] s = shapes.get(tensor);
        if (s == null) {
            throw new IllegalStateException("no static shape recorded for " + tensor);
        }
        return s.clone();
    }

    void input(String name, long... shape) {
        names.add(name);
        shapes.put(name, shape.clone());
        graph.addInput(valueInfo(name, shape));
    }

    void output(String name, String doc) {
        graph.addOutput(valueInfo(name, shape(name)).toBuilder().setDocString(doc));
    }

    /** A float initializer named {@code name} (made unique). */
    String floats(String name, float[] data, long... dims) {
        long n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": " + data.length + " values for shape " + Arrays.toString(dims));
        }
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return initializer(name, TensorProto.DataType.FLOAT, b.array(), dims);
    }

    /** An int64 initializer (shapes, axes, sizes). */
    String longs(String name, long[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        return initializer(name, TensorProto.DataType.INT64, b.array(), dims);
    }

    /** A float scalar shared by every node that uses the same value. */
    String scalar(float v) {
        return constants.computeIfAbsent("f:" + Float.floatToIntBits(v),
                k -> floats("const_" + Float.toString(v).replace('-', 'm').replace('.', 'p'), new float[] {v}));
    }

    /** An empty float tensor, shape (0): "not given" for inputs that opset 11 does not let us omit. */
    String empty(String label) {
        return constants.computeIfAbsent("empty:" + label, k -> floats(label, new float[0], 0));
    }

    /** A 1-D int64 constant shared by value (Reshape shapes, Resize sizes, axes). */
    String int64s(String label, long... v) {
        return constants.computeIfAbsent("l:" + Arrays.toString(v),
                k -> longs("const_" + label, v, v.length));
    }

    private String initializer(String name, TensorProto.DataType type, byte[] raw, long... dims) {
        String n = unique(name);
        TensorProto.Builder t = TensorProto.newBuilder().setName(n).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return n;
    }

    /**
     * Adds a node; its one output is named like the node and gets {@code outShape}. Attributes are
     * name/value pairs: Long, long[], Float, String.
     */
    String node(String op, String name, long[] outShape, String[] inputs, Object... attributes) {
        String n = unique(name);
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(n).addOutput(n);
        for (String in : inputs) {
            b.addInput(in);
        }
        for (int i = 0; i < attributes.length; i += 2) {
            b.addAttribute(attribute((String) attributes[i], attributes[i + 1]));
        }
        graph.addNode(b);
        shapes.put(n, outShape.clone());
        opCounts.merge(op, 1, Integer::sum);
        return n;
    }

    private static AttributeProto attribute(String name, Object v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (v instanceof Long l) {
            a.setType(AttributeProto.AttributeType.INT).setI(l);
        } else if (v instanceof Integer i) {
            a.setType(AttributeProto.AttributeType.INT).setI(i);
        } else if (v instanceof long[] ls) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long l : ls) {
                a.addInts(l);
            }
        } else if (v instanceof Float f) {
            a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
        } else if (v instanceof String s) {
            a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
        } else {
            throw new IllegalArgumentException("attribute " + name + ": unsupported value " + v);
        }
        return a.build();
    }

    private static ValueInfoProto valueInfo(String name, long[] shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : shape) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber())
                        .setShape(s))).build();
    }

    /** How often each operator was used, by operator name. */
    Map<String, Integer> opCounts() {
        return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(opCounts));
    }

    GraphProto.Builder proto() {
        return graph;
    }
}
