package org.diredi.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.report.Machine;
import org.diredi.core.engine.Devices;
import org.diredi.core.stage.Stages;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.Charts;
import org.diredi.vision.report.MarkdownTable;

/**
 * Models compared side by side: one row each (size, speed, accuracy), a per-class AP table and
 * chart, written as results.md, results.json and per-class-ap.png with the machine's facts.
 */
public final class ModelComparison {

    /** One trained model's figures. */
    public record Row(String name, String model, String start, long params, double gflopsPerImage, int epochs,
                      double trainImagesPerSecond, double trainSeconds, EvalResult eval) {}

    private final String title;
    private final ClassList classes;
    private final List<Row> rows = new ArrayList<>();

    public ModelComparison(String title, ClassList classes) {
        this.title = title;
        this.classes = classes;
    }

    public void add(Row row) {
        rows.add(row);
    }

    /** Writes the report into {@code out} and returns its Markdown. */
    public String write(Path out, String settings) throws IOException {
        List<String> shown = shownClasses();
        String md = "## " + title + "\n\n" + Machine.describe() + "\n\n" + summary()
                + "\n\nPer-class AP@0.5 (test split, VOC all-point interpolation, IoU > 0.5; P / R / F1 at score >= "
                + (rows.isEmpty() ? "" : rows.get(0).eval().config().scoreThreshold()) + "):\n\n" + perClass(shown)
                + "\n\n" + settings + "\n";
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("results.md"), md);
        AtomicFiles.writeJson(out.resolve("results.json"), Map.of("title", title, "machine", Machine.facts(),
                "settings", settings, "rows", rows));
        Charts.groupedBarChart(title + ": per-class AP@0.5", shown, bars(shown), "AP", out.resolve("per-class-ap.png"));
        return md;
    }

    private MarkdownTable summary() {
        MarkdownTable t = new MarkdownTable("model", "architecture", "starts from", "params", "GFLOPs/img", "epochs",
                "train img/s", "wall time", "test mAP@0.5", "P", "R", "F1");
        for (Row r : rows) {
            EvalResult e = r.eval();
            t.row(r.name(), r.model(), r.start(), String.format("%,d", r.params()),
                    String.format("%.2f", r.gflopsPerImage()), r.epochs(),
                    String.format("%.1f", r.trainImagesPerSecond()), String.format("%.1f min", r.trainSeconds() / 60),
                    String.format("%.3f", e.map()), String.format("%.3f", e.precision()),
                    String.format("%.3f", e.recall()), String.format("%.3f", e.f1()));
        }
        return t;
    }

    /** The classes some model was evaluated on (the others lie outside the benchmark's class subset). */
    private List<String> shownClasses() {
        List<String> shown = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            final int id = c;
            if (rows.stream().anyMatch(r -> classResult(r.eval(), id) != null)) {
                shown.add(classes.name(c));
            }
        }
        return shown;
    }

    private MarkdownTable perClass(List<String> shown) {
        List<String> header = new ArrayList<>(List.of("class"));
        rows.forEach(r -> header.add(r.name()));
        MarkdownTable perClass = new MarkdownTable(header);
        for (String name : shown) {
            List<Object> row = new ArrayList<>();
            row.add(name);
            for (Row r : rows) {
                ClassResult cr = classResult(r.eval(), classes.indexOf(name));
                row.add(cr == null ? "-" : String.format("%.3f", cr.ap()));
            }
            perClass.row(row);
        }
        return perClass;
    }

    private Map<String, double[]> bars(List<String> shown) {
        Map<String, double[]> bars = new LinkedHashMap<>();
        for (Row r : rows) {
            double[] v = new double[shown.size()];
            for (int i = 0; i < shown.size(); i++) {
                ClassResult cr = classResult(r.eval(), classes.indexOf(shown.get(i)));
                v[i] = cr == null ? Double.NaN : cr.ap();
            }
            bars.put(r.name(), v);
        }
        return bars;
    }

    private static ClassResult classResult(EvalResult e, int classId) {
        for (ClassResult c : e.classes()) {
            if (c.classId() == classId && c.hasGroundTruth()) {
                return c;
            }
        }
        return null;
    }

    /** A benchmark row for a trained stage. */
    public static Row row(String name, Stages.Stage s, Stages.Result r, EvalResult ev) {
        return new Row(name, s.model().toString(), start(s), r.params(), r.gflopsPerImage(), s.train().epochs(),
                (double) s.train().epochs() * s.data().size() / Math.max(1e-9, r.seconds()), r.seconds(), ev);
    }

    /** Where a stage's weights start: a whole checkpoint, a pretrained backbone, or random. */
    public static String start(Stages.Stage s) {
        if (s.init() != null) {
            return "checkpoint " + s.init().getFileName();
        }
        return s.backbone() == null ? "random" : "backbone " + s.backbone().getFileName();
    }

    /** Trains and evaluates a stage in {@code dir}, as a benchmark row. */
    public static Row trainAndEvaluate(Stages.Stage s, ClassList classes, VocDataset test, Path dir) throws IOException {
        Stages.Result r = Stages.run(s, classes, dir);
        return row(dir.getFileName().toString(), s, r, Stages.evaluate(r.checkpoint(), test, dir,
                Devices.require(s.train().device(), "device")));
    }
}
