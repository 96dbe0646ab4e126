package org.diredi.profiles;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What one kind of target device can run: the model input it is set up for, its precision, the
 * ONNX opsets and operators its converter or runtime accepts, and its size, memory and latency
 * budgets. Loaded from YAML by {@link Profiles}; checked against an ONNX file by
 * {@link ProfileChecker}.
 *
 * @param name              short id, e.g. {@code jetson-nano} (lower case, digits, dashes)
 * @param description       one line for people
 * @param inputSize         square model input side in pixels the device pipeline feeds (a model's
 *                          image input must have it when {@code staticInput}; otherwise it is
 *                          the default export size)
 * @param inputSizes        every square input side the device accepts (a model's input follows its
 *                          checkpoint); empty or absent means {@code inputSize} only
 * @param precision         what the device executes in
 * @param opsetMin          lowest default-domain ONNX opset accepted
 * @param opsetMax          highest default-domain ONNX opset accepted
 * @param allowedOperators  operators accepted: {@code Conv} (default ONNX domain),
 *                          {@code com.microsoft:FusedConv} (another domain), {@code *} (any
 *                          default-domain operator) or {@code domain:*}
 * @param maxModelBytes     largest model file (plus external data) the device takes
 * @param memoryBudgetBytes memory available to the model at run time (weights must fit in it)
 * @param latencyBudgetMs   time per frame the application can afford, for benchmarks and gates
 * @param staticInput       whether every input dimension must be a fixed number
 * @param nmsOnHost         whether non-maximum suppression runs outside the model (it always does
 *                          in this project; recorded so packaging can say so)
 * @param notes             free-form remarks (sources, caveats), may be empty
 */
public record DeviceProfile(
        String name,
        String description,
        int inputSize,
        List<Integer> inputSizes,
        Precision precision,
        int opsetMin,
        int opsetMax,
        List<String> allowedOperators,
        long maxModelBytes,
        long memoryBudgetBytes,
        double latencyBudgetMs,
        boolean staticInput,
        boolean nmsOnHost,
        List<String> notes) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern OPERATOR = Pattern.compile("([A-Za-z0-9_.]+:)?([A-Za-z][A-Za-z0-9_]*|\\*)");
    private static final String DEFAULT_DOMAIN = "ai.onnx";

    public DeviceProfile {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("profile name must be lower case letters, digits and dashes, got '"
                    + name + "'");
        }
        String p = "profile " + name + ": ";
        if (inputSize < 32 || inputSize % 32 != 0) {
            // FCOS levels stride 8..32: a side that is not a multiple of 32 breaks the FPN merge.
            throw new IllegalArgumentException(p + "inputSize must be a multiple of 32 and >= 32, got " + inputSize);
        }
        inputSizes = inputSizes == null || inputSizes.isEmpty() ? List.of(inputSize) : List.copyOf(inputSizes);
        for (int s : inputSizes) {
            if (s < 32 || s % 32 != 0) {
                throw new IllegalArgumentException(p + "inputSizes must be multiples of 32 and >= 32, got " + s);
            }
        }
        if (!inputSizes.contains(inputSize)) {
            throw new IllegalArgumentException(p + "inputSizes " + inputSizes + " must include inputSize " + inputSize);
        }
        if (precision == null) {
            throw new IllegalArgumentException(p + "precision is required (FP32, FP16 or INT8)");
        }
        if (opsetMin < 1 || opsetMax < opsetMin) {
            throw new IllegalArgumentException(p + "opset range " + opsetMin + ".." + opsetMax
                    + " is empty or invalid (need 1 <= opsetMin <= opsetMax)");
        }
        if (allowedOperators == null || allowedOperators.isEmpty()) {
            throw new IllegalArgumentException(p + "allowedOperators must list at least one operator (or '*')");
        }
        for (String op : allowedOperators) {
            if (op == null || !OPERATOR.matcher(op).matches()) {
                throw new IllegalArgumentException(p + "'" + op + "' is not an operator name (Op, domain:Op or *)");
            }
        }
        if (maxModelBytes <= 0 || memoryBudgetBytes <= 0) {
            throw new IllegalArgumentException(p + "maxModelBytes and memoryBudgetBytes must be > 0");
        }
        if (!(latencyBudgetMs > 0) || Double.isInfinite(latencyBudgetMs)) {
            throw new IllegalArgumentException(p + "latencyBudgetMs must be a positive number, got " + latencyBudgetMs);
        }
        description = description == null ? "" : description;
        allowedOperators = List.copyOf(allowedOperators);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** Whether an operator ({@code domain} empty or {@code ai.onnx} for the standard set) is allowed. */
    public boolean allows(String domain, String opType) {
        String d = domain == null || domain.isEmpty() ? DEFAULT_DOMAIN : domain;
        for (String a : allowedOperators) {
            int colon = a.indexOf(':');
            String ad = colon < 0 ? DEFAULT_DOMAIN : a.substring(0, colon);
            String ao = colon < 0 ? a : a.substring(colon + 1);
            if (ad.equals(d) && (ao.equals("*") || ao.equals(opType))) {
                return true;
            }
        }
        return false;
    }

    public boolean allowsOpset(int opset) {
        return opset >= opsetMin && opset <= opsetMax;
    }

    /** Whether the device takes a square input of side {@code size}. */
    public boolean acceptsInputSize(long size) {
        return inputSizes.contains((int) size);
    }

    /** The same profile for another input side only (a custom camera pipeline, a scaled-down model). */
    public DeviceProfile withInputSize(int size) {
        return new DeviceProfile(name, description, size, List.of(size), precision, opsetMin, opsetMax, allowedOperators,
                maxModelBytes, memoryBudgetBytes, latencyBudgetMs, staticInput, nmsOnHost, notes);
    }

    /** The same profile with another model-size budget. */
    public DeviceProfile withMaxModelBytes(long bytes) {
        return new DeviceProfile(name, description, inputSize, inputSizes, precision, opsetMin, opsetMax,
                allowedOperators, bytes, memoryBudgetBytes, latencyBudgetMs, staticInput, nmsOnHost, notes);
    }

    /** A short human summary, e.g. for {@code diredi profiles}. */
    public String summary() {
        return String.format(Locale.ROOT, "%s: %s, %dx%d input, opset %d-%d, %d operators, model <= %s, memory %s, %.0f ms",
                name, precision, inputSize, inputSize, opsetMin, opsetMax, allowedOperators.size(),
                bytes(maxModelBytes), bytes(memoryBudgetBytes), latencyBudgetMs);
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        }
        if (b >= 1L << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        return b + " B";
    }
}
