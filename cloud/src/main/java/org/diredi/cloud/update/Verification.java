package org.diredi.cloud.update;

import org.diredi.core.gate.GateDecision;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.gate.VerificationGate;
import org.diredi.vision.eval.EvalResult;

/**
 * The verification gate's evidence and verdict: the tutor before and the updated tutor after Eq. 10,
 * evaluated on the manufacturer's validation split, and the decision under the gate's policy.
 */
public record Verification(VerificationGate.Evidence evidence, GateDecision decision) {

    /** Decides on the evidence under {@code policy}. */
    public static Verification decide(VerificationGate.Evidence evidence, GatePolicy policy) {
        return new Verification(evidence, evidence.decide(policy));
    }

    public EvalResult before() {
        return evidence.before();
    }

    public EvalResult after() {
        return evidence.after();
    }

    /** The decision the same evaluations give under another policy (an experiment's gate variants). */
    public GateDecision under(GatePolicy policy) {
        return evidence.decide(policy);
    }
}
