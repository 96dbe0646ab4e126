package org.diredi.core.delta;

import java.util.List;
import java.util.Map;

/**
 * What a knowledge delta says about itself: everything the manufacturer needs to check and apply
 * it, and nothing of the customer's data beyond counts.
 *
 * @param format          {@code diredi-delta/1}
 * @param created         ISO-8601 time of creation
 * @param baseTutorId     id (weights SHA-256 prefix) of the original tutor both tutors started from
 * @param baseTutorSha256 full SHA-256 of that tutor's weights
 * @param classes         the global label space
 * @param classesAdded    classes the customer's private data adds (paper Tables I / II)
 * @param classesRemoved  classes the customer no longer wants detected
 * @param gamma           Eq. 9: {@code dW = W_tutor2 - gamma * W_tutor1}
 * @param parts           which parameters: {@code neck+head} (default) or {@code all}
 * @param dtype           {@code float32} or {@code float16} storage
 * @param dataCounts      images and objects per class used by RD A and RD B (never the data)
 * @param tensors         number of tensors
 * @param values          number of values
 * @param l2Norm          L2 norm of dW over all tensors
 * @param tensorsSha256   SHA-256 of {@code delta.tensors}, checked before anything is applied
 * @param provenance      free-form facts: tutor 1 / tutor 2 ids, RD settings, customer id
 * @param customerFigures the customer's signed figures on its private validation split (null: none)
 */
public record DeltaManifest(
        String format,
        String created,
        String baseTutorId,
        String baseTutorSha256,
        List<String> classes,
        List<String> classesAdded,
        List<String> classesRemoved,
        double gamma,
        String parts,
        String dtype,
        Map<String, Map<String, Integer>> dataCounts,
        int tensors,
        long values,
        double l2Norm,
        String tensorsSha256,
        Map<String, String> provenance,
        CustomerFigures customerFigures) {

    public static final String FORMAT = "diredi-delta/1";

    /** Without customer figures. */
    public DeltaManifest(String format, String created, String baseTutorId, String baseTutorSha256,
                         List<String> classes, List<String> classesAdded, List<String> classesRemoved, double gamma,
                         String parts, String dtype, Map<String, Map<String, Integer>> dataCounts, int tensors,
                         long values, double l2Norm, String tensorsSha256, Map<String, String> provenance) {
        this(format, created, baseTutorId, baseTutorSha256, classes, classesAdded, classesRemoved, gamma, parts, dtype,
                dataCounts, tensors, values, l2Norm, tensorsSha256, provenance, null);
    }

    /** This manifest carrying {@code figures}. */
    public DeltaManifest withCustomerFigures(CustomerFigures figures) {
        return new DeltaManifest(format, created, baseTutorId, baseTutorSha256, classes, classesAdded, classesRemoved,
                gamma, parts, dtype, dataCounts, tensors, values, l2Norm, tensorsSha256, provenance, figures);
    }

    /**
     * The classes an update covers: {@code base} (the presumed classes, or the tutor's) without the
     * removed ones, plus the added ones, in that order. The customer labels its private data with
     * these; the manufacturer runs Distill C on its own data for them.
     */
    public static List<String> updateClasses(java.util.Collection<String> base, java.util.Collection<String> added,
                                             java.util.Collection<String> removed) {
        java.util.LinkedHashSet<String> u = new java.util.LinkedHashSet<>(base);
        u.removeAll(removed);
        u.addAll(added);
        return List.copyOf(u);
    }

    /**
     * A few lines for people: sizes, norm, base tutor, classes, data counts and hash of the delta in {@code file},
     * and who signed its customer figures.
     */
    public String describe(java.nio.file.Path file) {
        return String.format("%s: %d tensors, %,d values (%s, %s), |dW| = %.4f%n  base tutor %s, gamma %s%n"
                        + "  classes added %s, removed %s%n  data %s%n  sha256 %s%n", file, tensors(), values(),
                parts(), dtype(), l2Norm(), baseTutorId(), gamma(), classesAdded(), classesRemoved(),
                dataCounts(), tensorsSha256()) + (customerFigures == null ? "" : String.format(
                "  customer figures on split %s (%d images), lambda %s, signed by key %s%n", customerFigures.split(),
                customerFigures.images(), customerFigures.lambda(), customerFigures.keyId()));
    }
}
