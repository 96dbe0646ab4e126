package org.diredi.cli;

import org.diredi.core.stage.Stages;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Direct training of a detector on ground truth. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train an FCOS detector on a VOC-layout dataset with ground truth (no teacher).",
            "Writes DIR/last.ckpt after every epoch (resumable), DIR/model.ckpt, history.json, loss.png",
            "and, with a validation split, eval.md / eval.json."})
final class TrainCommand implements Callable<Integer> {

    @Mixin
    DataOptions data;

    @Mixin
    TrainingOptions training;

    @Option(names = "--preset", paramLabel = "NAME", description = "model preset: large, tutor, edge (cpu family) or "
            + "paper/large, paper/tutor, paper/edge, cpu/... (default: edge, or with --init the checkpoint's)")
    String preset;

    @Option(names = "--init", paramLabel = "CKPT", description = "start from these weights instead of random ones")
    Path init;

    @Override
    public Integer call() throws Exception {
        training.checkStart(init);
        TrainConfig config = training.config();
        ClassList classes = data.classes();
        ModelConfig mc = model(classes);
        VocDataset trainDs = data.load(training.split);
        VocDataset valDs = training.validation(data);
        System.out.printf("training %s on %s (%d images, %d objects)%s with %s%n", mc, trainDs.root(), trainDs.size(),
                trainDs.objectCount(), data.subset == null ? "" : " classes " + data.subset, config.summary());
        Stages.train(training.start(Stages.Stage.direct(mc.name().substring(mc.name().indexOf('/') + 1), mc, config,
                trainDs), init), classes, training.out, valDs, data.subset, training.resume);
        return 0;
    }

    /** The preset to train; with {@code --init}, the checkpoint's, which an explicit --preset must match. */
    private ModelConfig model(ClassList classes) {
        if (init == null) {
            return Presets.get(preset == null ? "edge" : preset);
        }
        Checkpoint ck = Checkpoint.read(init);
        return Stages.requireInit(ck, preset == null ? ck.manifest().model() : Presets.get(preset), classes)
                .manifest().model();
    }
}
