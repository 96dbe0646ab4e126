package org.diredi.core.pretrain;

import java.util.List;
import org.diredi.core.model.ModelConfig;

/**
 * Provenance of a pretrained backbone, stored as {@code FILE.json} beside the tensors {@code FILE}:
 * which preset's backbone, on what data (crop pool and counts, never the images), with which
 * settings, how well it classified, and the SHA-256 that ties it to the tensors.
 *
 * @param format        {@code diredi-backbone/1}
 * @param id            first 16 hex digits of the tensors' SHA-256 (a detector's manifest refers to it)
 * @param created       ISO-8601 time of writing
 * @param model         the preset whose backbone this is (its name is the preset name)
 * @param data          the pretraining images
 * @param training      the settings
 * @param history       one record per epoch
 * @param valAccuracy   top-1 accuracy on the held-out crops after the last epoch
 * @param tensorsSha256 SHA-256 of the tensors file, checked on load
 */
public record BackboneManifest(String format, String id, String created, ModelConfig model, Data data,
                               PretrainConfig training, List<Epoch> history, double valAccuracy,
                               String tensorsSha256) {

    public static final String FORMAT = "diredi-backbone/1";

    /**
     * The single-object images: Fashion-MNIST crops {@code [trainCropFrom, trainCropTo)} for training
     * and {@code [trainCropTo, valCropTo)} for validation (both inside the FashionScenes train pool),
     * on the train scenes' photos or procedural textures.
     */
    public record Data(String cropSource, int trainCropFrom, int trainCropTo, int valCropTo, int imagesPerEpoch,
                       long imagesSeen, int valImages, int imageSize, List<String> photos, List<String> classes) {}

    /** One epoch: mean training loss and accuracy, validation loss and top-1 accuracy, time. */
    public record Epoch(int epoch, long step, double lr, double loss, double trainAccuracy, double valLoss,
                        double valAccuracy, double seconds, double imagesPerSecond) {}
}
