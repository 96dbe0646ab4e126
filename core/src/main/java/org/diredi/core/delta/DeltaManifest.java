package org.diredi.core.delta;

import java.util.List;
import java.util.Map;
import org.diredi.core.provenance.Provenance;

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
 * @param dtype           how values are stored: {@code float32}, {@code float16} (dense forms and the values of
 *                        {@code sparse}: float32) or {@code int8} ({@code int8} and {@code sparse-int8})
 * @param dataCounts      images and objects per class used by RD A and RD B (never the data)
 * @param tensors         number of tensors
 * @param values          number of values
 * @param l2Norm          L2 norm over all tensors of the delta as uploaded (after clipping and noise, as decoded)
 * @param tensorsSha256   SHA-256 of {@code delta.tensors}, checked before anything is applied
 * @param provenance      free-form facts: tutor 1 / tutor 2 ids, RD settings, customer id
 * @param form            the encoding of {@code delta.tensors} ({@link DeltaForm}); null in files written before
 *                        forms existed, which are {@code dtype}'s dense form
 * @param sparseDensity   for {@code sparse} and {@code sparse-int8}: the fraction of each tensor's values kept;
 *                        otherwise null
 * @param privacy         differential privacy applied before encoding (public settings and epsilon, never the
 *                        norm before clipping); null when none was
 * @param lineage         the chain back to the data: base tutor, tutor 1 and tutor 2 with their provenance
 *                        nested, the hashes of the customer's split (never its images or file names); null in
 *                        a delta written before it was recorded
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
        String form,
        Double sparseDensity,
        DeltaPrivacy privacy,
        Provenance lineage,
        CustomerFigures customerFigures) {

    public static final String FORMAT = "diredi-delta/1";

    /** A manifest without form or privacy (filled in by {@link KnowledgeDelta#write}): the fields of old files. */
    public DeltaManifest(String format, String created, String baseTutorId, String baseTutorSha256, List<String> classes,
                         List<String> classesAdded, List<String> classesRemoved, double gamma, String parts, String dtype,
                         Map<String, Map<String, Integer>> dataCounts, int tensors, long values, double l2Norm,
                         String tensorsSha256, Map<String, String> provenance) {
        this(format, created, baseTutorId, baseTutorSha256, classes, classesAdded, classesRemoved, gamma, parts, dtype,
                dataCounts, tensors, values, l2Norm, tensorsSha256, provenance, null, null, null, null, null);
    }

    /** This manifest with differential privacy recorded (null: none). */
    public DeltaManifest withPrivacy(DeltaPrivacy p) {
        return new DeltaManifest(format, created, baseTutorId, baseTutorSha256, classes, classesAdded, classesRemoved,
                gamma, parts, dtype, dataCounts, tensors, values, l2Norm, tensorsSha256, provenance, form, sparseDensity, p,
                lineage, customerFigures);
    }

    /** This manifest with its lineage (the chain back to the data) recorded. */
    public DeltaManifest withLineage(Provenance l) {
        return new DeltaManifest(format, created, baseTutorId, baseTutorSha256, classes, classesAdded, classesRemoved,
                gamma, parts, dtype, dataCounts, tensors, values, l2Norm, tensorsSha256, provenance, form, sparseDensity,
                privacy, l, customerFigures);
    }

    /** This manifest carrying {@code figures}. */
    public DeltaManifest withCustomerFigures(CustomerFigures figures) {
        return new DeltaManifest(format, created, baseTutorId, baseTutorSha256, classes, classesAdded, classesRemoved,
                gamma, parts, dtype, dataCounts, tensors, values, l2Norm, tensorsSha256, provenance, form, sparseDensity,
                privacy, lineage, figures);
    }

    /** The form of the stored tensors: {@code form}, or for files written before forms existed, {@code dtype}. */
    public String formName() {
        return form != null ? form : dtype;
    }

    /** This delta as the parent of another artifact (Eq. 10's updated tutor), its lineage (null: unknown) nested. */
    public Provenance.Parent asParent(String relation) {
        return new Provenance.Parent(relation,
                tensorsSha256 == null ? null : tensorsSha256.substring(0, 16), tensorsSha256, lineage);
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
        String f = sparseDensity == null ? formName() : formName() + " " + sparseDensity;
        return String.format("%s: %d tensors, %,d values (%s, %s), |dW| = %.4f%n  base tutor %s, gamma %s%n"
                        + "  classes added %s, removed %s%n  data %s%n  privacy %s%n  sha256 %s%n", file, tensors(),
                values(), parts(), f, l2Norm(), baseTutorId(), gamma(), classesAdded(), classesRemoved(),
                dataCounts(), privacy == null ? "none" : privacy.describe(), tensorsSha256()) + (customerFigures == null ? "" : String.format(
                "  customer figures on split %s (%d images), lambda %s, signed by key %s%n", customerFigures.split(),
                customerFigures.images(), customerFigures.lambda(), customerFigures.keyId()));

    }
}
