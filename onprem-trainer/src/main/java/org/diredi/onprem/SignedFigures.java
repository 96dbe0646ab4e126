package org.diredi.onprem;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.delta.CustomerFigures;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.eval.ClassBiasCalibration;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.stage.Stages;
import org.diredi.messaging.Ed25519;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;

/**
 * The customer's figures for its delta (on its own PC): the original tutor and the updated tutor the
 * manufacturer will make from the delta (Eq. 10 at lambda) on the customer's private validation split, per
 * class, signed with the PC's enrolled key over the figures and the delta's hashes, then written into the
 * delta's manifest. Only these numbers leave the PC; the manufacturer judges an added class it cannot label on
 * them ({@code cloud/update/FiguresCheck} checks the signature).
 */
public final class SignedFigures {

    private SignedFigures() {}

    /**
     * Measures, signs and writes the figures into {@code deltaFile} (atomically, its tensors unchanged).
     *
     * @param validation the private validation split, restricted to the update's classes
     * @param fitOn      the private training data, on which the added classes' score shifts are fitted; null for
     *                   figures without shifts
     * @param work       where the updated tutor measured is written
     */
    public static KnowledgeDelta attach(Path deltaFile, Path originalTutor, double lambda, VocDataset validation,
                                       VocDataset fitOn, PrivateKey key, Device device, Path work) throws IOException {
        KnowledgeDelta delta = KnowledgeDelta.read(deltaFile);
        CustomerFigures f = measure(originalTutor, delta, lambda, validation, fitOn, device, work);
        DeltaManifest m = delta.manifest();
        return KnowledgeDelta.rewriteManifest(deltaFile, m.withCustomerFigures(sign(f, m, key)));
    }

    /**
     * Both tutors on {@code validation} at the cameras' score threshold ({@link GatePolicy#DEPLOYMENT_SCORE_THRESHOLD}):
     * AP, precision, recall and F1 of every class with objects there; unsigned. With {@code fitOn}, each added
     * class's logit shift is fitted there first ({@link ClassBiasCalibration}: Eq. 10 leaves the class's ranking
     * but not its score scale, and the manufacturer has no labels to refit it) and the updated tutor is measured
     * with the shifts.
     */
    public static CustomerFigures measure(Path originalTutor, KnowledgeDelta delta, double lambda,
                                          VocDataset validation, VocDataset fitOn, Device device, Path work)
            throws IOException {
        Path updated = work.resolve("figures-updated-tutor.ckpt");
        Files.createDirectories(work);
        updatedTutor(originalTutor, delta, lambda, updated);
        double threshold = GatePolicy.DEPLOYMENT_SCORE_THRESHOLD;
        List<String> added = delta.manifest().classesAdded();
        Map<String, Double> shifts = Map.of();
        if (fitOn != null && !added.isEmpty()) {
            shifts = ClassBiasCalibration.byName(ClassBiasCalibration.fit(updated, fitOn, added, threshold, device));
            Path shifted = work.resolve("figures-updated-tutor-calibrated.ckpt");
            ClassBiasCalibration.write(updated, shifts, String.format("the added classes' shifts at score %.2f on %d"
                    + " private training images", threshold, fitOn.size()), fitOn, shifted);
            updated = shifted;
        }
        EvalConfig at = EvalConfig.DEFAULT.withScoreThreshold(threshold);
        EvalResult before = Stages.evaluate(originalTutor, validation, null, device, at);
        EvalResult after = Stages.evaluate(updated, validation, null, device, at);
        Map<String, Integer> objects = new LinkedHashMap<>();
        Map<String, CustomerFigures.ClassFigures> b = new LinkedHashMap<>();
        Map<String, CustomerFigures.ClassFigures> a = new LinkedHashMap<>();
        for (ClassResult c : before.classes()) {
            ClassResult u = after.find(c.name());
            if (c.hasGroundTruth() && u != null) {
                objects.put(c.name(), c.numGt());
                b.put(c.name(), figures(c));
                a.put(c.name(), figures(u));
            }
        }
        return new CustomerFigures(validation.split(), validation.size(), objects, lambda, threshold, b, a, shifts,
                null, null);
    }

    /** {@code f} signed with {@code key} over its figures and {@code m}'s tensorsSha256 and baseTutorSha256. */
    public static CustomerFigures sign(CustomerFigures f, DeltaManifest m, PrivateKey key) {
        CustomerFigures named = f.signed(Ed25519.keyId(Ed25519.publicOf(key)), null);
        byte[] sig = Ed25519.sign(key, named.signedBytes(m.tensorsSha256(), m.baseTutorSha256()));
        return named.signed(named.keyId(), Base64.getEncoder().encodeToString(sig));
    }

    private static CustomerFigures.ClassFigures figures(ClassResult c) {
        return new CustomerFigures.ClassFigures(c.ap(), c.precision(), c.recall(), c.f1());
    }

    /** Eq. 10 on this PC, as the manufacturer will apply it: the delta must be the one made from this tutor. */
    private static void updatedTutor(Path tutor, KnowledgeDelta delta, double lambda, Path out) throws IOException {
        Checkpoint t0 = Checkpoint.read(tutor);
        Manifest m = t0.manifest();
        if (!m.weightsSha256().equals(delta.manifest().baseTutorSha256())) {
            throw new KnowledgeDelta.DeltaException("the delta was made for tutor " + delta.manifest().baseTutorId()
                    + ", but " + tutor + " is tutor " + m.id());
        }
        Checkpoint.write(out, m.derived(m.role() + "+delta", tutor.toString(), "weight substitution, lambda " + lambda)
                .build(), delta.applyTo(t0.weights(), lambda, tutor.toString()), null);
    }
}
