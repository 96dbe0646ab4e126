package org.diredi.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.function.Supplier;

/**
 * Architecture of one FCOS detector: backbone, FPN neck (P3-P5, strides 8/16/32) and head. Read
 * from and written to checkpoint manifests, so a checkpoint always says what it holds. Made by
 * name, like a row of the paper's table: {@code fcos("cpu/tutor").resnet(1, 2, 3, 1).width(32)
 * .fpn(96).headConvs(3).groupNorm(16).input(160)}.
 *
 * @param name        preset name, e.g. {@code cpu/edge}
 * @param backbone    the backbone: {@link ResNetConfig} or {@link MobileNetV2Config}
 * @param fpnChannels channels of every FPN level and of the head towers
 * @param headConvs   3x3 conv + GroupNorm + ReLU layers per head tower (4 in FCOS)
 * @param gnGroups    GroupNorm groups in the head towers (32 in FCOS); 0 = batch-norm towers, one
 *                    per level (folds into the convs: the int8 sensor variant, see FcosHead)
 * @param inputSize   square model input in pixels
 */
public record ModelConfig(
        String name,
        BackboneConfig backbone,
        int fpnChannels,
        int headConvs,
        int gnGroups,
        int inputSize) {

    public static final int[] STRIDES = {8, 16, 32};

    public ModelConfig {
        if (backbone == null) {
            throw new IllegalArgumentException("model " + name + ": no backbone");
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

    /** A model named {@code name}, FCOS's neck and head (256-channel FPN, 4 convs, GroupNorm 32) until set. */
    public static Builder fcos(String name) {
        return new Builder(name);
    }

    /** As in reports and the preset table: {@code cpu/edge(mobilenetv2 x0.5 d0.5, fpn 48, head 2x gn16, input 160)}. */
    @Override
    public String toString() {
        return name + "(" + backbone + ", fpn " + fpnChannels + ", head " + headConvs + "x "
                + (gnGroups > 0 ? "gn" + gnGroups : "bn per level") + ", input " + inputSize + ")";
    }

    /** The manifest form (one flat object, the fields of every kind; see {@link Stored}). */
    @JsonValue
    Stored stored() {
        return Stored.of(this);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ModelConfig fromStored(Stored s) {
        return s.toConfig();
    }

    /** {@code make}'s backbone, its complaint prefixed with the model's name. */
    private static BackboneConfig backboneOf(String name, Supplier<BackboneConfig> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * A model config as checkpoint and backbone manifests store it: the backbone kind by name and the
     * fields of every kind (zero or null where another kind is used). Kept flat so that files written
     * before the typed backbone configs still load, and new files read the same.
     */
    record Stored(
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

        static Stored of(ModelConfig c) {
            int[] depths = null;
            int resnetWidth = 0;
            float mobilenetWidth = 0;
            float mobilenetDepth = 0;
            if (c.backbone() instanceof ResNetConfig r) {
                depths = r.depths();
                resnetWidth = r.width();
            } else if (c.backbone() instanceof MobileNetV2Config m) {
                mobilenetWidth = m.width();
                mobilenetDepth = m.depth();
            }
            return new Stored(c.name(), c.backbone().kind(), depths, resnetWidth, mobilenetWidth, mobilenetDepth,
                    c.fpnChannels(), c.headConvs(), c.gnGroups(), c.inputSize());
        }

        ModelConfig toConfig() {
            BackboneConfig b = backboneOf(name, () -> {
                if (ResNetConfig.KIND.equals(backbone)) {
                    return new ResNetConfig(resnetDepths, resnetWidth);
                }
                if (MobileNetV2Config.KIND.equals(backbone)) {
                    return new MobileNetV2Config(mobilenetWidth, mobilenetDepth);
                }
                throw new IllegalArgumentException("backbone must be '" + ResNetConfig.KIND + "' or '"
                        + MobileNetV2Config.KIND + "', got '" + backbone + "'");
            });
            return new ModelConfig(name, b, fpnChannels, headConvs, gnGroups, inputSize);
        }
    }

    /** Named construction; {@link #input} is the last column and returns the config. */
    public static final class Builder {
        private final String name;
        private BackboneConfig backbone;
        private int fpnChannels = 256;
        private int headConvs = 4;
        private int gnGroups = 32;

        private Builder(String name) {
            this.name = name;
        }

        public Builder backbone(BackboneConfig b) {
            this.backbone = b;
            return this;
        }

        /** A bottleneck ResNet with these blocks per stage; stem width as in the ResNet paper until {@link #width}. */
        public Builder resnet(int... depths) {
            return backbone(backboneOf(name, () -> new ResNetConfig(depths, ResNetConfig.PAPER_WIDTH)));
        }

        /** The ResNet's stem and first-stage width. */
        public Builder width(int stemWidth) {
            if (!(backbone instanceof ResNetConfig r)) {
                throw new IllegalStateException("model " + name + ": width(int) is a ResNet's; call resnet(...) first");
            }
            return backbone(backboneOf(name, () -> r.withWidth(stemWidth)));
        }

        /** A MobileNetV2 with this width multiplier, depth multiplier 1 until {@link #depth}. */
        public Builder mobileNetV2(float width) {
            return backbone(backboneOf(name, () -> new MobileNetV2Config(width, 1.0f)));
        }

        /** The MobileNetV2's multiplier on its block repeats. */
        public Builder depth(float multiplier) {
            if (!(backbone instanceof MobileNetV2Config m)) {
                throw new IllegalStateException("model " + name + ": depth(float) is a MobileNetV2's; call "
                        + "mobileNetV2(...) first");
            }
            return backbone(backboneOf(name, () -> m.withDepth(multiplier)));
        }

        public Builder fpn(int channels) {
            this.fpnChannels = channels;
            return this;
        }

        public Builder headConvs(int convs) {
            this.headConvs = convs;
            return this;
        }

        /** GroupNorm head towers shared by the levels, as in FCOS. */
        public Builder groupNorm(int groups) {
            this.gnGroups = groups;
            return this;
        }

        /** Batch-norm head towers, one per level (gnGroups 0): they fold into the convs for int8 sensors. */
        public Builder batchNormPerLevel() {
            this.gnGroups = 0;
            return this;
        }

        /** The square input size; completes the config. */
        public ModelConfig input(int size) {
            return new ModelConfig(name, backbone, fpnChannels, headConvs, gnGroups, size);
        }
    }
}
