package org.diredi.core.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.provenance.DataHashes;
import org.diredi.core.provenance.Provenance;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.DetectionSet;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.VocEvaluator;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.fcos.FcosGrid;

/**
 * Recalibrates the updated tutor's class scores after Eq. 10, before the gate, on labelled images: the
 * manufacturer's own training data for the classes it labels, and for an added class it has no labels of,
 * the customer's private training data (fitted on the customer's PC and sent, signed, with its figures).
 * Eq. 10 adds tutor 2's class-logit weights to tower features that are neither tutor's:
 * the ranking of each class's detections survives (its AP rises), its score scale does not (Experiment 1:
 * boot fired on almost every image, precision 19%, while the presumed classes fell below the threshold).
 * One scalar per class, added to that class's logit bias, moves its scores back to where the cameras'
 * single score threshold works: the shift that gives the class its best F1 at that threshold on the
 * labelled images, searched over a grid, 0 where no shift helps or the data has no
 * objects of the class. The weights and the features are untouched, so the class ranking (and AP) stays
 * as Eq. 10 left it; the gate then judges the result on the validation split, which the fit never sees.
 */
public final class ClassBiasCalibration {

    /** Shifts tried, in logits: -6 to +3 by 0.25 (a factor e^-6 to e^3 on the class odds). */
    static final double[] GRID = grid(-6, 3, 0.25);

    /** The suffix a calibrated checkpoint's role takes. */
    static final String CALIBRATED = "+calibrated";

    /** The suffix of the class-logit bias tensor (FcosHead's clsLogits convolution). */
    static final String BIAS = "clsLogits_bias";

    /** One class's shift and its F1 at the threshold on the calibration data before and after (0-1). */
    public record Shift(String name, double delta, double f1Before, double f1After) {}

    private ClassBiasCalibration() {}

    /**
     * Fits the shifts for {@code classes} (those with objects in {@code data}) and writes the calibrated
     * checkpoint to {@code out}, with its manifest naming {@code in} as parent; returns the shifts.
     */
    public static List<Shift> apply(Path in, VocDataset data, List<String> classes, double scoreThreshold,
                                    Device device, Path out) throws IOException {
        List<Shift> shifts = fit(in, data, classes, scoreThreshold, device);
        write(in, byName(shifts), String.format("class-bias calibration at score %.2f on %d images", scoreThreshold,
                data.size()), data, out);
        return shifts;
    }

    /**
     * {@code in} calibrated for the cameras: every class {@code data} labels fitted at {@code scoreThreshold}, written to
     * {@code out} (see {@link #apply}); a model already there calibrated from this {@code in} on these images is kept,
     * so a resumed update or report reuses it (one from another model or other images is fitted again). FCOS's score,
     * sqrt(class x center-ness), sits low: uncalibrated, detectors trained here keep 5-22% precision at the cameras'
     * 0.3, calibrated 57-73% (BENCHMARKS.md section 11).
     */
    public static Path forCameras(Path in, VocDataset data, double scoreThreshold, Device device, Path out)
            throws IOException {
        if (!(Files.exists(out) && calibratedFrom(out, in, data))) {
            apply(in, data, Stages.labelledClasses(data), scoreThreshold, device, out);
        }
        return out;
    }

    /** Whether the calibrated checkpoint {@code out} was made from {@code in} (its parent) on {@code data}. */
    private static boolean calibratedFrom(Path out, Path in, VocDataset data) {
        Manifest made = Checkpoint.read(out).manifest();
        Checkpoint from = Checkpoint.read(in);
        return made.parent() != null && made.provenance() != null && from.manifest().id().equals(made.parent().id())
                && DataHashes.of(data, from.classes()).equals(made.provenance().data());
    }

    /** Whether {@code checkpoint} was written by this calibration (its role says so). */
    public static boolean isCalibrated(Path checkpoint) {
        return Checkpoint.read(checkpoint).manifest().role().endsWith(CALIBRATED);
    }

    /** The shift of each of {@code classes} for its best F1 at {@code scoreThreshold} on {@code data}. */
    public static List<Shift> fit(Path in, VocDataset data, List<String> classes, double scoreThreshold,
                                  Device device) {
        Checkpoint ck = Checkpoint.read(in);
        ModelConfig model = ck.manifest().model();
        List<Predictor.Raw> raw;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            FcosDetector detector = ck.toModel(manager);
            raw = new Predictor(detector, manager, FcosDecoder.Config.EVAL)
                    .raw(DetectionSet.load(data, model.inputSize()), 16);
        }
        return fit(raw, ck.classes(), classes, new FcosGrid(model.inputSize(), ModelConfig.STRIDES), scoreThreshold);
    }

    /** The shifts by class name. */
    public static Map<String, Double> byName(List<Shift> shifts) {
        Map<String, Double> byName = new LinkedHashMap<>();
        shifts.forEach(s -> byName.put(s.name(), s.delta()));
        return byName;
    }

    /**
     * Writes {@code in} with each named class's logit bias moved by its shift to {@code out}, its manifest naming
     * {@code in} as parent and saying {@code how} the shifts were found; {@code fittedOn} (null when the shifts
     * came from elsewhere, e.g. a customer's signed figures) is hashed into its provenance.
     */
    public static void write(Path in, Map<String, Double> shifts, String how, VocDataset fittedOn, Path out)
            throws IOException {
        Checkpoint ck = Checkpoint.read(in);
        String role = ck.manifest().role() + CALIBRATED;
        String said = how + ": " + shifts;
        Manifest m = ck.manifest().derived(role, in.toString(), said)
                .provenance(Provenance.of("checkpoint", role,
                        fittedOn == null ? List.of() : DataHashes.of(fittedOn, ck.classes()),
                        Map.of("calibration", said), List.of(ck.manifest().asParent("calibrated from")))).build();
        Checkpoint.write(out, m, shifted(ck.weights(), ck.classes(), shifts), null);
    }

    /** The shift of each class in {@code names} with objects among the images, by its F1 at the threshold. */
    static List<Shift> fit(List<Predictor.Raw> raw, ClassList classes, List<String> names, FcosGrid grid,
                           double threshold) {
        List<VocImage> truth = raw.stream().map(Predictor.Raw::source).toList();
        List<Shift> out = new ArrayList<>();
        for (String name : names) {
            int c = classes.indexOf(name);
            double best = 0;
            double f1Zero = f1(raw, truth, classes, c, 0, grid, threshold);
            double bestF1 = f1Zero;
            if (Double.isNaN(f1Zero)) {
                out.add(new Shift(name, 0, Double.NaN, Double.NaN)); // no objects: nothing to fit on
                continue;
            }
            for (double d : GRID) {
                double f = f1(raw, truth, classes, c, d, grid, threshold);
                if (f > bestF1 + 1e-12 || (Math.abs(f - bestF1) <= 1e-12 && Math.abs(d) < Math.abs(best))) {
                    best = d;
                    bestF1 = f;
                }
            }
            out.add(new Shift(name, best, f1Zero, bestF1));
        }
        return out;
    }

    /** Class {@code c}'s F1 at the threshold with its logits shifted by {@code delta}; NaN without objects. */
    private static double f1(List<Predictor.Raw> raw, List<VocImage> truth, ClassList classes, int c, double delta,
                             FcosGrid grid, double threshold) {
        int n = classes.size();
        FcosDecoder one = new FcosDecoder(grid, 1, new FcosDecoder.Config((float) threshold, 1000, 0.6f, 100));
        Map<String, List<Detection>> dets = new HashMap<>();
        for (Predictor.Raw r : raw) {
            float[] logits = new float[r.ctr().length];
            for (int k = 0; k < logits.length; k++) {
                logits[k] = (float) (r.cls()[k * n + c] + delta);
            }
            List<Detection> found = new ArrayList<>();
            for (Detection d : one.decode(logits, r.box(), r.ctr(), r.source().width(), r.source().height())) {
                found.add(new Detection(c, d.score(), d.box()));
            }
            dets.put(r.source().id(), found);
        }
        EvalConfig cfg = EvalConfig.DEFAULT.withScoreThreshold(threshold).withClassIds(Set.of(c));
        ClassResult cr = VocEvaluator.evaluate(truth, dets, classes, cfg).classes().stream()
                .filter(x -> x.classId() == c).findFirst().orElse(null);
        return cr == null || !cr.hasGroundTruth() ? Double.NaN : cr.f1();
    }

    /** The weights with each named class's logit bias moved by its shift; every other tensor as it was. */
    public static List<TensorFile.Tensor> shifted(List<TensorFile.Tensor> weights, ClassList classes,
                                           Map<String, Double> shifts) {
        List<TensorFile.Tensor> out = new ArrayList<>(weights.size());
        int found = 0;
        for (TensorFile.Tensor t : weights) {
            if (!t.name().endsWith(BIAS)) {
                out.add(t);
                continue;
            }
            float[] b = t.data().clone();
            shifts.forEach((name, d) -> b[classes.indexOf(name)] += d.floatValue());
            out.add(new TensorFile.Tensor(t.name(), t.shape(), b));
            found++;
        }
        if (found != 1) {
            throw new IllegalStateException("expected one class-logit bias tensor (*" + BIAS + "), found " + found);
        }
        return out;
    }

    private static double[] grid(double from, double to, double step) {
        int n = (int) Math.round((to - from) / step) + 1;
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = from + i * step;
        }
        return g;
    }
}
