package org.diredi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.DataException;
import org.diredi.vision.data.DatasetFormat;
import org.diredi.vision.data.Datasets;
import org.diredi.vision.data.VocDataset;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by every command that trains (train, distill): settings, device, splits, run folder. */
final class TrainingOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "training settings (YAML or JSON) over the defaults")
    Path configFile;

    @Option(names = "--epochs", description = "override the number of epochs")
    Integer epochs;

    @Option(names = "--seed", description = "override the seed")
    Long seed;

    @Option(names = "--split", description = "training split (default: ${DEFAULT-VALUE})")
    String split = "train";

    @Option(names = "--val-split", description = "validation split, or 'none' (default: ${DEFAULT-VALUE})")
    String valSplit = "val";

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run directory")
    Path out;

    @Option(names = "--resume", description = "continue the run in --out from its last checkpoint")
    boolean resume;

    @Option(names = "--backbone", paramLabel = "FILE", description = "start the backbone from a pretrained one "
            + "('diredi pretrain'), neck and head from random weights; not with --init")
    Path backbone;

    @Mixin
    DeviceOption device;

    /**
     * The training settings: the file over the defaults, then the command-line overrides; refused at once
     * when their device is not here.
     */
    TrainConfig config() {
        TrainConfig c = TrainConfig.load(configFile);
        if (epochs != null) {
            c = c.withEpochs(epochs);
        }
        if (seed != null) {
            c = c.withSeed(seed);
        }
        return device.over(c, configFile);
    }

    /** Refuses {@code --init} together with {@code --backbone}; call before reading either file. */
    void checkStart(Path init) {
        if (init != null && backbone != null) {
            throw new IllegalArgumentException("--init and --backbone exclude each other: the --init checkpoint "
                    + "already holds a whole model, backbone included");
        }
    }

    /** The stage starting from {@code init} (a whole model) or else from the pretrained backbone, if any. */
    Stages.Stage start(Stages.Stage stage, Path init) {
        checkStart(init);
        return stage.from(init).withBackbone(backbone);
    }

    /** The validation split, or null for 'none'; a missing split file says how to go without one. */
    VocDataset validation(DataOptions data) {
        if ("none".equals(valSplit)) {
            return null;
        }
        if (Files.exists(data.root) && !Datasets.hasSplit(data.root, valSplit)) {
            boolean voc = Datasets.detect(data.root) == DatasetFormat.VOC; // VOC: the missing split file says which
            throw new DataException(voc ? VocDataset.splitFile(data.root, valSplit) : data.root, "validation split "
                    + (voc ? "" : "'" + valSplit + "' ") + "not found: --val-split none trains without validation, "
                    + "--val-split NAME validates on another split");
        }
        return data.load(valSplit);
    }
}
