package org.diredi.core.delta;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a knowledge delta's values are stored in {@code delta.tensors}; {@link DeltaEncoding} writes and reads
 * them. Round-trip bounds for a value x:
 * <ul>
 *   <li>{@code float32}: exact;</li>
 *   <li>{@code float16}: relative error at most 2^-11 for |x| >= 2^-14 (half's normal range), absolute at most
 *       2^-25 below it (subnormals);</li>
 *   <li>{@code sparse}: per tensor the {@code ceil(density * n)} values of largest |x| are kept exactly (float32),
 *       the rest, the smallest |x| of that tensor, become 0;</li>
 *   <li>{@code int8}: per tensor symmetric scale {@code s = max|x| / 127}, stored {@code round(x / s)}:
 *       |error| at most s / 2;</li>
 *   <li>{@code sparse-int8}: the values {@code sparse} keeps, stored as {@code int8} does with the scale of the
 *       kept values ({@code s = max|x| / 127}, |error| at most s / 2), the rest 0; their positions as a list or a
 *       bitmap, whichever is smaller: k + min(4k, n / 8) bytes for k kept of n values.</li>
 * </ul>
 */
public enum DeltaForm {
    FLOAT32("float32"),
    FLOAT16("float16"),
    SPARSE("sparse"),
    INT8("int8"),
    SPARSE_INT8("sparse-int8");

    private final String id;

    DeltaForm(String id) {
        this.id = id;
    }

    /** The name in manifests and settings files. */
    public String id() {
        return id;
    }

    /** The form named {@code id}, or null when there is none (the caller says where the name came from). */
    public static DeltaForm find(String id) {
        return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst().orElse(null);
    }

    /** The form named {@code id}; {@code key} names the setting in the error. */
    public static DeltaForm of(String id, String key) {
        DeltaForm f = find(id);
        if (f == null) {
            throw new IllegalArgumentException(key + ": unknown delta form '" + id + "' (one of " + names() + ")");
        }
        return f;
    }

    /** Whether the form keeps only a fraction of the values (a density applies). */
    public boolean sparse() {
        return this == SPARSE || this == SPARSE_INT8;
    }

    /** Every form's name, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(DeltaForm::id).collect(Collectors.joining(", "));
    }
}
