package org.diredi.workflow.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.update.LambdaSearch;
import org.diredi.core.delta.CustomerFigures;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.gate.GateDecision;
import org.diredi.core.report.Machine;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.Charts;
import org.diredi.vision.report.MarkdownTable;

/**
 * An experiment's report in its folder: report.md (Table III, per-class AP, the knowledge delta, the
 * gate and its variants, the time), report.json (the same as data, with the spec and the machine) and
 * per-class-ap.png.
 */
final class ReportWriter {

    /** The gate's verdict under the spec's policy and under each of its variants. */
    record Gates(GateDecision gate, Map<String, GateDecision> variants) {}

    private final ExperimentSpec spec;
    private final Path dir;
    private final Backbones backbones;
    private final long seed;

    ReportWriter(ExperimentSpec spec, Path dir, Backbones backbones, long seed) {
        this.spec = spec;
        this.dir = dir;
        this.backbones = backbones;
        this.seed = seed;
    }

    /**
     * Writes the three files and prints report.md.
     *
     * @param pseudoLabels Distill C's pseudo-labels per added class (empty when the manufacturer labels them)
     */
    void write(Evaluation ev, Gates gates, KnowledgeDelta delta, Map<String, Integer> pseudoLabels, String timing)
            throws IOException {
        Map<String, double[]> bars = new LinkedHashMap<>();
        String md = markdown(ev, perClassTable(ev, bars), gates, delta,
                knowledge(pseudoLabels) + figures(delta.manifest().customerFigures()), timing);
        AtomicFiles.writeString(dir.resolve("report.md"), md);
        AtomicFiles.writeJson(dir.resolve("report.json"), json(ev, gates, delta, pseudoLabels));
        Charts.groupedBarChart("DiReDi " + spec.name() + ": per-class AP@0.5 on the test split", ev.shown(), bars, "AP",
                dir.resolve("per-class-ap.png"));
        System.out.println(md);
    }

    private String markdown(Evaluation ev, MarkdownTable perClass, Gates gates, KnowledgeDelta delta, String knowledge,
                            String timing) {
        String md = "# DiReDi " + spec.name() + "\n\n" + spec.description() + "\n\n" + Machine.describe() + "\n\n"
                + "Training seed: " + seed + ".\n\n"
                + "Backbones: " + backbones.describe() + ".\n\n"
                + "Presumed classes: " + spec.presumed() + "; added: " + spec.added() + "; removed: " + spec.removed()
                + ". Table III: test split restricted to the classes the update covers " + ev.updateClasses()
                + (ev.showsRemoved() ? "; per-class AP also on the removed classes' labels" : "") + ".\n\n"
                + knowledge + "\n\n"
                + "## Table III (percent)\n\n" + String.format("Precision, recall and F1 at score >= 0.5; the last"
                + " columns count the same detections at %.2f, the cameras' threshold (the gate's and the calibration's).",
                ev.camerasThreshold()) + "\n\n" + tableThree(ev) + "\n\n" + String.format("### Every model calibrated"
                + " for the cameras' threshold (%.2f)%n%nEach model with one logit shift per class for its best F1 at %.2f"
                + " on the images Distill C learnt from (ClassBiasCalibration, as the update calibrates the edge model it"
                + " ships; a model the update calibrated is taken as it is), then counted at %.2f on the test split.",
                ev.camerasThreshold(), ev.camerasThreshold(), ev.camerasThreshold()) + "\n\n" + calibratedTable(ev)
                + "\n\n## Per-class AP@0.5 (percent)\n\n" + perClass
                + "\n\n## Knowledge delta\n\n" + delta.manifest().describe(dir.resolve("update.delta"))
                + "\n" + lambda() + "\n\n" + gates.gate().toMarkdown();
        for (Map.Entry<String, GateDecision> v : gates.variants().entrySet()) {
            md += "\n### Gate variant: " + v.getKey() + "\n\n" + v.getValue().toMarkdown();
        }
        return md + "\n" + timing;
    }

    /** Eq. 10's lambda: the spec's, or the one its search chose and what each candidate scored. */
    private String lambda() {
        Path chosen = dir.resolve(ExperimentRunner.UPDATED_TUTOR).resolve(LambdaSearch.FILE);
        if (!java.nio.file.Files.exists(chosen)) {
            return "Eq. 10: lambda " + spec.lambda() + ".";
        }
        try {
            LambdaSearch.Choice c = ConfigFiles.JSON.readValue(chosen.toFile(), LambdaSearch.Choice.class);
            List<String> each = c.candidates().stream()
                    .map(k -> String.format("%s: %.1f", k.lambda(), 100 * k.map())).toList();
            return String.format("Eq. 10: lambda %s, the best mAP of the grid on %d manufacturer %s images of %s (%s).",
                    c.lambda(), c.images(), c.split(), String.join(", ", c.classes()), String.join(", ", each));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + chosen, e);
        }
    }

    /** What the manufacturer's data knew of the added classes, and what Distill C drew in their place. */
    private String knowledge(Map<String, Integer> pseudoLabels) {
        return switch (spec.addedClassKnowledge()) {
            case LABELS -> "Added classes: labelled in the manufacturer's own data (the paper's setup).";
            case UNLABELLED, ABSENT -> "Added classes: " + spec.addedClassKnowledge().id() + " in the manufacturer's "
                    + "own data (Distill C, direct training, gate, calibration); Distill C's pseudo-labels from the "
                    + "updated tutor (score >= " + spec.pseudoLabels().scoreThreshold() + ", at most "
                    + spec.pseudoLabels().maxPerClass() + " per class and image): " + pseudoLabels + ".";
        };
    }

    /**
     * The customer's signed figures the delta carries, their AP change per class: what the gate judged the added
     * classes on (its table's "judged on" column says so per class). The run measured them on the validation split
     * with all its labels, standing in for the customer's private validation split.
     */
    private static String figures(CustomerFigures f) {
        if (f == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(String.format("%n%nCustomer's signed figures (key %s; updated tutor at "
                + "lambda %s, score >= %.2f) on split '%s' with all its labels, standing in for the customer's private"
                + " validation split (%d images): AP change", f.keyId(), f.lambda(), f.scoreThreshold(), f.split(),
                f.images()));
        f.after().keySet().forEach(c -> sb.append(String.format(" %s %+.1f,", c, f.apGainPoints(c))));
        sb.setLength(sb.length() - 1);
        return sb.append(" points.").toString();
    }

    private static MarkdownTable tableThree(Evaluation ev) {
        String at = String.format(" at %.2f", ev.camerasThreshold());
        MarkdownTable t = new MarkdownTable("model", "mAP@0.5", "precision", "recall", "F1", "precision" + at,
                "F1" + at);
        for (Map.Entry<String, EvalResult> e : ev.results().entrySet()) {
            EvalResult r = e.getValue();
            EvalResult c = ev.atCameras().get(e.getKey());
            t.row(e.getKey(), pct(r.map()), pct(r.precision()), pct(r.recall()), pct(r.f1()), pct(c.precision()),
                    pct(c.f1()));
        }
        return t;
    }

    private static MarkdownTable calibratedTable(Evaluation ev) {
        MarkdownTable t = new MarkdownTable("model", "mAP@0.5", "precision", "recall", "F1");
        ev.calibrated().forEach((row, r) -> t.row(row, pct(r.map()), pct(r.precision()), pct(r.recall()), pct(r.f1())));
        return t;
    }

    /** AP per class and model; fills {@code bars} (model -> AP per shown class) for the chart. */
    private MarkdownTable perClassTable(Evaluation ev, Map<String, double[]> bars) {
        List<String> header = new ArrayList<>(List.of("class"));
        header.addAll(ev.results().keySet());
        MarkdownTable perClass = new MarkdownTable(header);
        for (String name : ev.perClass().keySet()) {
            bars.put(name, new double[ev.shown().size()]);
        }
        for (int i = 0; i < ev.shown().size(); i++) {
            String c = ev.shown().get(i);
            List<Object> row = new ArrayList<>();
            row.add(c + (spec.added().contains(c) ? " (added)" : spec.removed().contains(c) ? " (removed)" : ""));
            for (Map.Entry<String, EvalResult> e : ev.perClass().entrySet()) {
                ClassResult cr = e.getValue().find(c);
                double ap = cr == null ? Double.NaN : cr.ap();
                bars.get(e.getKey())[i] = ap;
                row.add(pct(ap));
            }
            perClass.row(row);
        }
        return perClass;
    }

    private Map<String, Object> json(Evaluation ev, Gates gates, KnowledgeDelta delta,
                                     Map<String, Integer> pseudoLabels) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("spec", spec);
        json.put("seed", seed);
        json.put("machine", Machine.facts());
        json.put("results", ev.results());
        json.put("resultsAtCamerasThreshold", ev.atCameras());
        json.put("resultsCalibratedAtCamerasThreshold", ev.calibrated());
        if (ev.showsRemoved()) {
            json.put("resultsWithRemovedClasses", ev.perClass());
        }
        json.put("gate", gates.gate());
        json.put("gateVariants", gates.variants());
        json.put("delta", delta.manifest());
        json.put("addedClassKnowledge", spec.addedClassKnowledge());
        json.put("pseudoLabels", pseudoLabels);
        return json;
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.1f", v * 100);
    }
}
