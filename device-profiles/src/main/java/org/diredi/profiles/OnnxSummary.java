package org.diredi.profiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a profile check needs from an ONNX file (opsets, nodes, graph inputs and outputs,
 * initializers, metadata), read straight from the protobuf wire format. Hand-written so that this
 * module, which the edge runtime also uses, carries no protobuf runtime; field numbers are those of
 * {@code onnx.proto} (ModelProto, GraphProto, NodeProto, ValueInfoProto, TensorProto, ...).
 * Nodes of subgraphs (If / Loop / Scan bodies) are included, so a forbidden operator cannot hide.
 *
 * @param irVersion      ONNX IR version
 * @param producer       producer name and version
 * @param opsets         imported opset version per domain ({@code ""} is the default domain)
 * @param nodes          every node in file order, each followed by the nodes of its subgraphs
 * @param inputs         graph inputs that are real inputs (initializers listed as inputs removed)
 * @param outputs        graph outputs
 * @param initializers   initializer name -> ONNX data type number (1 float, 3 int8, 10 float16, ...)
 * @param weightBytes    bytes of initializer data stored in the file
 * @param externalFiles  files named by initializers stored as external data (relative to the model)
 * @param metadata       model metadata properties
 */
public record OnnxSummary(
        long irVersion,
        String producer,
        Map<String, Long> opsets,
        List<Node> nodes,
        List<ValueInfo> inputs,
        List<ValueInfo> outputs,
        Map<String, Integer> initializers,
        long weightBytes,
        Set<String> externalFiles,
        Map<String, String> metadata) {

    /** ONNX data type numbers used here. */
    public static final int FLOAT = 1;
    public static final int FLOAT16 = 10;
    public static final int DOUBLE = 11;
    public static final int BFLOAT16 = 16;

    /** One operator node; {@code graph} is the (sub)graph's name. */
    public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       String graph) {

        /** The node's name, or a description of it when the producer left it unnamed. */
        public String label() {
            return name.isEmpty() ? opType + " producing " + (outputs.isEmpty() ? "nothing" : outputs.get(0)) : name;
        }
    }

    /**
     * A graph input or output: element type and dimensions; a dimension is a {@code Long} when fixed
     * and a {@code String} (symbolic name, or "?" when absent) when not.
     */
    public record ValueInfo(String name, int elemType, List<Object> dims) {

        public boolean isStatic() {
            return dims != null && dims.stream().allMatch(d -> d instanceof Long v && v > 0);
        }

        public String shapeText() {
            return dims == null ? "(unknown rank)" : dims.toString();
        }
    }

    /** Default-domain opset (0 when the model imports none). */
    public long defaultOpset() {
        Long v = opsets.get("");
        if (v == null) {
            v = opsets.get("ai.onnx");
        }
        return v == null ? 0 : v;
    }

    /** Reads a model file; a file that is not ONNX gives a {@link ProfileException} naming it. */
    public static OnnxSummary read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ProfileException(file + ": model file not found");
        } catch (IOException e) {
            throw new ProfileException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parse(bytes, file.toString());
    }

    /** Parses model bytes; {@code source} names them in errors. */
    public static OnnxSummary parse(byte[] bytes, String source) {
        try {
            OnnxSummary s = new Parser().model(new Wire(bytes, 0, bytes.length));
            if (s.nodes.isEmpty() && s.inputs.isEmpty() && s.outputs.isEmpty()) {
                throw new ProfileException(source + ": not an ONNX model (no graph inside)");
            }
            return s;
        } catch (WireException e) {
            throw new ProfileException(source + ": not an ONNX model or truncated (" + e.getMessage() + ")");
        }
    }

    /** Walks the messages; collects into fields, then builds the record. */
    private static final class Parser {
        private long ir;
        private String producerName = "";
        private String producerVersion = "";
        private final Map<String, Long> opsets = new LinkedHashMap<>();
        private final List<Node> nodes = new ArrayList<>();
        private final List<ValueInfo> inputs = new ArrayList<>();
        private final List<ValueInfo> outputs = new ArrayList<>();
        private final Map<String, Integer> inits = new LinkedHashMap<>();
        private final Set<String> external = new HashSet<>();
        private final Map<String, String> meta = new LinkedHashMap<>();
        private long weightBytes;
        private boolean sawGraph;

        OnnxSummary model(Wire w) {
            while (w.more()) {
                int tag = w.tag();
                switch (tag) {
                    case 1 << 3 -> ir = w.varint(); // ir_version
                    case 2 << 3 | 2 -> producerName = w.string();
                    case 3 << 3 | 2 -> producerVersion = w.string();
                    case 7 << 3 | 2 -> {
                        sawGraph = true;
                        graph(w.message(), true, "main");
                    }
                    case 8 << 3 | 2 -> opset(w.message());
                    case 14 << 3 | 2 -> metadata(w.message());
                    default -> w.skip(tag);
                }
            }
            if (!sawGraph) {
                throw new WireException("no graph field");
            }
            return new OnnxSummary(ir, (producerName + " " + producerVersion).strip(),
                    Collections.unmodifiableMap(opsets), List.copyOf(nodes), List.copyOf(inputs), List.copyOf(outputs),
                    Collections.unmodifiableMap(inits), weightBytes, Set.copyOf(external),
                    Collections.unmodifiableMap(meta));
        }

        private void opset(Wire w) {
            String domain = "";
            long version = 0;
            while (w.more()) {
                int tag = w.tag();
                switch (tag) {
                    case 1 << 3 | 2 -> domain = w.string();
                    case 2 << 3 -> version = w.varint();
                    default -> w.skip(tag);
                }
            }
            opsets.put(domain, version);
        }

        private void metadata(Wire w) {
            String k = "";
            String v = "";
            while (w.more()) {
                int tag = w.tag();
                switch (tag) {
                    case 1 << 3 | 2 -> k = w.string();
                    case 2 << 3 | 2 -> v = w.string();
                    default -> w.skip(tag);
                }
            }
            meta.put(k, v);
        }

        private void graph(Wire w, boolean main, String defaultName) {
            String name = defaultName;
            List<ValueInfo> gin = new ArrayList<>();
            List<ValueInfo> gout = new ArrayList<>();
            Set<String> initNames = new HashSet<>();
            List<Wire> nodeMessages = new ArrayList<>();
            while (w.more()) {
                int tag = w.tag();
                switch (tag) {
                    case 1 << 3 | 2 -> nodeMessages.add(w.message()); // node
                    case 2 << 3 | 2 -> name = w.string();
                    case 5 << 3 | 2 -> { // initializer
                        Wire t = w.message();
                        if (main) {
                            weightBytes += t.end - t.pos;
                        }
                        initNames.add(tensor(t, main));
                    }
                    case 11 << 3 | 2 -> gin.add(valueInfo(w.message()));
                    case 12 << 3 | 2 -> gout.add(valueInfo(w.message()));
                    default -> w.skip(tag);
                }
            }
            // Parse nodes after the name is known (field order in the file is free).
            for (Wire n : nodeMessages) {
                node(n, name);
            }
            if (main) {
                for (ValueInfo v : gin) {
                    if (!initNames.contains(v.name())) { // IR < 4 lists initializers as inputs too
                        inputs.add(v);
                    }
                }
                outputs.addAll(gout);
            }
        }

        private String tensor(Wire w, boolean main) {
            String name = "";
            int type = 0;
            boolean isExternal = false;
            List<Wire> externalEntries = new ArrayList<>();
            while (w.more()) {
                int tag = w.tag();
                switch (tag) {
                    case 2 << 3 -> type = (int) w.varint();
                    case 8 << 3 | 2 -> name = w.string();
                    case 13 << 3 | 2 -> externalEntries.add(w.message());
                    case 14 << 3 -> isExternal = w.varint() == 1;
                    default -> w.skip(tag);
                }
            }
            if (isExternal && main) {
                for (Wire e : externalEntries) {
                    String k = "";
                    String v = "";
                    while (e.more()) {
                        int tag = e.tag();
                        switch (tag) {
                            case 1 << 3 | 2 -> k = e.string();
                            case 2 << 3 | 2 -> v = e.string();
                            default -> e.skip(tag);
                        }
                    }
                    if (k.equals("location")) {
                        external.add(v);
                    }
                }
            }
            if (main) {
                inits.put(name, type);
            }
            return name;
        }

        private void node(Wire w, String graphName) {
            List<String> in = new ArrayList<>();
            List<String> out = new ArrayList<>();
            String name = "";
            String op = "";
            String domain = "";
            List<Wire> attributes = new ArrayList<>();
            while (w.more()) {
                int tag = w.tag();
                switch (tag) {
                    case 1 << 3 | 2 -> in.add(w.string());
                    case 2 << 3 | 2 -> out.add(w.string());
                    case 3 << 3 | 2 -> name = w.string();
                    case 4 << 3 | 2 -> op = w.string();
                    case 7 << 3 | 2 -> domain = w.string();
                    case 5 << 3 | 2 -> attributes.add(w.message());
                    default -> w.skip(tag);
                }
            }
            nodes.add(new Node(name, op, domain, List.copyOf(in), List.copyOf(out), graphName));
            String owner = name.isEmpty() ? op : name;
            for (Wire a : attributes) {
                // AttributeProto: g = 6 (one subgraph), graphs = 11 (several)
                while (a.more()) {
                    int tag = a.tag();
                    if (tag == (6 << 3 | 2) || tag == (11 << 3 | 2)) {
                        graph(a.message(), false, graphName + "/" + owner);
                    } else {
                        a.skip(tag);
                    }
                }
            }
        }

        private ValueInfo valueInfo(Wire w) {
            String name = "";
            int elem = 0;
            List<Object> dims = null;
            while (w.more()) {
                int tag = w.tag();
                if (tag == (1 << 3 | 2)) {
                    name = w.string();
                } else if (tag == (2 << 3 | 2)) { // TypeProto
                    Wire t = w.message();
                    while (t.more()) {
                        int tt = t.tag();
                        if (tt == (1 << 3 | 2)) { // tensor_type
                            Wire tensor = t.message();
                            while (tensor.more()) {
                                int x = tensor.tag();
                                if (x == (1 << 3)) {
                                    elem = (int) tensor.varint();
                                } else if (x == (2 << 3 | 2)) {
                                    dims = shape(tensor.message());
                                } else {
                                    tensor.skip(x);
                                }
                            }
                        } else {
                            t.skip(tt);
                        }
                    }
                } else {
                    w.skip(tag);
                }
            }
            return new ValueInfo(name, elem, dims == null ? null : Collections.unmodifiableList(dims));
        }

        private static List<Object> shape(Wire w) {
            List<Object> dims = new ArrayList<>();
            while (w.more()) {
                int tag = w.tag();
                if (tag == (1 << 3 | 2)) {
                    Wire d = w.message();
                    Object dim = "?";
                    while (d.more()) {
                        int x = d.tag();
                        if (x == (1 << 3)) {
                            dim = d.varint();
                        } else if (x == (2 << 3 | 2)) {
                            dim = d.string();
                        } else {
                            d.skip(x);
                        }
                    }
                    dims.add(dim);
                } else {
                    w.skip(tag);
                }
            }
            return dims;
        }
    }

    /** A protobuf wire-format cursor over {@code [pos, end)} of a byte array. */
    private static final class Wire {
        private final byte[] b;
        private int pos;
        private final int end;

        Wire(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            long t = varint();
            if (t <= 0 || t > Integer.MAX_VALUE) {
                throw new WireException("bad field tag " + t + " at byte " + pos);
            }
            return (int) t;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new WireException("varint runs past the end");
                }
                int x = b[pos++];
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new WireException("varint longer than 10 bytes");
        }

        Wire message() {
            long len = varint();
            if (len < 0 || len > end - pos) {
                throw new WireException("field of " + len + " bytes runs past the end (" + (end - pos) + " left)");
            }
            Wire w = new Wire(b, pos, pos + (int) len);
            pos += (int) len;
            return w;
        }

        String string() {
            Wire w = message();
            return new String(b, w.pos, w.end - w.pos, StandardCharsets.UTF_8);
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> message();
                case 5 -> advance(4);
                default -> throw new WireException("unsupported wire type " + (tag & 7) + " (field " + (tag >>> 3) + ")");
            }
        }

        private void advance(int n) {
            if (end - pos < n) {
                throw new WireException("fixed-size field runs past the end");
            }
            pos += n;
        }
    }

    private static final class WireException extends RuntimeException {
        WireException(String message) {
            super(message);
        }
    }
}
