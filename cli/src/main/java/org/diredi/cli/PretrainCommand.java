package org.diredi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.core.model.Presets;
import org.diredi.core.pretrain.BackbonePretrainer;
import org.diredi.core.pretrain.PretrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Backbone pretraining: the ImageNet initialisation of FCOS, on single Fashion-MNIST objects. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrain a preset's backbone as a 10-class image classifier on single Fashion-MNIST objects",
            "rendered like FashionScenes (train crops and photos only; the last crops of the pool validate).",
            "Writes FILE (the backbone tensors under the detector's parameter names) and FILE.json (provenance,",
            "accuracy per epoch); 'diredi train/distill --backbone FILE' start a detector from it."})
final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--preset", paramLabel = "NAME", description = "model preset whose backbone to pretrain: large, "
            + "tutor, edge (cpu family) or paper/..., cpu/..., tiny/... (default: ${DEFAULT-VALUE})")
    String preset = "edge";

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "backbone file to write")
    Path out;

    @Option(names = "--epochs", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs = PretrainConfig.DEFAULTS.epochs();

    @Option(names = "--images", description = "training images per epoch, freshly rendered each epoch "
            + "(default: ${DEFAULT-VALUE})")
    int images = PretrainConfig.DEFAULTS.images();

    @Option(names = "--batch", description = "images per step (default: ${DEFAULT-VALUE})")
    int batch = PretrainConfig.DEFAULTS.batchSize();

    @Option(names = "--lr", description = "AdamW peak learning rate (default: ${DEFAULT-VALUE})")
    float lr = PretrainConfig.DEFAULTS.lr();

    @Option(names = "--seed", description = "seed of weights, images and augmentation (default: ${DEFAULT-VALUE})")
    long seed = PretrainConfig.DEFAULTS.seed();

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        PretrainConfig c = PretrainConfig.DEFAULTS.withEpochs(epochs).withBatchSize(batch).withImages(images)
                .withLearningRate(lr).withSeed(seed);
        new BackbonePretrainer(Presets.get(preset), c, device.device(), System.out).run(out);
        return 0;
    }
}
