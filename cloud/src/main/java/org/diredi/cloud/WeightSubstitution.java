package org.diredi.cloud;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.delta.KnowledgeDelta;

/**
 * Paper Eq. 10 on the manufacturer's side: {@code W_new = W_tutor + lambda * dW} over the delta's
 * tensors (neck + head), the backbone untouched. {@link KnowledgeDelta#applyTo} refuses a delta whose
 * base hash, names or shapes do not match the tutor, or that holds NaN / Inf.
 */
public final class WeightSubstitution {

    private WeightSubstitution() {}

    /** Writes the updated tutor to {@code out} (atomically) with a manifest naming its parent and the delta. */
    public static Path apply(Path tutor, KnowledgeDelta delta, double lambda, Path out) throws IOException {
        Checkpoint t0 = Checkpoint.read(tutor);
        Manifest m = t0.manifest();
        Checkpoint.write(out, new Manifest(null, null, null, "tutor+delta", m.model(), m.classes(), m.data(),
                        m.training(), new Manifest.Reference(m.id(), tutor.toString(), "weight substitution, lambda "
                        + lambda), null, m.progress(), m.objective(), Map.of("deltaL2Norm", delta.manifest().l2Norm()),
                        null),
                delta.applyTo(t0.weights(), lambda, tutor.toString()), null);
        return out;
    }
}
