package org.diredi.workflow.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.pretrain.BackboneFile;

/** The pretrained backbones an experiment's models start from ({@link ExperimentSpec#backbonesDir()}). */
final class Backbones {

    private final ExperimentSpec spec;

    Backbones(ExperimentSpec spec) {
        this.spec = spec;
    }

    /** The pretrained backbone {@code model} starts from, or null (random weights). */
    Path file(ModelConfig model) {
        return BackboneFile.pretrainedFor(spec.backbonesDir(), model);
    }

    /** What a model's backbone starts from, for the cache key of the shared stages: the file's SHA-256. */
    String identity(ModelConfig model) throws IOException {
        Path b = file(model);
        return b == null ? "random" : TensorFile.sha256(Files.readAllBytes(b));
    }

    /** For the report: what each of the family's models starts from. */
    String describe() {
        return String.join(", ", ExperimentSpec.MODEL_ROLES.stream().map(role -> {
            Path b = file(Presets.get(spec.family() + "/" + role));
            return role + " " + (b == null ? "random" : "pretrained (" + b + ")");
        }).toList());
    }
}
