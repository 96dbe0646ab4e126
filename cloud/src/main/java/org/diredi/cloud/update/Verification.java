package org.diredi.cloud.update;

import java.util.Set;
import org.diredi.core.gate.GateDecision;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.gate.VerificationGate;
import org.diredi.vision.eval.EvalResult;

/**
 * The verification gate's evidence and verdict: the tutor before and the updated tutor after Eq. 10,
 * evaluated on the manufacturer's validation split, and the decision under the gate's policy.
 *
 * @param added   the delta's added classes (must gain)
 * @param removed the delta's removed classes (reported, judged only when protected)
 */
public record Verification(EvalResult before, EvalResult after, Set<String> added, Set<String> removed,
                           GateDecision decision) {

    public Verification {
        added = Set.copyOf(added);
        removed = Set.copyOf(removed);
    }

    /** Decides on {@code before} and {@code after} under {@code policy}. */
    public static Verification decide(EvalResult before, EvalResult after, Set<String> added, Set<String> removed,
                                      GatePolicy policy) {
        return new Verification(before, after, added, removed,
                VerificationGate.decide(before, after, added, removed, policy));
    }

    /** The decision the same evaluations give under another policy (an experiment's gate variants). */
    public GateDecision under(GatePolicy policy) {
        return VerificationGate.decide(before, after, added, removed, policy);
    }
}
