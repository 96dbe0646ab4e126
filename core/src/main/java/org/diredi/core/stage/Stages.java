package org.diredi.core.stage;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.distill.DistillationObjective;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.engine.Devices;
import org.diredi.core.eval.Predictor;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.pretrain.BackboneFile;
import org.diredi.core.provenance.DataHashes;
import org.diredi.core.provenance.Provenance;
import org.diredi.core.train.DetectionObjective;
import org.diredi.core.train.DetectionSet;
import org.diredi.core.train.DetectorTrainer;
import org.diredi.core.train.Objective;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.io.AtomicFiles;

/**
 * Training stages of benchmarks, experiments, the on-prem trainer and the cloud, each cached in its own folder: a finished stage
 * (model.ckpt) is reused, an interrupted one resumes from last.ckpt.
 */
public final class Stages {

    /**
     * One stage: train {@code model} on {@code data}, directly (no teacher) or by distillation from
     * {@code teacher} with loss {@code gtWeight * L_det + featureWeight * L_distill}, the method that
     * {@code fgd} names ({@link FgdConfig#distillation()}, FGD unless set otherwise), from {@code init}
     * weights, or from random ones with the backbone from a pretrained {@code backbone} file
     * ({@link BackboneFile}; ignored when {@code init} is given, which holds a whole model). With
     * {@code frozenBackbone} only the neck and head train ({@link FcosDetector#freezeBackbone}).
     */
    public record Stage(String role, ModelConfig model, TrainConfig train, VocDataset data, Path teacher, Path init,
                 float gtWeight, float featureWeight, FgdConfig fgd, Path backbone, boolean frozenBackbone) {

        public static Stage direct(String role, ModelConfig model, TrainConfig train, VocDataset data) {
            return new Stage(role, model, train, data, null, null, 1f, 0f, FgdConfig.DEFAULTS, null, false);
        }

        /** Distils from {@code teacherCkpt} by the method and settings of {@code config}. */
        public Stage distilledFrom(Path teacherCkpt, FgdConfig config) {
            return new Stage(role, model, train, data, teacherCkpt, init, gtWeight, 1f, config, backbone,
                    frozenBackbone);
        }

        /** Distils by the method {@code method} names ({@link org.diredi.core.distill.Distillations}). */
        public Stage withDistillation(String method) {
            return new Stage(role, model, train, data, teacher, init, gtWeight, featureWeight,
                    fgd.withDistillation(method), backbone, frozenBackbone);
        }

        public Stage from(Path initCkpt) {
            return new Stage(role, model, train, data, teacher, initCkpt, gtWeight, featureWeight, fgd, backbone,
                    frozenBackbone);
        }

        public Stage weights(float gt, float feature) {
            return new Stage(role, model, train, data, teacher, init, gt, feature, fgd, backbone, frozenBackbone);
        }

        /** Starts the backbone from a pretrained backbone file (null: random) when there is no {@code init}. */
        public Stage withBackbone(Path backboneFile) {
            return new Stage(role, model, train, data, teacher, init, gtWeight, featureWeight, fgd, backboneFile,
                    frozenBackbone);
        }

        /** Trains only the neck and head when {@code frozen}, leaving the backbone as {@code init} had it. */
        public Stage freezingBackbone(boolean frozen) {
            return new Stage(role, model, train, data, teacher, init, gtWeight, featureWeight, fgd, backbone, frozen);
        }

        /** The same stage with other training settings. */
        public Stage training(TrainConfig newTrain) {
            return new Stage(role, model, newTrain, data, teacher, init, gtWeight, featureWeight, fgd, backbone,
                    frozenBackbone);
        }

        /** The same stage on other data (RD B: tutor 2's stage on the presumed data alone). */
        public Stage on(String newRole, VocDataset newData) {
            return new Stage(newRole, model, train, newData, teacher, init, gtWeight, featureWeight, fgd, backbone,
                    frozenBackbone);
        }
    }

    /** A stage's trained model and what it took. */
    public record Result(Path checkpoint, long params, double gflopsPerImage, List<DetectorTrainer.EpochRecord> history) {

        public double seconds() {
            return history.stream().mapToDouble(DetectorTrainer.EpochRecord::seconds).sum();
        }
    }

    private Stages() {}

    /** Runs a stage in {@code dir} unless it finished before (then reuses it); resumes an interrupted one. */
    public static Result run(Stage s, ClassList classes, Path dir) throws IOException {
        Path done = dir.resolve("model.ckpt");
        if (Files.exists(done)) {
            Checkpoint.read(done).requireCompatible(s.model(), classes);
            System.out.println("stage " + dir + " is done: reusing " + done);
            try (NDManager manager = NDManager.newBaseManager(device(s))) {
                FcosDetector model = new FcosDetector(s.model(), classes).init(manager);
                return new Result(done, model.parameterCount(), model.flopsPerImage(manager) / 1e9,
                        DetectorTrainer.readHistory(dir));
            }
        }
        List<String> labelled = labelledClasses(s.data());
        return train(s, classes, dir, null, labelled.size() < classes.size() ? labelled : null,
                Files.exists(dir.resolve("last.ckpt")));
    }

    /**
     * Trains a stage: the model from {@code init} or random weights (the backbone perhaps pretrained:
     * the manifest's parent then names the backbone file, relation {@code backbone}), the FCOS loss,
     * plus the stage's distillation method (FGD by default) from a frozen {@code teacher} when it has one;
     * validation on {@code val} when given.
     *
     * @param subset the class subset to record in the manifest, or null
     * @param resume continue from {@code dir/last.ckpt}
     */
    public static Result train(Stage s, ClassList classes, Path dir, VocDataset val, List<String> subset, boolean resume)
            throws IOException {
        seed(s.train().seed());
        try (NDManager manager = NDManager.newBaseManager(device(s))) {
            FcosDetector model = new FcosDetector(s.model(), classes).init(manager);
            long flops = model.flopsPerImage(manager);
            Manifest.Reference initRef = null;
            List<Provenance.Parent> parents = new ArrayList<>();
            if (s.init() != null) {
                Checkpoint ick = requireInit(Checkpoint.read(s.init()), s.model(), classes);
                ModelWeights.restore(model, ick.weights(), true, s.init().toString());
                initRef = new Manifest.Reference(ick.manifest().id(), s.init().toString(), "init");
                parents.add(ick.manifest().asParent("start"));
            } else if (s.backbone() != null) {
                initRef = BackboneFile.restore(model, s.backbone());
                parents.add(new Provenance.Parent("pretrained backbone", initRef.id(), null, null));
                System.out.printf("backbone from %s (id %s)%n", s.backbone(), initRef.id());
            }
            DetectionObjective det = new DetectionObjective(
                    new FcosLoss.Config(s.train().focalAlpha(), s.train().focalGamma(), 1, 1, 1), s.gtWeight());
            Objective objective = det;
            Manifest.Reference teacherRef = null;
            if (s.teacher() != null) {
                Checkpoint tck = Checkpoint.read(s.teacher()).requireCompatible(null, classes);
                DistillationObjective d = new DistillationObjective(tck.toModel(manager), model, manager, s.fgd(),
                        det, s.featureWeight());
                if (s.fgd().inherit()) {
                    System.out.printf("inherited %d neck and head tensors from the teacher%n", d.inherited().size());
                }
                objective = d;
                teacherRef = new Manifest.Reference(tck.manifest().id(), s.teacher().toString(), "teacher");
                parents.add(tck.manifest().asParent("teacher"));
            }
            int size = s.model().inputSize();
            if (s.frozenBackbone()) {
                model.freezeBackbone();
                System.out.println("backbone frozen: training the neck and head only");
            }
            DetectorTrainer.Result r = new DetectorTrainer(model, manager, s.train(), objective, System.out)
                    .trainOnly(s.frozenBackbone() ? FcosDetector::isNeckOrHead : n -> true).run(
                    DetectionSet.load(s.data(), size), val == null ? null : DetectionSet.load(val, size),
                    new DetectorTrainer.RunInfo(dir, s.role(), dataInfo(s.data(), subset), initRef, teacherRef,
                            provenance(s, classes, parents)), resume);
            System.out.printf("wrote %s (id %s%s)%n", r.model(), r.manifest().id(),
                    teacherRef == null ? "" : ", teacher " + teacherRef.id());
            if (r.eval() != null) {
                System.out.println(r.eval().toMarkdown());
            }
            return new Result(r.model(), model.parameterCount(), flops / 1e9, r.history());
        }
    }

    /**
     * Refuses a checkpoint to start a stage from when it holds another architecture than the stage
     * trains (naming both: training one preset from another's weights would quietly train the
     * checkpoint's architecture, or fail on the first tensor) or another class list.
     *
     * @return {@code init}, for chaining
     */
    public static Checkpoint requireInit(Checkpoint init, ModelConfig model, ClassList classes) {
        ModelConfig held = init.manifest().model();
        if (!held.equals(model)) {
            throw new Checkpoint.CheckpointException(init.file() + ": the checkpoint to start from holds preset "
                    + held + ", but the preset to train is " + model + "; start from a " + model.name()
                    + " checkpoint, or train " + held.name());
        }
        return init.requireCompatible(null, classes);
    }

    /** {@link #evaluate(Path, VocDataset, Path, Device)} on the default device ({@link Devices#CPU}). */
    public static EvalResult evaluate(Path checkpoint, VocDataset test, Path reportDir) throws IOException {
        return evaluate(checkpoint, test, reportDir, Devices.require(Devices.CPU, "device"));
    }

    /**
     * Evaluates a checkpoint on {@code test} (only the classes with objects there count) on {@code device}
     * and saves the table.
     */
    public static EvalResult evaluate(Path checkpoint, VocDataset test, Path reportDir, Device device)
            throws IOException {
        return evaluate(checkpoint, test, reportDir, device, EvalConfig.DEFAULT);
    }

    /** {@link #evaluate(Path, VocDataset, Path, Device)} with other settings (the gate's score threshold). */
    public static EvalResult evaluate(Path checkpoint, VocDataset test, Path reportDir, Device device,
                                      EvalConfig config) throws IOException {
        Checkpoint ck = Checkpoint.read(checkpoint);
        try (NDManager manager = NDManager.newBaseManager(device)) {
            FcosDetector model = ck.toModel(manager);
            EvalResult ev = new Predictor(model, manager, FcosDecoder.Config.EVAL)
                    .evaluate(DetectionSet.load(test, model.config().inputSize()), config);
            if (reportDir != null) {
                Files.createDirectories(reportDir);
                AtomicFiles.writeString(reportDir.resolve("test-eval.md"), ev.toMarkdown());
            }
            return ev;
        }
    }

    /** Images loaded at a time by {@link #detect}: the decoded images of a whole training split need not fit. */
    private static final int DETECT_CHUNK = 64;

    /**
     * A checkpoint's detections on every image of {@code data}, by image id, decoded with {@code decode}; for
     * callers that need the detections themselves (pseudo-labels, the gate's firing count) or judge them more
     * than one way, so that the model runs over the images once.
     */
    public static Map<String, List<org.diredi.vision.box.Detection>> detect(Path checkpoint, VocDataset data,
                                                                         Device device, FcosDecoder.Config decode) {
        Checkpoint ck = Checkpoint.read(checkpoint);
        Map<String, List<org.diredi.vision.box.Detection>> out = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            FcosDetector model = ck.toModel(manager);
            Predictor p = new Predictor(model, manager, decode);
            for (int from = 0; from < data.size(); from += DETECT_CHUNK) {
                List<org.diredi.vision.data.VocImage> part = data.images().subList(from,
                        Math.min(data.size(), from + DETECT_CHUNK));
                out.putAll(p.predict(DetectionSet.load(VocDataset.of(data.root(), data.split(), data.classes(), part),
                        model.config().inputSize()), 16));
            }
        }
        return out;
    }

    /**
     * The classes with at least one object in {@code data}, in class-list order: the subset a stage's
     * manifest records (the cloud's gate and Distill C read a tutor's classes from it).
     */
    public static List<String> labelledClasses(VocDataset data) {
        boolean[] seen = new boolean[data.classes().size()];
        data.images().forEach(i -> i.objects().forEach(o -> seen[o.classId()] = true));
        List<String> out = new java.util.ArrayList<>();
        for (int c = 0; c < seen.length; c++) {
            if (seen[c]) {
                out.add(data.classes().name(c));
            }
        }
        return out;
    }

    /** The device the stage's training settings name, refused at once when libtorch does not have it. */
    private static Device device(Stage s) {
        return Devices.require(s.train().device(), "device");
    }

    /** Seeds libtorch so initial weights are reproducible. */
    public static void seed(long seed) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
    }

    /**
     * A stage's provenance: the hashes of its split and class list, how it learnt (distillation method and
     * loss weights when it has a teacher, a frozen backbone) and its parents (start, teacher, backbone).
     */
    private static Provenance provenance(Stage s, ClassList classes, List<Provenance.Parent> parents) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (s.teacher() != null) {
            settings.put("distillation", String.valueOf(s.fgd().distillation()));
            settings.put("gtWeight", Float.toString(s.gtWeight()));
            settings.put("featureWeight", Float.toString(s.featureWeight()));
        }
        if (s.frozenBackbone()) {
            settings.put("frozenBackbone", "true");
        }
        return Provenance.of("checkpoint", s.role(), DataHashes.of(s.data(), classes), settings, parents);
    }

    /** What a checkpoint's manifest records of its training data (counts, never the images). */
    public static Manifest.DataInfo dataInfo(VocDataset ds, List<String> subset) {
        return new Manifest.DataInfo(ds.root().toAbsolutePath().toString(), ds.split(), subset, ds.size(),
                ds.objectCount());
    }
}
