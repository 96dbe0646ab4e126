package org.diredi.cloud;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.provenance.Provenance;

/**
 * Paper Eq. 10 on the manufacturer's side: {@code W_new = W_tutor + lambda * dW} over the delta's
 * tensors (neck + head), the backbone untouched. Refuses a delta made against another tutor or
 * class list; {@link KnowledgeDelta#applyTo} refuses other names or shapes, and NaN / Inf.
 */
public final class WeightSubstitution {

    private WeightSubstitution() {}

    /**
     * Writes the updated tutor to {@code out} (atomically) with a manifest naming its parent and the delta,
     * both nested in its provenance with lambda.
     */
    public static Manifest apply(Path tutor, KnowledgeDelta delta, double lambda, Path out) throws IOException {
        Checkpoint t0 = Checkpoint.read(tutor);
        Manifest m = t0.manifest();
        var d = delta.manifest();
        if (!m.weightsSha256().equals(d.baseTutorSha256())) {
            throw new KnowledgeDelta.DeltaException("the delta was made for tutor " + d.baseTutorId()
                    + ", but " + tutor + " is tutor " + m.id());
        }
        if (!m.classes().equals(d.classes())) {
            throw new KnowledgeDelta.DeltaException("the delta's class list differs from " + tutor + "'s");
        }
        Manifest updated = m.derived(m.role() + "+delta", tutor.toString(), "weight substitution, lambda " + lambda
                        + ", delta " + d.tensorsSha256().substring(0, 16))
                .metrics(Map.of("deltaL2Norm", d.l2Norm()))
                .provenance(Provenance.of("checkpoint", m.role() + "+delta", List.of(),
                        Map.of("substitution", "Eq. 10: W_tutor + lambda * dW", "lambda", Double.toString(lambda)),
                        List.of(m.asParent("base tutor"), d.asParent("delta")))).build();
        return Checkpoint.write(out, updated, delta.applyTo(t0.weights(), lambda, tutor.toString()), null);
    }
}
