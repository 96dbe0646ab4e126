package org.diredi.bench.delta;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.WeightSubstitution;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.report.Machine;
import org.diredi.core.stage.Stages;
import org.diredi.vision.data.Datasets;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.Charts;
import org.diredi.vision.report.MarkdownTable;

/**
 * What the delta benchmarks share: the Eq. 9 difference of two tutors made against an original tutor, a delta
 * file read back through {@link KnowledgeDelta#read} (as the cloud reads it) and applied by the cloud's
 * {@link WeightSubstitution} (Eq. 10), the updated tutor evaluated on a split, and the report.
 */
public final class UpdateProbe {

    /**
     * The models and data: the original tutor, tutor 1 (RD B) and tutor 2 (RD A), the data folder and the split
     * evaluated, the classes the delta adds, Eq. 9's gamma and Eq. 10's lambda.
     */
    public record Inputs(Path tutor, Path tutor1, Path tutor2, Path data, String split, List<String> added,
                         double gamma, double lambda) {}

    /** One delta's figures: file bytes, test mAP and per-class AP of the updated tutor. */
    public record Measured(String name, long bytes, double map, Map<String, Double> ap) {}

    private final Inputs in;
    private final Checkpoint tutor;
    private final VocDataset test;

    public UpdateProbe(Inputs in) {
        this.in = in;
        this.tutor = Checkpoint.read(in.tutor());
        this.test = Datasets.load(in.data(), in.split(), tutor.classes()).restrictTo(updateClasses(tutor, in.added()));
    }

    /**
     * The classes the updated tutor is judged on: the tutor's own (its training subset, or all) and the added
     * ones; a class no model here was taught would only dilute the mAP with zeros.
     */
    static List<String> updateClasses(Checkpoint tutor, List<String> added) {
        var data = tutor.manifest().data();
        List<String> base = data != null && data.classSubset() != null ? data.classSubset() : tutor.classes().names();
        return DeltaManifest.updateClasses(base, added, List.of());
    }

    /** Eq. 9 over neck + head: {@code W_tutor2 - gamma W_tutor1}. */
    public List<TensorFile.Tensor> difference() {
        return KnowledgeDelta.difference(Checkpoint.read(in.tutor2()).weights(), Checkpoint.read(in.tutor1()).weights(),
                in.gamma(), KnowledgeDelta.parts(false));
    }

    /** The manifest of a delta against this tutor, form and privacy to be filled in. */
    public DeltaManifest manifest(String source) {
        return new DeltaManifest(null, null, tutor.manifest().id(), tutor.manifest().weightsSha256(),
                tutor.classes().names(), in.added(), List.of(), in.gamma(), "neck+head", null, Map.of(), 0, 0, 0, null,
                Map.of("source", source));
    }

    /** Bytes of the tutor as a weights-only checkpoint (what a whole-model upload would be). */
    public long tutorBytes(Path dir) throws IOException {
        Path full = dir.resolve("tutor-weights.ckpt");
        Checkpoint.write(full, tutor.manifest(), tutor.weights(), null);
        return Files.size(full);
    }

    /** The tutor before any update, evaluated. */
    public Measured before() throws IOException {
        return measured("tutor (before)", 0, Stages.evaluate(in.tutor(), test, null));
    }

    /** The delta in {@code file} read back, applied with lambda (Eq. 10) to {@code updated}, evaluated. */
    public Measured apply(String name, Path file, Path updated) throws IOException {
        WeightSubstitution.apply(in.tutor(), KnowledgeDelta.read(file), in.lambda(), updated);
        return measured(name, Files.size(file), Stages.evaluate(updated, test, null));
    }

    /** Figures of an evaluation. */
    public static Measured measured(String name, long bytes, EvalResult e) {
        Map<String, Double> ap = new LinkedHashMap<>();
        for (ClassResult c : e.classes()) {
            if (c.hasGroundTruth()) {
                ap.put(c.name(), c.ap());
            }
        }
        return new Measured(name, bytes, e.map(), ap);
    }

    /** The added class's AP (the first added class), or NaN when the split holds none of it. */
    public double addedAp(Measured m) {
        return in.added().isEmpty() ? Double.NaN : m.ap().getOrDefault(in.added().get(0), Double.NaN);
    }

    /** Per-class AP, one column per measured delta. */
    public static MarkdownTable perClass(List<Measured> rows) {
        List<String> header = new ArrayList<>(List.of("class"));
        rows.forEach(r -> header.add(r.name()));
        MarkdownTable t = new MarkdownTable(header);
        for (String c : rows.get(0).ap().keySet()) {
            List<Object> row = new ArrayList<>(List.of(c));
            rows.forEach(r -> row.add(String.format("%.3f", r.ap().getOrDefault(c, Double.NaN))));
            t.row(row);
        }
        return t;
    }

    /** Per-class AP@0.5, one bar per measured model, as a PNG. */
    public static void perClassChart(String title, List<Measured> rows, Path png) throws IOException {
        List<String> classes = List.copyOf(rows.get(0).ap().keySet());
        Map<String, double[]> bars = new LinkedHashMap<>();
        for (Measured r : rows) {
            bars.put(r.name(), classes.stream().mapToDouble(c -> r.ap().getOrDefault(c, Double.NaN)).toArray());
        }
        Charts.groupedBarChart(title + ": per-class AP@0.5", classes, bars, "AP", png);
    }

    /** Writes results.md, results.json and per-class-ap.png (a bar per measured model) into {@code out}. */
    public static String write(Path out, String title, String table, List<Measured> rows, String settings,
                               Object jsonRows) throws IOException {
        String md = "## " + title + "\n\n" + Machine.describe() + "\n\n" + table.strip()
                + "\n\nPer-class AP@0.5 of the updated tutor:\n\n" + perClass(rows).toString().strip() + "\n\n"
                + settings + "\n";
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("results.md"), md);
        AtomicFiles.writeJson(out.resolve("results.json"), Map.of("title", title, "machine", Machine.facts(),
                "settings", settings, "rows", jsonRows, "perClassAp", rows));
        perClassChart(title, rows, out.resolve("per-class-ap.png"));
        return md;
    }
}
