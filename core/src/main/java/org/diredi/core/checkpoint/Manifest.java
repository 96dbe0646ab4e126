package org.diredi.core.checkpoint;

import java.util.List;
import java.util.Map;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.provenance.Provenance;
import org.diredi.core.train.TrainConfig;

/**
 * Provenance of a checkpoint (after Tribuo): what the model is, what data and settings made it,
 * from which parent, and how it scored. Stored as {@code manifest.json} inside every checkpoint.
 *
 * @param format        {@code diredi-checkpoint/1}
 * @param id            first 16 hex digits of the weights' SHA-256: the model's identity
 * @param created       ISO-8601 time of writing
 * @param role          what the model is for: large, tutor, edge, tutor1, tutor2, ...
 * @param model         the architecture
 * @param classes       the global label space, in head order
 * @param data          the training data (never the data itself)
 * @param training      the training settings
 * @param parent        the checkpoint this one continues or was initialised from, or null
 * @param teacher       the teacher checkpoint of a distillation, or null
 * @param progress      epochs done and planned, optimizer steps
 * @param objective     settings of the training objective beyond the detector loss (FGD weights,
 *                      reverse-distillation alpha / beta), or null for direct training
 * @param metrics       latest figures (loss terms, mAP, ...)
 * @param weightsSha256 SHA-256 of {@code model.tensors}, checked on load
 * @param provenance    the chain back to the data, its parents' provenance nested ({@link Provenance});
 *                      null in a checkpoint written before it was recorded
 */
public record Manifest(
        String format,
        String id,
        String created,
        String role,
        ModelConfig model,
        List<String> classes,
        DataInfo data,
        TrainConfig training,
        Reference parent,
        Reference teacher,
        Progress progress,
        Map<String, Double> objective,
        Map<String, Double> metrics,
        String weightsSha256,
        Provenance provenance) {

    public static final String FORMAT = "diredi-checkpoint/1";

    /** A manifest without provenance (unknown), as written before it was recorded. */
    public Manifest(String format, String id, String created, String role, ModelConfig model, List<String> classes,
                    DataInfo data, TrainConfig training, Reference parent, Reference teacher, Progress progress,
                    Map<String, Double> objective, Map<String, Double> metrics, String weightsSha256) {
        this(format, id, created, role, model, classes, data, training, parent, teacher, progress, objective, metrics,
                weightsSha256, null);
    }

    /** The data a model saw: location, split, class subset ("presumed" classes), counts. */
    public record DataInfo(String root, String split, List<String> classSubset, int images, int objects) {}

    /** Another checkpoint, by id and path, and how this one relates to it. */
    public record Reference(String id, String path, String relation) {}

    /** Training progress. */
    public record Progress(int epoch, int epochs, long step) {}

    /** A new manifest for a model of {@code model} over {@code classes}; identity is filled on write. */
    public static Builder builder(String role, ModelConfig model, List<String> classes) {
        return new Builder(role, model, classes);
    }

    /**
     * A manifest for a model made from this one ({@code path} holds it) by {@code relation}: same
     * architecture, classes, data, training and progress, with this model as parent (its provenance
     * nested) and no metrics.
     */
    public Builder derived(String role, String path, String relation) {
        return new Builder(role, model, classes).data(data).training(training).progress(progress)
                .objective(objective).parent(new Reference(id, path, relation))
                .provenance(Provenance.of("checkpoint", role, List.of(), Map.of(), List.of(asParent(relation))));
    }

    /** This checkpoint as the parent of another artifact, its provenance (null: unknown) nested. */
    public Provenance.Parent asParent(String relation) {
        return new Provenance.Parent(relation, id, weightsSha256, provenance);
    }

    /** This manifest with its identity (filled by {@link Checkpoint#write} from the weights' hash). */
    Manifest withIdentity(String newId, String newCreated, String sha256) {
        return new Manifest(FORMAT, newId, newCreated, role, model, classes, data, training, parent, teacher,
                progress, objective, metrics, sha256, provenance == null ? null : provenance.identified(sha256,
                newCreated));
    }

    /** Named setters for a manifest; unset parts stay null. */
    public static final class Builder {
        private final String role;
        private final ModelConfig model;
        private final List<String> classes;
        private DataInfo data;
        private TrainConfig training;
        private Reference parent;
        private Reference teacher;
        private Progress progress;
        private Map<String, Double> objective;
        private Map<String, Double> metrics;
        private Provenance provenance;

        private Builder(String role, ModelConfig model, List<String> classes) {
            this.role = role;
            this.model = model;
            this.classes = classes;
        }

        public Builder data(DataInfo d) {
            data = d;
            return this;
        }

        public Builder training(TrainConfig t) {
            training = t;
            return this;
        }

        public Builder parent(Reference r) {
            parent = r;
            return this;
        }

        public Builder teacher(Reference r) {
            teacher = r;
            return this;
        }

        public Builder progress(Progress p) {
            progress = p;
            return this;
        }

        public Builder objective(Map<String, Double> o) {
            objective = o;
            return this;
        }

        public Builder metrics(Map<String, Double> m) {
            metrics = m;
            return this;
        }

        /** Where the model came from; null leaves it unknown. */
        public Builder provenance(Provenance p) {
            provenance = p;
            return this;
        }

        public Manifest build() {
            return new Manifest(FORMAT, null, null, role, model, classes, data, training, parent, teacher, progress,
                    objective, metrics, null, provenance);
        }
    }
}
