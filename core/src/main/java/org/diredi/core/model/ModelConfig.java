package org.diredi.core.model;

import java.util.Arrays;

/**
 * Architecture of one FCOS detector: backbone, FPN neck (P3-P5, strides 8/16/32) and head. Read
 * from and written to checkpoint manifests, so a checkpoint always says what it holds.
 *
 * @param name            preset name, e.g. {@code cpu/edge}
 * @param backbone        {@code resnet} (bottleneck ResNet) or {@code mobilenetv2}
 * @param resnetDepths    bottleneck blocks per stage (ResNet-50: 3,4,6,3; ResNet-101: 3,4,23,3)
 * @param resnetWidth     stem and first-stage width (64 in the ResNet paper)
 * @param mobilenetWidth  MobileNetV2 width multiplier
 * @param mobilenetDepth  multiplier on MobileNetV2's block repeats (1.0 = the published network)
 * @param fpnChannels     channels of every FPN level and of the head towers
 * @param headConvs       3x3 conv + GroupNorm + ReLU layers per head tower (4 in FCOS)
 * @param gnGroups        GroupNorm groups in the head towers (32 in FCOS); 0 = batch-norm towers, one
 *                        per level (folds into the convs: the int8 sensor variant, see FcosHead)
 * @param inputSize       square model input in pixels
 */
public record ModelConfig(
        String name,
        String backbone,
        int[] resnetDepths,
        int resnetWidth,
        float mobilenetWidth,
        float mobilenetDepth,
        int fpnChannels,
        int headConvs,
        int gnGroups,
        int inputSize) {

    public static final int[] STRIDES = {8, 16, 32};

    public ModelConfig {
        if (!backbone.equals("resnet") && !backbone.equals("mobilenetv2")) {
            throw new IllegalArgumentException(
                    "model " + name + ": backbone must be 'resnet' or 'mobilenetv2', got '" + backbone + "'");
        }
        if (backbone.equals("resnet") && (resnetDepths == null || resnetDepths.length != 4
                || Arrays.stream(resnetDepths).anyMatch(d -> d < 1) || resnetWidth < 8)) {
            throw new IllegalArgumentException(
                    "model " + name + ": resnet needs 4 stage depths >= 1 and width >= 8");
        }
        if (backbone.equals("mobilenetv2") && (mobilenetWidth <= 0 || mobilenetDepth <= 0)) {
            throw new IllegalArgumentException("model " + name + ": mobilenet width and depth must be > 0");
        }
        if (gnGroups < 0 || gnGroups > 0 && fpnChannels % gnGroups != 0) {
            throw new IllegalArgumentException("model " + name + ": fpnChannels " + fpnChannels
                    + " is not a multiple of gnGroups " + gnGroups);
        }
        if (inputSize % 32 != 0 || inputSize < 64) {
            throw new IllegalArgumentException(
                    "model " + name + ": inputSize must be a multiple of 32 and >= 64, got " + inputSize);
        }
        if (headConvs < 0) {
            throw new IllegalArgumentException("model " + name + ": headConvs must be >= 0");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelConfig m && name.equals(m.name) && backbone.equals(m.backbone)
                && Arrays.equals(resnetDepths, m.resnetDepths) && resnetWidth == m.resnetWidth
                && mobilenetWidth == m.mobilenetWidth && mobilenetDepth == m.mobilenetDepth
                && fpnChannels == m.fpnChannels && headConvs == m.headConvs && gnGroups == m.gnGroups
                && inputSize == m.inputSize;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(resnetDepths) + fpnChannels;
    }

    @Override
    public String toString() {
        return name + "(" + (backbone.equals("resnet")
                ? "resnet " + Arrays.toString(resnetDepths) + " w" + resnetWidth
                : "mobilenetv2 x" + mobilenetWidth + " d" + mobilenetDepth)
                + ", fpn " + fpnChannels + ", head " + headConvs + "x " + (gnGroups > 0 ? "gn" + gnGroups : "bn per level") + ", input " + inputSize + ")";
    }
}
