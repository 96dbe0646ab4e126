package org.diredi.workflow.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;

/**
 * The manufacturer's first stages on the presumed data: the large teacher (direct), Distill A (tutor)
 * and Distill B (edge model), and their comparisons, the tutor and the edge model trained directly on the
 * same data from the same start and budget. Experiments with the same presumed classes, data, budgets
 * and seed share these stages in a folder beside them (Experiment 2 reuses Experiment 1's), and so RD B
 * (tutor 1), which depends only on these models, the presumed data and the RD settings.
 */
final class ManufacturerStages {

    /**
     * The trained models and their shared folder.
     *
     * @param tutorDirect the tutor trained directly on the presumed data (Distill A's comparison)
     * @param edgeDirect  the edge model trained directly on the presumed data (Distill B's comparison)
     */
    record Models(Stages.Result large, Stages.Result tutor, Stages.Result edge, Stages.Result tutorDirect,
                  Stages.Result edgeDirect, Path sharedDir) {}

    private final ExperimentSpec spec;
    private final TrainConfig base;
    private final Backbones backbones;
    private final ClassList classes;

    ManufacturerStages(ExperimentSpec spec, TrainConfig base, Backbones backbones, ClassList classes) {
        this.spec = spec;
        this.base = base;
        this.backbones = backbones;
        this.classes = classes;
    }

    /** Runs or reuses the stages in their shared folder under {@code sharedRoot}. */
    Models run(VocDataset presumed, Path sharedRoot) throws IOException {
        ModelConfig large = ExperimentRunner.preset(spec, "large");
        ModelConfig tutor = ExperimentRunner.preset(spec, "tutor");
        ModelConfig edge = ExperimentRunner.preset(spec, "edge");
        Path shared = sharedDir(sharedRoot, large, tutor, edge);
        Stages.Result rLarge = Stages.run(Stages.Stage.direct("large", large, cfg("large"), presumed)
                .withBackbone(backbones.file(large)), classes, shared.resolve("large"));
        Stages.Result rTutor = Stages.run(Stages.Stage.direct("tutor", tutor, cfg("tutor"), presumed)
                .withBackbone(backbones.file(tutor)).distilledFrom(rLarge.checkpoint(), spec.distillation("tutor"))
                .weights(1f, spec.featureWeight("tutor")), classes, shared.resolve("tutor-distill-A"));
        Stages.Result rEdge = Stages.run(Stages.Stage.direct("edge", edge, cfg("edge"), presumed)
                .withBackbone(backbones.file(edge)).distilledFrom(rTutor.checkpoint(), spec.distillation("edge"))
                .weights(1f, spec.featureWeight("edge")), classes, shared.resolve("edge-distill-B"));
        Stages.Result rTutorDirect = Stages.run(Stages.Stage.direct("tutor", tutor, cfg("tutor"), presumed)
                .withBackbone(backbones.file(tutor)), classes, shared.resolve("tutor-direct"));
        Stages.Result rDirect = Stages.run(Stages.Stage.direct("edge", edge, cfg("edge"), presumed)
                .withBackbone(backbones.file(edge)), classes, shared.resolve("edge-direct"));
        return new Models(rLarge, rTutor, rEdge, rTutorDirect, rDirect, shared);
    }

    /**
     * RD B's folder, among these stages: named by the settings it adds to theirs (its budget, learning
     * rate, Eq. 8 weights, FGD settings and whether it matches RD A's steps), so experiments whose RD differs
     * train their own.
     */
    static Path rdBDir(Models m, ExperimentSpec spec, FgdConfig fgd) {
        String key = "rd" + spec.epochs("rd") + "/" + spec.rdLearningRate() + "/" + spec.rdAlpha() + "/"
                + spec.rdBeta() + "/" + fgd + (spec.rdEqualSteps() ? "/equalSteps" : "");
        return m.sharedDir().resolve("tutor1-rdB-" + TensorFile.sha256(key.getBytes()).substring(0, 12));
    }

    /**
     * The shared folder, beside the experiment's: named by a hash of everything these stages depend on
     * (data, family, presumed and unseen classes, budgets, training settings, customer share, Distill A and B's
     * weights, backbones, distillation settings; the training settings hold the seed), so runs that differ
     * only in later stages find them done.
     */
    Path sharedDir(Path sharedRoot, ModelConfig large, ModelConfig tutor, ModelConfig edge) throws IOException {
        String key = spec.data() + spec.family() + spec.presumed() + "without" + spec.unseen() + spec.epochs("large")
                + "/" + spec.epochs("tutor") + "/" + spec.epochs("edge") + base + spec.customerShare()
                + distillationWeightsKey()
                + backbones.identity(large) + backbones.identity(tutor) + backbones.identity(edge)
                + distillationKey();
        return sharedRoot.toAbsolutePath()
                .resolve("manufacturer-" + TensorFile.sha256(key.getBytes()).substring(0, 12));
    }

    /** Distill A's and B's loss weights: Distill C's, a later stage, leaves these folders where they are. */
    private String distillationWeightsKey() {
        Map<String, Float> weights = new TreeMap<>(spec.featureWeights());
        weights.keySet().retainAll(List.of("tutor", "edge"));
        return weights.toString();
    }

    /** Distill A's and B's settings when not the defaults (so the folders of default runs keep their names). */
    private String distillationKey() {
        FgdConfig a = spec.distillation("tutor");
        FgdConfig b = spec.distillation("edge");
        return a.equals(FgdConfig.DEFAULTS) && b.equals(FgdConfig.DEFAULTS) ? "" : a + "/" + b;
    }

    private TrainConfig cfg(String stage) {
        return base.withEpochs(spec.epochs(stage));
    }
}
