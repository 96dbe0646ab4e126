package org.diredi.export;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.diredi.profiles.DeviceProfile;

/**
 * How much memory a model needs on a device: weight bytes as stored (int8 weights plus their float
 * scales after QDQ quantization, float weights otherwise) and peak activation bytes, the largest sum
 * of live tensors while the nodes run in the graph's (topological) order, with every activation
 * counted at {@code bytesPerActivation} (1 for an int8 device).
 *
 * <p>A tensor is live from the node that produces it (graph inputs from the start) to its last
 * consumer (graph outputs to the end). Tensors added by quantization itself (QuantizeLinear and
 * DequantizeLinear outputs) are not counted: on an int8 device they are the same buffer as the
 * tensor they re-type, and DequantizeLinear of a weight is the weight.
 *
 * @param weightBytes        bytes of all initializers, by their stored data type
 * @param peakActivationBytes largest sum of live activations at any node
 * @param peakNode           the node at which that peak occurs
 * @param largestLayerBytes  largest single node's inputs plus output (activations only)
 * @param budgetBytes        the profile's run-time memory budget (0 if none given)
 * @param maxModelBytes      the profile's model-size budget (0 if none given)
 */
public record MemoryReport(long weightBytes, long peakActivationBytes, String peakNode, long largestLayerBytes,
                           int bytesPerActivation, long budgetBytes, long maxModelBytes) {

    private static final Set<String> RETYPE = Set.of("QuantizeLinear", "DequantizeLinear");

    public long totalBytes() {
        return weightBytes + peakActivationBytes;
    }

    /** Weights plus peak activations within the run-time budget, and weights within the model budget. */
    public boolean fits() {
        return (budgetBytes <= 0 || totalBytes() <= budgetBytes) && (maxModelBytes <= 0 || weightBytes <= maxModelBytes);
    }

    /** Builds the report; {@code shapes} gives every activation's static shape (see QdqQuantizer.tensorShapes). */
    public static MemoryReport of(ModelProto model, Map<String, long[]> shapes, int bytesPerActivation,
                                  DeviceProfile profile) {
        GraphProto g = model.getGraph();
        long weights = 0;
        Set<String> inits = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            weights += elements(t.getDimsList().stream().mapToLong(Long::longValue).toArray()) * bytesOf(t.getDataType());
            inits.add(t.getName());
        }
        Map<String, String> alias = aliases(g);
        Sweep sweep = new Sweep(shapes, inits, alias, lastUses(g, alias), bytesPerActivation);
        sweep.start(g.getInputList());
        List<NodeProto> nodes = g.getNodeList();
        for (int i = 0; i < nodes.size(); i++) {
            sweep.run(i, nodes.get(i));
        }
        return new MemoryReport(weights, sweep.peak, sweep.peakAt, sweep.largestLayer, bytesPerActivation,
                profile == null ? 0 : profile.memoryBudgetBytes(), profile == null ? 0 : profile.maxModelBytes());
    }

    /** Quantization outputs stand for the tensor they re-type (see class comment). */
    private static Map<String, String> aliases(GraphProto g) {
        Map<String, String> alias = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            if (retypes(n)) {
                alias.put(n.getOutput(0), root(alias, n.getInput(0)));
            }
        }
        return alias;
    }

    private static boolean retypes(NodeProto n) {
        return n.getDomain().isEmpty() && RETYPE.contains(n.getOpType());
    }

    /** Index of the last node reading each tensor; graph outputs are read after the last node. */
    private static Map<String, Integer> lastUses(GraphProto g, Map<String, String> alias) {
        List<NodeProto> nodes = g.getNodeList();
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).getInputList()) {
                lastUse.put(root(alias, in), i);
            }
        }
        for (var o : g.getOutputList()) {
            lastUse.put(root(alias, o.getName()), nodes.size());
        }
        return lastUse;
    }

    /** The live activations while the nodes run in order, with the peak sum and the largest layer so far. */
    private static final class Sweep {
        private final Map<String, long[]> shapes;
        private final Set<String> inits;
        private final Map<String, String> alias;
        private final Map<String, Integer> lastUse;
        private final int bytesPerActivation;
        private final Map<String, Long> live = new HashMap<>();
        private long liveBytes;
        long peak;
        String peakAt = "(inputs)";
        long largestLayer;

        Sweep(Map<String, long[]> shapes, Set<String> inits, Map<String, String> alias, Map<String, Integer> lastUse,
              int bytesPerActivation) {
            this.shapes = shapes;
            this.inits = inits;
            this.alias = alias;
            this.lastUse = lastUse;
            this.bytesPerActivation = bytesPerActivation;
        }

        /** Graph inputs are live from the start. */
        void start(List<ValueInfoProto> inputs) {
            for (var in : inputs) {
                if (!inits.contains(in.getName()) && shapes.containsKey(in.getName())) {
                    long b = bytes(in.getName());
                    live.put(in.getName(), b);
                    liveBytes += b;
                }
            }
            peak = liveBytes;
        }

        /** Node {@code i} allocates its outputs, then frees what it read for the last time. */
        void run(int i, NodeProto n) {
            long layer = retypes(n) ? 0 : allocate(n);
            largestLayer = Math.max(largestLayer, layer);
            if (liveBytes > peak) {
                peak = liveBytes;
                peakAt = n.getName();
            }
            // free what this node read for the last time (and outputs nothing reads)
            for (var it = live.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (lastUse.getOrDefault(e.getKey(), -1) <= i) {
                    liveBytes -= e.getValue();
                    it.remove();
                }
            }
        }

        /** Makes the node's outputs live; returns its layer size (distinct activation inputs plus outputs). */
        private long allocate(NodeProto n) {
            long layer = 0;
            Set<String> seen = new HashSet<>();
            for (String in : n.getInputList()) {
                String r = root(alias, in);
                if (!inits.contains(r) && seen.add(r) && shapes.containsKey(r)) {
                    layer += bytes(r);
                }
            }
            for (String o : n.getOutputList()) {
                if (shapes.containsKey(o) && !inits.contains(o)) {
                    long b = bytes(o);
                    layer += b;
                    live.put(o, b);
                    liveBytes += b;
                }
            }
            return layer;
        }

        private long bytes(String tensor) {
            return elements(shapes.get(tensor)) * bytesPerActivation;
        }
    }

    private static String root(Map<String, String> alias, String t) {
        String r = alias.get(t);
        return r == null ? t : r;
    }

    private static long elements(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    static int bytesOf(int dataType) {
        return switch (TensorProto.DataType.forNumber(dataType)) {
            case INT8, UINT8, BOOL -> 1;
            case INT16, UINT16, FLOAT16, BFLOAT16 -> 2;
            case FLOAT, INT32, UINT32 -> 4;
            case DOUBLE, INT64, UINT64 -> 8;
            default -> throw new ExportException("initializer data type " + dataType + " not counted");
        };
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "weights %,d B, peak activations %,d B (at %s, %d B/elem), largest layer %,d B, "
                + "total %,d B%s", weightBytes, peakActivationBytes, peakNode, bytesPerActivation, largestLayerBytes,
                totalBytes(), budgetBytes > 0 ? String.format(Locale.ROOT, " of %,d B budget: %s", budgetBytes,
                        fits() ? "fits" : "DOES NOT FIT") : "");
    }
}
