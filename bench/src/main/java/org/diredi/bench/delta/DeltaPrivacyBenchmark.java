package org.diredi.bench.delta;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diredi.bench.report.Cells;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.update.AddedClassKnowledge;
import org.diredi.cloud.update.ManufacturerUpdate;
import org.diredi.cloud.update.PseudoLabels;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.DeltaEncoding;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.DeltaPrivacy;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.model.Presets;
import org.diredi.core.stage.Stages;
import org.diredi.vision.data.Datasets;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.report.MarkdownTable;

/**
 * {@code diredi bench delta-privacy}: one knowledge delta (Eq. 9) released without privacy and with client-side
 * clipping at C plus Gaussian noise at each noise multiplier (as the on-prem trainer does before upload), each
 * read back, applied to the original tutor (Eq. 10) and evaluated; epsilon per release from the analytic Gaussian
 * mechanism. Optionally Distill C (the cloud's own stage) from each updated tutor, and its edge model evaluated.
 */
public final class DeltaPrivacyBenchmark {

    /**
     * Distill C after each update, when given: the edge model the cameras run, its preset, the manufacturer's
     * training split and the cloud's settings (epochs, batch, temperature, FGD weight, and what the manufacturer
     * knows of the added class: without its labels Distill C learns it from the updated tutor's pseudo-labels,
     * so the edge model's added-class AP shows what the noisy delta taught).
     */
    public record DistillC(Path edge, String edgePreset, String trainSplit, CloudConfig cloud) {}

    /**
     * The models, data and settings, the clip norm C, the noise multipliers, the delta of (epsilon, delta), the
     * noise seed, the upload form, Distill C (null: none) and the results folder.
     */
    public record Settings(UpdateProbe.Inputs inputs, double clipNorm, List<Double> noiseMultipliers, double delta,
                           long seed, DeltaEncoding form, DistillC distillC, Path out) {}

    /** One release's row; the epsilons are null without noise (no guarantee) or where a bound does not apply. */
    public record Row(String release, Double noiseMultiplier, Double epsilon, Double epsilonClassic, double uploadedNorm,
                      double map, double addedAp, Double edgeMap, Double edgeAddedAp, Integer pseudoLabels) {}

    private DeltaPrivacyBenchmark() {}

    /** Runs each release and writes results.md / results.json into {@code out}; returns the Markdown. */
    public static String run(Settings s) throws IOException {
        UpdateProbe probe = new UpdateProbe(s.inputs());
        Path dir = s.out().resolve("deltas");
        Files.createDirectories(dir);
        List<TensorFile.Tensor> dw = probe.difference();
        List<UpdateProbe.Measured> measured = new ArrayList<>(List.of(probe.before()));
        List<Row> rows = new ArrayList<>();
        List<Double> levels = new ArrayList<>();
        levels.add(null);
        levels.addAll(s.noiseMultipliers());
        for (Double sigma : levels) {
            String name = sigma == null ? "no DP" : "sigma " + sigma;
            DeltaManifest m = probe.manifest("bench delta-privacy");
            List<TensorFile.Tensor> upload = dw;
            DeltaPrivacy p = null;
            if (sigma != null) {
                DeltaPrivacy.Released r = DeltaPrivacy.release(dw, new DeltaPrivacy.Settings(true, s.clipNorm(), sigma,
                        s.delta(), s.seed()));
                upload = r.tensors();
                p = r.privacy();
                m = m.withPrivacy(p);
            }
            String stem = name.replace(' ', '-');
            KnowledgeDelta written = KnowledgeDelta.write(dir.resolve(stem + ".delta"), m, upload, s.form());
            Path updated = dir.resolve(stem + ".ckpt");
            UpdateProbe.Measured u = probe.apply(name, dir.resolve(stem + ".delta"), updated);
            measured.add(u);
            Path stageDir = dir.resolve(stem).resolve("distill-C");
            UpdateProbe.Measured edge = s.distillC() == null ? null : distillC(s, written, updated, stageDir);
            System.out.printf("delta-privacy: %-10s epsilon %s  mAP %.4f%n", name,
                    p == null || p.epsilon() == null ? "-" : String.format("%.3f", p.epsilon()), u.map());
            rows.add(new Row(name, sigma, p == null ? null : p.epsilon(), p == null ? null : p.epsilonClassic(),
                    written.manifest().l2Norm(), u.map(), probe.addedAp(u), edge == null ? null : edge.map(),
                    edge == null ? null : probe.addedAp(edge), edge == null ? null : pseudoLabels(s, stageDir)));
        }
        String md = UpdateProbe.write(s.out(), "Differential privacy of the knowledge delta", table(rows, s),
                measured, settings(s, dw), rows);
        System.out.print(md);
        return md;
    }

    /** Distill C from the updated tutor: the cloud's stage with the cloud's settings, evaluated on the full labels. */
    private static UpdateProbe.Measured distillC(Settings s, KnowledgeDelta delta, Path updated, Path stageDir)
            throws IOException {
        DistillC d = s.distillC();
        ManufacturerUpdate update = new ManufacturerUpdate(
                d.cloud().updateSettings(ManufacturerUpdate.WhenRejected.DISTILL_ANYWAY), ManufacturerUpdate.Listener.NONE);
        Checkpoint tutor = Checkpoint.read(s.inputs().tutor());
        VocDataset test = Datasets.load(s.inputs().data(), s.inputs().split(), tutor.classes());
        VocDataset train = Datasets.load(s.inputs().data(), d.trainSplit(), tutor.classes());
        ManufacturerUpdate.OwnData own = ManufacturerUpdate.OwnData.of(test, train,
                UpdateProbe.updateClasses(tutor, s.inputs().added()), s.inputs().added(), d.cloud().addedClassKnowledge());
        Stages.Result r = update.distillC(new ManufacturerUpdate.Inputs(s.inputs().tutor(), d.edge(),
                Presets.get(d.edgePreset()), delta), updated, own, stageDir);
        return UpdateProbe.measured("edge (Distill C)", 0, Stages.evaluate(r.checkpoint(), test, null));
    }

    /** The pseudo-labels Distill C drew of the added classes (0 when the manufacturer labels them). */
    private static int pseudoLabels(Settings s, Path stageDir) throws IOException {
        if (s.distillC().cloud().addedClassKnowledge() == AddedClassKnowledge.LABELS) {
            return 0;
        }
        return PseudoLabels.drawnPerClass(stageDir).values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String table(List<Row> rows, Settings s) {
        List<String> header = new ArrayList<>(List.of("release", "noise multiplier", "epsilon (analytic)",
                "epsilon (classic bound)", "delta", "|uploaded dW|", "tutor mAP@0.5", "tutor added-class AP"));
        if (s.distillC() != null) {
            header.addAll(List.of("edge mAP@0.5 (Distill C)", "edge added-class AP", "pseudo-labels"));
        }
        MarkdownTable t = new MarkdownTable(header);
        for (Row r : rows) {
            boolean none = r.noiseMultiplier() == null;
            List<Object> cells = new ArrayList<>(List.of(r.release(), none ? "-" : String.valueOf(r.noiseMultiplier()),
                    none ? "inf (no DP)" : cell(r.epsilon()), cell(r.epsilonClassic()),
                    none ? "-" : String.valueOf(s.delta()),
                    String.format("%.4g", r.uploadedNorm()), String.format("%.4f", r.map()),
                    Cells.number("%.4f", r.addedAp())));
            if (s.distillC() != null) {
                cells.add(cell(r.edgeMap()));
                cells.add(cell(r.edgeAddedAp()));
                cells.add(String.valueOf(r.pseudoLabels()));
            }
            t.row(cells);
        }
        return t.toString();
    }

    private static String cell(Double v) {
        return v == null ? "-" : Cells.number("%.4f", v);
    }

    private static String settings(Settings s, List<TensorFile.Tensor> dw) {
        UpdateProbe.Inputs in = s.inputs();
        return String.format("dW = %s - %s %s over neck + head (|dW| = %.4g before clipping; a figure for this benchmark,"
                        + " never in an uploaded manifest); clip norm C = %s, noise N(0, (sigma C)^2) per value, seed %d;"
                        + " form %s; Eq. 10 with lambda %s on %s; %s split of %s; added %s. epsilon for one release by the"
                        + " analytic Gaussian mechanism (Balle and Wang 2018); the classic bound only where it is below 1.%s",
                in.tutor2(), in.gamma(), in.tutor1(), KnowledgeDelta.l2Norm(dw), s.clipNorm(), s.seed(),
                s.form().form().id(), in.lambda(), in.tutor(), in.split(), in.data(), in.added(),
                s.distillC() == null ? "" : String.format(" Distill C: %s (%s) from each updated tutor, %d epochs on the"
                        + " %s split, the added class %s (pseudo-labels at score >= %s, at most %d per image).",
                        s.distillC().edge(), s.distillC().edgePreset(), s.distillC().cloud().distillCEpochs(),
                        s.distillC().trainSplit(), s.distillC().cloud().addedClassKnowledge().id(),
                        s.distillC().cloud().pseudoLabels().scoreThreshold(),
                        s.distillC().cloud().pseudoLabels().maxPerClass()));
    }
}
