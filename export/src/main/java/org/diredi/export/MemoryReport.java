package org.diredi.export;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
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
        // Quantization outputs stand for the tensor they re-type (see class comment).
        Map<String, String> alias = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            if (n.getDomain().isEmpty() && RETYPE.contains(n.getOpType())) {
                alias.put(n.getOutput(0), root(alias, n.getInput(0)));
            }
        }
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
        Map<String, Long> live = new HashMap<>();
        long liveBytes = 0;
        for (var in : g.getInputList()) {
            if (!inits.contains(in.getName()) && shapes.containsKey(in.getName())) {
                long b = elements(shapes.get(in.getName())) * bytesPerActivation;
                live.put(in.getName(), b);
                liveBytes += b;
            }
        }
        long peak = liveBytes;
        String peakAt = "(inputs)";
        long largestLayer = 0;
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            boolean retype = n.getDomain().isEmpty() && RETYPE.contains(n.getOpType());
            long layer = 0;
            if (!retype) {
                Set<String> seen = new HashSet<>();
                for (String in : n.getInputList()) {
                    String r = root(alias, in);
                    if (!inits.contains(r) && seen.add(r) && shapes.containsKey(r)) {
                        layer += elements(shapes.get(r)) * bytesPerActivation;
                    }
                }
                for (String o : n.getOutputList()) {
                    if (shapes.containsKey(o) && !inits.contains(o)) {
                        long b = elements(shapes.get(o)) * bytesPerActivation;
                        layer += b;
                        live.put(o, b);
                        liveBytes += b;
                    }
                }
            }
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
        return new MemoryReport(weights, peak, peakAt, largestLayer, bytesPerActivation,
                profile == null ? 0 : profile.memoryBudgetBytes(), profile == null ? 0 : profile.maxModelBytes());
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
