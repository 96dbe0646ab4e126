package org.diredi.core.checkpoint;

import java.util.List;
import java.util.Map;
import org.diredi.core.model.ModelConfig;
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
        String weightsSha256) {

    public static final String FORMAT = "diredi-checkpoint/1";

    /** The data a model saw: location, split, class subset ("presumed" classes), counts. */
    public record DataInfo(String root, String split, List<String> classSubset, int images, int objects) {}

    /** Another checkpoint, by id and path, and how this one relates to it. */
    public record Reference(String id, String path, String relation) {}

    /** Training progress. */
    public record Progress(int epoch, int epochs, long step) {}
}
