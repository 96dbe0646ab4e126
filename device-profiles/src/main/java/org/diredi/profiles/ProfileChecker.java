package org.diredi.profiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks an ONNX model against a {@link DeviceProfile} and reports every violation, not just the
 * first, so one run tells the user everything to fix: forbidden operators (each node by name),
 * the opset, file size, weights against the memory budget, dynamic or wrongly sized inputs, and,
 * for int8-only devices, float weights that were never quantized.
 */
public final class ProfileChecker {

    // Operators whose input 1 is a weight tensor an int8 device must receive quantized.
    private static final Set<String> WEIGHTED = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");

    private ProfileChecker() {}

    /** Violations of {@code profile} by the model file (empty when it fits). */
    public static List<Violation> check(Path model, DeviceProfile profile) {
        OnnxSummary s = OnnxSummary.read(model);
        long bytes = fileSize(model);
        Path dir = model.toAbsolutePath().getParent();
        for (String ext : s.externalFiles()) {
            // external data counts: the device must hold it too
            bytes += dir == null ? 0 : fileSize(dir.resolve(ext));
        }
        return check(s, bytes, profile);
    }

    /** Violations of {@code profile} by an already read model of {@code modelBytes} bytes. */
    public static List<Violation> check(OnnxSummary s, long modelBytes, DeviceProfile profile) {
        List<Violation> out = new ArrayList<>();
        checkOpset(s, profile, out);
        checkOperators(s, profile, out);
        checkSizes(s, modelBytes, profile, out);
        checkInputs(s, profile, out);
        if (profile.precision() == Precision.INT8) {
            checkQuantized(s, profile, out);
        }
        return out;
    }

    private static void checkOpset(OnnxSummary s, DeviceProfile profile, List<Violation> out) {
        String p = profile.name();
        long opset = s.defaultOpset();
        if (opset == 0) {
            out.add(new Violation(Violation.Kind.OPSET, "model",
                    "the model imports no default-domain opset; " + p + " accepts opset "
                            + profile.opsetMin() + "-" + profile.opsetMax()));
        } else if (!profile.allowsOpset((int) Math.min(Integer.MAX_VALUE, opset))) {
            out.add(new Violation(Violation.Kind.OPSET, "model", "opset " + opset + " is outside " + p
                    + "'s range " + profile.opsetMin() + "-" + profile.opsetMax()));
        }
    }

    private static void checkOperators(OnnxSummary s, DeviceProfile profile, List<Violation> out) {
        for (OnnxSummary.Node n : s.nodes()) {
            if (!profile.allows(n.domain(), n.opType())) {
                String op = n.domain().isEmpty() ? n.opType() : n.domain() + ":" + n.opType();
                out.add(new Violation(Violation.Kind.OPERATOR, n.label(), "node '" + n.label() + "' uses operator "
                        + op + ", which " + profile.name() + " does not accept"));
            }
        }
    }

    /** The file against the model-size budget, the weights against the memory budget. */
    private static void checkSizes(OnnxSummary s, long modelBytes, DeviceProfile profile, List<Violation> out) {
        String p = profile.name();
        if (modelBytes > profile.maxModelBytes()) {
            out.add(new Violation(Violation.Kind.MODEL_SIZE, "model", "model is " + DeviceProfile.bytes(modelBytes)
                    + " (" + modelBytes + " bytes), " + p + " takes at most " + DeviceProfile.bytes(profile.maxModelBytes())
                    + " (" + profile.maxModelBytes() + " bytes)"));
        }
        if (s.weightBytes() > profile.memoryBudgetBytes()) {
            out.add(new Violation(Violation.Kind.MEMORY, "model", "weights alone take "
                    + DeviceProfile.bytes(s.weightBytes()) + ", more than " + p + "'s memory budget of "
                    + DeviceProfile.bytes(profile.memoryBudgetBytes())));
        }
    }

    private static void checkInputs(OnnxSummary s, DeviceProfile profile, List<Violation> out) {
        String p = profile.name();
        for (OnnxSummary.ValueInfo in : s.inputs()) {
            if (profile.staticInput() && !in.isStatic()) {
                out.add(new Violation(Violation.Kind.DYNAMIC_INPUT, in.name(), "input '" + in.name() + "' has shape "
                        + in.shapeText() + "; " + p + " needs every dimension fixed"));
            }
            // A runtime that takes any shape is not bound to the profile's nominal size.
            List<Object> d = in.dims();
            if (profile.staticInput() && d != null && d.size() == 4 && d.get(2) instanceof Long h && d.get(3) instanceof Long w
                    && (!h.equals(w) || !profile.acceptsInputSize(h))) {
                out.add(new Violation(Violation.Kind.INPUT_SIZE, in.name(), "input '" + in.name() + "' is " + w + "x" + h
                        + ", " + p + " takes square inputs of side " + profile.inputSizes()));
            }
        }
    }

    /** Weighted operators reading float initializers or float Constants on an int8-only device. */
    private static void checkQuantized(OnnxSummary s, DeviceProfile profile, List<Violation> out) {
        Map<String, OnnxSummary.Node> producer = new HashMap<>();
        for (OnnxSummary.Node n : s.nodes()) {
            for (String o : n.outputs()) {
                producer.put(o, n);
            }
        }
        for (OnnxSummary.Node n : s.nodes()) {
            if (!n.domain().isEmpty() || !WEIGHTED.contains(n.opType()) || n.inputs().size() < 2) {
                continue;
            }
            String w = n.inputs().get(1);
            Integer type = s.initializers().get(w);
            OnnxSummary.Node from = producer.get(w);
            boolean floatInit = type != null && isFloat(type);
            boolean floatConst = from != null && from.opType().equals("Constant");
            if (floatInit || floatConst) {
                out.add(new Violation(Violation.Kind.PRECISION, n.label(), "node '" + n.label()
                        + "' has float weights '" + w + "'; " + profile.name()
                        + " runs int8 only (quantize the model, e.g. QDQ)"));
            }
        }
    }

    private static boolean isFloat(int type) {
        return type == OnnxSummary.FLOAT || type == OnnxSummary.FLOAT16 || type == OnnxSummary.DOUBLE
                || type == OnnxSummary.BFLOAT16;
    }

    /** A readable report: "fits" or one line per violation. */
    public static String report(DeviceProfile profile, List<Violation> violations) {
        if (violations.isEmpty()) {
            return "model fits profile " + profile.name();
        }
        StringBuilder b = new StringBuilder(violations.size() + " violation(s) of profile " + profile.name() + ":");
        for (Violation v : violations) {
            b.append("\n  ").append(v);
        }
        return b.toString();
    }

    private static long fileSize(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new ProfileException(f + ": cannot read size (" + e.getMessage() + ")", e);
        }
    }
}
