package org.diredi.cli;

import org.diredi.core.stage.Stages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
final class BenchReport {

    /** One trained model's figures. */
    record Row(String name, String model, String start, long params, double gflopsPerImage, int epochs,
               double trainImagesPerSecond, double trainSeconds, EvalResult eval) {}

    private final String title;
    private final ClassList classes;
    private final List<Row> rows = new ArrayList<>();

    BenchReport(String title, ClassList classes) {
        this.title = title;
        this.classes = classes;
    }

    void add(Row row) {
        rows.add(row);
    }

    /** Writes the report into {@code out} and returns its Markdown. */
    String write(Path out, String settings) throws IOException {
        MarkdownTable t = new MarkdownTable("model", "architecture", "starts from", "params", "GFLOPs/img", "epochs",
                "train img/s", "wall time", "test mAP@0.5", "P", "R", "F1");
        for (Row r : rows) {
            EvalResult e = r.eval();
            t.row(r.name(), r.model(), r.start(), String.format("%,d", r.params()),
                    String.format("%.2f", r.gflopsPerImage()), r.epochs(),
                    String.format("%.1f", r.trainImagesPerSecond()), String.format("%.1f min", r.trainSeconds() / 60), String.format("%.3f", e.map()),
                    String.format("%.3f", e.precision()), String.format("%.3f", e.recall()),
                    String.format("%.3f", e.f1()));
        }
        List<String> header = new ArrayList<>(List.of("class"));
        rows.forEach(r -> header.add(r.name()));
        MarkdownTable perClass = new MarkdownTable(header);
        Map<String, double[]> bars = new LinkedHashMap<>();
        List<String> shown = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            final int id = c;
            if (rows.stream().noneMatch(r -> classResult(r.eval(), id) != null)) {
                continue; // a class no model was evaluated on (outside the benchmark's class subset)
            }
            shown.add(classes.name(c));
            List<Object> row = new ArrayList<>();
            row.add(classes.name(c));
            for (Row r : rows) {
                ClassResult cr = classResult(r.eval(), id);
                row.add(cr == null ? "-" : String.format("%.3f", cr.ap()));
            }
            perClass.row(row);
        }
        for (Row r : rows) {
            double[] v = new double[shown.size()];
            for (int i = 0; i < shown.size(); i++) {
                ClassResult cr = classResult(r.eval(), classes.indexOf(shown.get(i)));
                v[i] = cr == null ? Double.NaN : cr.ap();
            }
            bars.put(r.name(), v);
        }
        String md = "## " + title + "\n\n" + org.diredi.core.report.Machine.describe() + "\n\n" + t
                + "\n\nPer-class AP@0.5 (test split, VOC all-point interpolation, IoU > 0.5; P / R / F1 at score >= "
                + (rows.isEmpty() ? "" : rows.get(0).eval().config().scoreThreshold()) + "):\n\n" + perClass
                + "\n\n" + settings + "\n";
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("results.md"), md);
        AtomicFiles.writeJson(out.resolve("results.json"), Map.of("title", title, "machine", org.diredi.core.report.Machine.facts(),
                "settings", settings, "rows", rows));
        Charts.groupedBarChart(title + ": per-class AP@0.5", shown, bars, "AP", out.resolve("per-class-ap.png"));
        return md;
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
    static Row row(String name, Stages.Stage s, Stages.Result r, EvalResult ev) {
        return new Row(name, s.model().toString(), start(s), r.params(), r.gflopsPerImage(), s.train().epochs(),
                (double) s.train().epochs() * s.data().size() / Math.max(1e-9, r.seconds()), r.seconds(), ev);
    }

    /** Where a stage's weights start: a whole checkpoint, a pretrained backbone, or random. */
    static String start(Stages.Stage s) {
        if (s.init() != null) {
            return "checkpoint " + s.init().getFileName();
        }
        return s.backbone() == null ? "random" : "backbone " + s.backbone().getFileName();
    }

    /** Trains and evaluates a stage in {@code dir}, as a benchmark row. */
    static Row trainAndEvaluate(Stages.Stage s, ClassList classes, VocDataset test, Path dir) throws IOException {
        Stages.Result r = Stages.run(s, classes, dir);
        return row(dir.getFileName().toString(), s, r, Stages.evaluate(r.checkpoint(), test, dir));
    }
}
