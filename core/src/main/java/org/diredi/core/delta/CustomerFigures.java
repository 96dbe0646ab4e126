package org.diredi.core.delta;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a customer measured on its private validation split, and signed: the original tutor and the updated
 * tutor the cloud will make from this delta (Eq. 10 at {@code lambda}), per class, at the cameras' score
 * threshold. Only these numbers and the split's counts leave the customer, never an image. When the
 * manufacturer has no labels of a class the delta adds, they are the only evidence of that class's gain.
 *
 * @param split          the private split they were measured on
 * @param images         its images
 * @param objects        its objects per class
 * @param lambda         Eq. 10's lambda of the updated tutor measured
 * @param scoreThreshold where precision, recall and F1 were counted
 * @param before         the original tutor per class
 * @param after          the updated tutor per class, with {@code shifts} applied
 * @param shifts         the class-logit bias shift of each added class, fitted on the customer's private training
 *                       data for its best F1 at {@code scoreThreshold} ({@code ClassBiasCalibration}); the
 *                       manufacturer, which cannot label the class, applies them after Eq. 10. Empty when none
 * @param keyId          {@code Ed25519.keyId} of the customer's signing key
 * @param signature      base64 Ed25519 signature over {@link #signedBytes}; null before signing
 */
public record CustomerFigures(String split, int images, Map<String, Integer> objects, double lambda,
                              double scoreThreshold, Map<String, ClassFigures> before,
                              Map<String, ClassFigures> after, Map<String, Double> shifts, String keyId,
                              String signature) {

    /** One class's figures (0-1); AP is NaN-free: a class without objects is left out. */
    public record ClassFigures(double ap, double precision, double recall, double f1) {}

    public CustomerFigures {
        objects = objects == null ? Map.of() : new TreeMap<>(objects);
        before = before == null ? Map.of() : new TreeMap<>(before);
        after = after == null ? Map.of() : new TreeMap<>(after);
        shifts = shifts == null ? Map.of() : new TreeMap<>(shifts);
    }

    /** These figures signed by the key {@code keyId}. */
    public CustomerFigures signed(String signerKeyId, String base64Signature) {
        return new CustomerFigures(split, images, objects, lambda, scoreThreshold, before, after, shifts, signerKeyId,
                base64Signature);
    }

    /**
     * The bytes the signature covers: every figure, the signer's key id, and the delta's tensorsSha256 and
     * baseTutorSha256, so figures moved onto another delta (or another tutor's) no longer verify; the shifts
     * when there are any (figures without them sign the same bytes as before shifts existed). Written by
     * hand, one value per line in a fixed order, so the bytes do not depend on a JSON library's ordering.
     */
    public byte[] signedBytes(String tensorsSha256, String baseTutorSha256) {
        StringBuilder sb = new StringBuilder("diredi-customer-figures/1\n");
        sb.append("tensorsSha256=").append(tensorsSha256).append('\n');
        sb.append("baseTutorSha256=").append(baseTutorSha256).append('\n');
        sb.append("keyId=").append(keyId).append('\n');
        sb.append("split=").append(split).append('\n');
        sb.append("images=").append(images).append('\n');
        objects.forEach((c, n) -> sb.append("objects.").append(c).append('=').append(n).append('\n'));
        sb.append("lambda=").append(lambda).append('\n');
        sb.append("scoreThreshold=").append(scoreThreshold).append('\n');
        append(sb, "before", before);
        append(sb, "after", after);
        shifts.forEach((c, d) -> sb.append("shift.").append(c).append('=').append(d).append('\n'));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void append(StringBuilder sb, String which, Map<String, ClassFigures> figures) {
        figures.forEach((c, f) -> sb.append(which).append('.').append(c).append('=').append(f.ap()).append(',')
                .append(f.precision()).append(',').append(f.recall()).append(',').append(f.f1()).append('\n'));
    }

    /** The change of {@code name}'s AP in points, or NaN when the figures do not hold the class. */
    public double apGainPoints(String name) {
        ClassFigures b = before.get(name);
        ClassFigures a = after.get(name);
        return b == null || a == null ? Double.NaN : (a.ap() - b.ap()) * 100;
    }
}
