package org.diredi.cloud.update;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.gate.Firing;
import org.diredi.vision.box.Detection;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.cloud.WeightSubstitution;
import org.diredi.core.delta.CustomerFigures;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.eval.ClassBiasCalibration;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.engine.Devices;
import org.diredi.core.gate.GateDecision;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.gate.VerificationGate;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.eval.VocEvaluator;
import org.diredi.vision.io.AtomicFiles;

/**
 * The manufacturer's side of one update (paper steps 7-8), shared by the cloud service and the experiments: Eq. 10
 * weight substitution (its lambda searched when the settings say so), the verification gate on the manufacturer's
 * validation data, then Distill C from the updated tutor into the edge model on the manufacturer's own data. Each
 * step writes where {@link Layout} says and is reused when it finished before, so an interrupted update resumes.
 */
public final class ManufacturerUpdate {

    /** What follows a rejected gate: the service stops there; an experiment measures Distill C anyway. */
    public enum WhenRejected { STOP, DISTILL_ANYWAY }

    /**
     * @param lambda       Eq. 10: {@code W_new = W_tutor + lambda * dW}
     * @param gate         the verification gate's policy
     * @param distillC     the Distill C stage
     * @param whenRejected whether Distill C runs after a rejected gate
     * @param calibration  what is done to the updated tutor's scores before the gate ({@link Calibration})
     * @param addedClassKnowledge what the manufacturer's data knows of the added classes: with {@code LABELS}
     *                     (null) its labels judge them; otherwise the delta's signed customer figures judge their
     *                     gain and the updated tutor's firing rate on the manufacturer's images is checked
     * @param lambdaSearch  Eq. 10's lambda chosen from a grid on the manufacturer's training images instead of
     *                     {@code lambda} ({@link LambdaSearch}; null: {@link LambdaSearch#OFF})
     */
    public record Settings(double lambda, GatePolicy gate, DistillC distillC, WhenRejected whenRejected,
                           Calibration calibration, AddedClassKnowledge addedClassKnowledge,
                           LambdaSearch lambdaSearch) {

        public Settings {
            calibration = calibration == null ? Calibration.NONE : calibration;
            addedClassKnowledge = addedClassKnowledge == null ? AddedClassKnowledge.LABELS : addedClassKnowledge;
            lambdaSearch = lambdaSearch == null ? LambdaSearch.OFF : lambdaSearch;
            LambdaSearch.requireLabels(lambdaSearch, addedClassKnowledge);
        }

        /** Eq. 10 at {@code lambda}, no search. */
        public Settings(double lambda, GatePolicy gate, DistillC distillC, WhenRejected whenRejected,
                        Calibration calibration, AddedClassKnowledge addedClassKnowledge) {
            this(lambda, gate, distillC, whenRejected, calibration, addedClassKnowledge, LambdaSearch.OFF);
        }

        /** The manufacturer labels the added classes (the paper's setup). */
        public Settings(double lambda, GatePolicy gate, DistillC distillC, WhenRejected whenRejected,
                        Calibration calibration) {
            this(lambda, gate, distillC, whenRejected, calibration, AddedClassKnowledge.LABELS);
        }

        /** Without calibration: the updated tutor is Eq. 10's result as it is. */
        public Settings(double lambda, GatePolicy gate, DistillC distillC, WhenRejected whenRejected) {
            this(lambda, gate, distillC, whenRejected, Calibration.NONE);
        }

        /** Where the whole update runs, the gate's evaluations included: Distill C's training device. */
        public Device device() {
            return Devices.require(distillC.train().device(), "device");
        }
    }

    /**
     * Distill C: updated tutor -> edge model by FGD, from the current edge weights.
     *
     * @param train         epochs, batch and the rest of the training settings
     * @param temperature   FGD temperature (the paper's Distill C uses 1.5)
     * @param featureWeight weight of the FGD loss against the detection loss
     * @param settings      the distillation method and its settings ({@link FgdConfig#DEFAULTS}: FGD)
     * @param pseudoLabels  how the updated tutor labels the added classes when the manufacturer's data does not
     *                      ({@link PseudoLabels}; null: {@link PseudoLabels.Settings#DEFAULTS})
     */
    public record DistillC(TrainConfig train, float temperature, float featureWeight, FgdConfig settings,
                           PseudoLabels.Settings pseudoLabels) {

        public DistillC {
            pseudoLabels = pseudoLabels == null ? PseudoLabels.Settings.DEFAULTS : pseudoLabels;
        }

        /** With {@link PseudoLabels.Settings#DEFAULTS}. */
        public DistillC(TrainConfig train, float temperature, float featureWeight, FgdConfig settings) {
            this(train, temperature, featureWeight, settings, PseudoLabels.Settings.DEFAULTS);
        }

        /** With {@link FgdConfig#DEFAULTS}: FGD. */
        public DistillC(TrainConfig train, float temperature, float featureWeight) {
            this(train, temperature, featureWeight, FgdConfig.DEFAULTS);
        }

        /** {@link #settings} (the method and its settings) at this stage's FGD temperature. */
        public FgdConfig fgd() {
            return settings.withTemperature(temperature);
        }
    }

    /**
     * What one update starts from.
     *
     * @param tutor     the tutor the customer's delta was made against
     * @param edge      the edge model the customer's cameras run now (Distill C starts from it)
     * @param edgeModel the edge model's architecture
     * @param delta     the customer's knowledge delta (Eq. 9)
     */
    public record Inputs(Path tutor, Path edge, ModelConfig edgeModel, KnowledgeDelta delta) {}

    /**
     * The manufacturer's own data, never the customer's, as {@link #of} builds it from what the manufacturer
     * knows of the added classes.
     *
     * @param validation    the gate's split (restricted here to the gated classes)
     * @param train         Distill C's and calibration's images (restricted here to {@code updateClasses})
     * @param updateClasses the classes the update covers: the tutor's, without the removed, plus the added
     * @param knowledge     what these splits know of the added classes; not {@link AddedClassKnowledge#LABELS}:
     *                      Distill C labels them by {@link PseudoLabels}
     */
    public record OwnData(VocDataset validation, VocDataset train, List<String> updateClasses,
                          AddedClassKnowledge knowledge) {

        public OwnData {
            knowledge = knowledge == null ? AddedClassKnowledge.LABELS : knowledge;
        }

        /** Splits that label every class they show ({@link AddedClassKnowledge#LABELS}). */
        public OwnData(VocDataset validation, VocDataset train, List<String> updateClasses) {
            this(validation, train, updateClasses, AddedClassKnowledge.LABELS);
        }

        /**
         * The one place the manufacturer's data for an update is made: both splits as {@code knowledge} leaves
         * them ({@link AddedClassKnowledge#apply}: every manufacturer-side stage, the gate, calibration, Distill
         * C and an experiment's direct-training baseline, sees them so).
         */
        public static OwnData of(VocDataset validation, VocDataset train, List<String> updateClasses,
                                 List<String> added, AddedClassKnowledge knowledge) {
            return new OwnData(knowledge.apply(validation, added), knowledge.apply(train, added), updateClasses,
                    knowledge);
        }

        /** The training split labelled with the update's classes: Distill C's and direct training's images. */
        public VocDataset updateTrain() {
            return train.restrictTo(updateClasses);
        }
    }

    /** Where the steps write: the updated tutor's checkpoint, gate.md / gate.json, Distill C's stage folder. */
    public record Layout(Path updatedTutor, Path gateDir, Path distillCDir) {}

    /**
     * The updated tutor, the gate's evidence and verdict, Distill C's stage (null when not distilled), the pseudo-labels
     * Distill C drew per added class (empty when the manufacturer labels them or none were drawn), the edge model the
     * cameras get (Distill C's, calibrated for them when the settings calibrate) and the images Distill C learnt from.
     */
    public record Result(Path updatedTutor, Verification verification, Stages.Result distillC,
                         Map<String, Integer> pseudoLabels, Path edge, VocDataset distilledOn) {

        public Result {
            pseudoLabels = pseudoLabels == null ? Map.of() : Map.copyOf(pseudoLabels);
            edge = edge == null && distillC != null ? distillC.checkpoint() : edge;
        }

        /** Stopped at the gate: nothing distilled. */
        public Result(Path updatedTutor, Verification verification) {
            this(updatedTutor, verification, null, Map.of(), null, null);
        }

        public GateDecision gate() {
            return verification.decision();
        }
    }

    /** Told after each step (the service audits, an experiment prints). */
    public interface Listener {
        Listener NONE = new Listener() {};

        default void applied(Path updatedTutor) {}

        default void verified(Verification verification) {}
    }

    private final Settings settings;
    private final Listener listener;

    public ManufacturerUpdate(Settings settings, Listener listener) {
        this.settings = settings;
        this.listener = listener;
    }

    /**
     * Eq. 10, the calibration if the settings ask for one, the gate, then Distill C unless the gate rejected
     * and {@link WhenRejected#STOP} applies.
     */
    public Result run(Inputs in, OwnData data, Layout out) throws IOException {
        Path updated = settings.calibration() == Calibration.NONE ? substitute(in, data, out.updatedTutor())
                : calibrate(substitute(in, data, out.updatedTutor().resolveSibling("eq10.ckpt")), in, data,
                        out.updatedTutor());
        listener.applied(updated);
        Verification v = verify(in, updated, data, out.gateDir());
        listener.verified(v);
        if (!v.decision().accepted() && settings.whenRejected() == WhenRejected.STOP) {
            return new Result(updated, v);
        }
        VocDataset distilledOn = distillCData(in, updated, data, out.distillCDir());
        Stages.Result edge = distillC(in, updated, distilledOn, out.distillCDir());
        // the cameras get the edge model calibrated for their threshold on the images it learnt from (the manufacturer's
        // labels, and the pseudo-labels of an added class it cannot label): the same shift the tutor took for the gate
        Path shipped = settings.calibration() == Calibration.NONE ? edge.checkpoint()
                : ClassBiasCalibration.forCameras(edge.checkpoint(), distilledOn, settings.gate().scoreThreshold(),
                        settings.device(), out.distillCDir().resolve("calibrated.ckpt"));
        return new Result(updated, v, edge, data.knowledge() == AddedClassKnowledge.LABELS ? Map.of()
                : PseudoLabels.drawnPerClass(out.distillCDir()), shipped, distilledOn);
    }

    /**
     * Eq. 10 (through {@link WeightSubstitution}, which refuses a delta made against another tutor or
     * with other names / shapes) at the settings' lambda, or at the one {@link LambdaSearch} chooses on the training
     * images of the classes the manufacturer labels (its lambda.json beside the tutor); an updated tutor written
     * before is kept.
     */
    public Path substitute(Inputs in, OwnData data, Path updatedTutor) throws IOException {
        if (!Files.exists(updatedTutor)) {
            double lambda = settings.lambda();
            if (settings.lambdaSearch().enabled()) {
                // the kept and added classes, and a removed class the gate protects: what the gate will hold it to
                List<String> judged = new ArrayList<>(labelledClasses(in, data));
                in.delta().manifest().classesRemoved().stream()
                        .filter(c -> settings.gate().protectedClasses().containsKey(c) && !judged.contains(c))
                        .forEach(judged::add);
                lambda = settings.lambdaSearch().choose(in.tutor(), in.delta(), data.train(), judged,
                        settings.device(), updatedTutor.toAbsolutePath().getParent()).lambda();
            }
            WeightSubstitution.apply(in.tutor(), in.delta(), lambda, updatedTutor);
        }
        return updatedTutor;
    }

    /** The update's classes the manufacturer's own data labels: all of them, or all but the added ones. */
    private static List<String> labelledClasses(Inputs in, OwnData data) {
        List<String> added = in.delta().manifest().classesAdded();
        boolean labelled = data.knowledge() == AddedClassKnowledge.LABELS;
        return data.updateClasses().stream().filter(c -> labelled || !added.contains(c)).toList();
    }

    /**
     * {@link ClassBiasCalibration} of Eq. 10's tutor at the gate's score threshold: the classes the manufacturer
     * labels are fitted on its own training images of the update's classes (never the gate's split); an added class
     * it has no labels of takes the shift the customer fitted on its private data and signed with its figures
     * (none: left as Eq. 10 made it). The shifts go to calibration.json beside it. A calibrated tutor written
     * before is kept.
     */
    Path calibrate(Path substituted, Inputs in, OwnData data, Path updatedTutor) throws IOException {
        if (!Files.exists(updatedTutor)) {
            List<String> added = in.delta().manifest().classesAdded();
            boolean labelled = data.knowledge() == AddedClassKnowledge.LABELS;
            List<String> own = labelledClasses(in, data);
            double threshold = settings.gate().scoreThreshold();
            List<ClassBiasCalibration.Shift> fitted = ClassBiasCalibration.fit(substituted, data.updateTrain(), own,
                    threshold, settings.device());
            Map<String, Double> shifts = new LinkedHashMap<>(ClassBiasCalibration.byName(fitted));
            CustomerFigures figures = in.delta().manifest().customerFigures();
            Map<String, Double> customer = new TreeMap<>();
            if (!labelled && figures != null) {
                added.stream().filter(figures.shifts()::containsKey).forEach(c -> customer.put(c, figures.shifts().get(c)));
            }
            shifts.putAll(customer);
            ClassBiasCalibration.write(substituted, shifts, String.format("class-bias calibration at score %.2f on %d"
                    + " manufacturer images%s", threshold, data.updateTrain().size(), customer.isEmpty() ? ""
                    : ", the added classes' shifts from the customer's signed figures"), data.updateTrain(),
                    updatedTutor);
            AtomicFiles.writeJson(updatedTutor.resolveSibling("calibration.json"),
                    Map.of("scoreThreshold", threshold, "manufacturer", fitted, "customer", customer));
        }
        return updatedTutor;
    }

    /**
     * The gate: both tutors on the validation split's gated classes; writes gate.md and gate.json. When the
     * manufacturer has no labels of the added classes, the delta's customer figures (whose signature the caller
     * checked, {@link FiguresCheck}) judge their gain, and their firing rate on the split is measured.
     */
    public Verification verify(Inputs in, Path updatedTutor, OwnData data, Path gateDir) throws IOException {
        Set<String> added = new HashSet<>(in.delta().manifest().classesAdded());
        Set<String> removed = new HashSet<>(in.delta().manifest().classesRemoved());
        VocDataset val = data.validation().restrictTo(gatedClasses(data.updateClasses(), removed));
        EvalResult before = Stages.evaluate(in.tutor(), val, null, settings.device(), settings.gate().evalConfig());
        boolean labelled = settings.addedClassKnowledge() == AddedClassKnowledge.LABELS;
        // the updated tutor runs over the split once: its AP and, without labels, its firing rate
        Map<String, List<Detection>> dets = Stages.detect(updatedTutor, val, settings.device(), FcosDecoder.Config.EVAL);
        ClassList classes = Checkpoint.read(updatedTutor).classes();
        EvalResult after = VocEvaluator.evaluate(val.images(), dets, classes, settings.gate().evalConfig());
        Map<String, Firing> firing = labelled || added.isEmpty() ? Map.of() : firing(dets, classes, added);
        Verification v = Verification.decide(new VerificationGate.Evidence(in.delta().manifest().classes(), before,
                after, added, removed, labelled ? null : in.delta().manifest().customerFigures(), firing),
                settings.gate());
        Files.createDirectories(gateDir);
        AtomicFiles.writeString(gateDir.resolve("gate.md"), v.decision().toMarkdown());
        AtomicFiles.writeJson(gateDir.resolve("gate.json"), v.decision());
        return v;
    }

    /**
     * How often the updated tutor reports each added class in {@code dets} (its detections on the gate's images) at
     * the gate's score threshold (the images may show it only when the manufacturer kept them unlabelled).
     */
    Map<String, Firing> firing(Map<String, List<Detection>> dets, ClassList classes, Set<String> added) {
        boolean shown = settings.addedClassKnowledge() == AddedClassKnowledge.UNLABELLED;
        Map<String, Firing> out = new TreeMap<>();
        for (String c : added) {
            out.put(c, Firing.count(c, classes.indexOf(c), dets, settings.gate().scoreThreshold(), shown));
        }
        return out;
    }

    /**
     * The classes the gate judges: the update's (the tutor's kept ones and the added ones) and the
     * removed ones, so their loss is reported; other classes' objects stay unlabelled.
     */
    static List<String> gatedClasses(List<String> updateClasses, Set<String> removed) {
        List<String> gated = new ArrayList<>(updateClasses);
        removed.stream().filter(r -> !gated.contains(r)).sorted().forEach(gated::add);
        return gated;
    }

    /** Distill C: the edge model from its current weights, taught by the updated tutor on the update's classes. */
    public Stages.Result distillC(Inputs in, Path updatedTutor, OwnData data, Path stageDir) throws IOException {
        return distillC(in, updatedTutor, distillCData(in, updatedTutor, data, stageDir), stageDir);
    }

    /** {@link #distillC(Inputs, Path, OwnData, Path)} on {@code own}, the images as {@link #distillCData} labels them. */
    private Stages.Result distillC(Inputs in, Path updatedTutor, VocDataset own, Path stageDir) throws IOException {
        DistillC c = settings.distillC();
        return Stages.run(Stages.Stage.direct("edge-updated", in.edgeModel(), c.train(), own)
                .distilledFrom(updatedTutor, c.fgd()).from(in.edge()).weights(1f, c.featureWeight()),
                own.classes(), stageDir);
    }

    /**
     * Distill C's images: the manufacturer's labels of the update's classes, plus, where its data does not label
     * the added classes, the updated tutor's pseudo-labels of them (so the customer's delta alone teaches them).
     */
    VocDataset distillCData(Inputs in, Path updatedTutor, OwnData data, Path stageDir) throws IOException {
        VocDataset own = data.updateTrain();
        List<String> added = in.delta().manifest().classesAdded();
        if (data.knowledge() == AddedClassKnowledge.LABELS || added.isEmpty()) {
            return own;
        }
        PseudoLabels.Drawn drawn = PseudoLabels.draw(updatedTutor, own, added, settings.distillC().pseudoLabels(),
                settings.device(), stageDir);
        List<String> none = added.stream().filter(c -> drawn.perClass().getOrDefault(c, 0) == 0).toList();
        if (!none.isEmpty() && settings.whenRejected() == WhenRejected.STOP) {
            // the gate judged the tutor; an edge model with no label of the class would ship without it
            throw new IllegalStateException("Distill C drew no pseudo-label of " + none + " on the manufacturer's "
                    + own.size() + " images at score >= " + settings.distillC().pseudoLabels().scoreThreshold()
                    + ": the cameras would not learn it; update not shipped");
        }
        return drawn.applyTo(own);
    }
}
