package org.diredi.workflow.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.MarkdownTable;
import org.diredi.vision.report.Spread;

/**
 * summary.md and summary.json over experiment runs (their report.json): per experiment, domain (the
 * spec's data folder) and seed, mAP, precision, recall and F1 of every Table III row, and per
 * experiment and domain the claims of the paper as differences in points (0-100), each with every
 * seed, the mean and the sample standard deviation (n - 1; 0 for one seed):
 * <ul>
 *   <li>{@code distillB_minus_direct_map}: Distill B (the original edge model) against the edge model
 *       trained directly on the presumed data, mean AP over the presumed classes the test split shows;</li>
 *   <li>{@code distillC_minus_direct_f1}: Distill C against direct training on the same data, F1;</li>
 *   <li>{@code updated_minus_original_tutor_f1}: the updated tutor (Eq. 10) against the original, F1;</li>
 *   <li>{@code tutor2_added_ap}, {@code tutor1_added_ap}: tutor 2's and tutor 1's AP on the added
 *       classes (their mean; null without added classes);</li>
 *   <li>{@code distillC_added_ap}, {@code direct_added_ap}: the same for Distill C and direct training, what
 *       the manufacturer's side learnt of the added classes;</li>
 *   <li>{@code distillC_presumed_map}: Distill C's mean AP over the presumed classes, what the update kept of them
 *       (to compare the settings of {@code addedClassKnowledge});</li>
 *   <li>{@code calibrated_distillC_minus_direct_f1}, {@code calibrated_updated_minus_original_tutor_f1}: the two F1
 *       claims where the cameras operate, every model calibrated for their threshold (the report's
 *       {@code resultsCalibratedAtCamerasThreshold}); a seed whose report predates it counts as null, and the mean
 *       and sd are over the seeds that have it.</li>
 * </ul>
 * Runs with another {@code addedClassKnowledge} than {@code labels} are entries of their own, which name it.
 */
public final class FidelitySummary {

    static final String DISTILL_B = "Original edge-AI model";
    static final String DISTILL_C = "Updated edge-AI model (Distill C)";
    static final String TRAINING = "Updated edge-AI model (Training)";
    static final String TUTOR = "Original tutor";
    static final String UPDATED_TUTOR = "Updated tutor (Eq. 10)";
    static final String TUTOR1 = "Tutor 1 (RD B)";
    static final String TUTOR2 = "Tutor 2 (RD A)";
    /** The {@code gate_accepted} key of the spec's own gate policy (its variants go by their names). */
    static final String SPEC_POLICY = "policy";
    private static final String[] METRICS = {"mAP", "precision", "recall", "f1"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private FidelitySummary() {}

    /**
     * The run folders {@code dirs} name: a folder holding report.json, or one whose seed-* folders do.
     * A folder with neither is a user's mistake, reported with its name.
     */
    public static List<Path> reports(List<Path> dirs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            if (Files.isRegularFile(d.resolve("report.json"))) {
                out.add(d.resolve("report.json"));
                continue;
            }
            List<Path> seeds = Files.isDirectory(d) ? seedReports(d) : List.of();
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException(d + ": no report.json there nor in seed-* folders under it "
                        + "(run diredi experiment run first)");
            }
            out.addAll(seeds);
        }
        return out;
    }

    private static List<Path> seedReports(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("seed-"))
                    .map(p -> p.resolve("report.json")).filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Reads the reports and writes {@code out}/summary.md and summary.json; returns the Markdown. */
    public static String write(Path out, List<Path> reportFiles) throws IOException {
        Map<String, List<JsonNode>> groups = new TreeMap<>();
        for (Path f : reportFiles) {
            JsonNode r = JSON.readTree(f.toFile());
            groups.computeIfAbsent(r.path("spec").path("name").asText() + "\u0000" + knowledge(r) + "\u0000" + domain(r),
                    k -> new ArrayList<>()).add(r);
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        StringBuilder md = new StringBuilder("# Fidelity summary\n\nPoints (0-100); mean ± sample sd over seeds.\n");
        for (List<JsonNode> runs : groups.values()) {
            runs.sort(java.util.Comparator.comparing(r -> r.path("seed").asLong(Long.MIN_VALUE)));
            Map<String, Object> e = entry(runs);
            entries.add(e);
            md.append(markdown(e, runs));
        }
        Files.createDirectories(out);
        AtomicFiles.writeJson(out.resolve("summary.json"), Map.of("experiments", entries));
        AtomicFiles.writeString(out.resolve("summary.md"), md.toString());
        return md.toString();
    }

    /** A run's training seed; null for a report written before reports named it. */
    private static Long seed(JsonNode report) {
        return report.path("seed").isIntegralNumber() ? report.path("seed").asLong() : null;
    }

    /** What the run's manufacturer knew of the added classes; {@code labels} for a report from before the setting. */
    private static String knowledge(JsonNode report) {
        return report.path("spec").path("addedClassKnowledge").asText("labels");
    }

    /** The domain of a run: the last part of its data folder. */
    private static String domain(JsonNode report) {
        return Path.of(report.path("spec").path("data").asText()).getFileName().toString();
    }

    /** One experiment, setting and domain: its seeds, every row's metrics over them, and the claims. */
    private static Map<String, Object> entry(List<JsonNode> runs) {
        JsonNode first = runs.get(0);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("experiment", first.path("spec").path("name").asText());
        e.put("domain", domain(first));
        e.put("addedClassKnowledge", knowledge(first));
        e.put("seeds", runs.stream().map(FidelitySummary::seed).toList());
        Map<String, Map<String, Spread>> rows = new LinkedHashMap<>();
        fieldNames(runs, "results").forEach(row -> {
            Map<String, Spread> m = new LinkedHashMap<>();
            for (String metric : METRICS) {
                m.put(metric, Spread.ofMeasured(runs.stream().map(r -> metric(r, row, metric)).toList()));
            }
            rows.put(row, m);
        });
        e.put("rows", rows);
        e.put("large_minus_tutor_map", Spread.ofMeasured(runs.stream().map(r -> presumedMap(r,
                ExperimentRunner.LARGE_ROW) - presumedMap(r, TUTOR)).toList()));
        e.put("distillA_minus_direct_map", Spread.ofMeasured(runs.stream().map(r -> presumedMap(r, TUTOR)
                - presumedMap(r, ExperimentRunner.DIRECT_TUTOR_ROW)).toList()));
        e.put("distillB_minus_direct_map", over(runs, r -> presumedMap(r, DISTILL_B)
                - presumedMap(r, ExperimentRunner.DIRECT_EDGE_ROW)));
        e.put("distillC_minus_direct_f1", over(runs, r -> metric(r, DISTILL_C, "f1") - metric(r, TRAINING, "f1")));
        e.put("updated_minus_original_tutor_f1", over(runs,
                r -> metric(r, UPDATED_TUTOR, "f1") - metric(r, TUTOR, "f1")));
        boolean adds = first.path("spec").path("added").size() > 0;
        e.put("tutor2_added_ap", adds ? over(runs, r -> addedAp(r, TUTOR2)) : null);
        e.put("tutor1_added_ap", adds ? over(runs, r -> addedAp(r, TUTOR1)) : null);
        e.put("distillC_added_ap", adds ? over(runs, r -> addedAp(r, DISTILL_C)) : null);
        e.put("direct_added_ap", adds ? over(runs, r -> addedAp(r, TRAINING)) : null);
        e.put("distillC_presumed_map", over(runs, r -> presumedMap(r, DISTILL_C)));
        e.put("calibrated_distillC_minus_direct_f1", Spread.ofMeasured(runs.stream()
                .map(r -> calibrated(r, DISTILL_C, "f1") - calibrated(r, TRAINING, "f1")).toList()));
        e.put("calibrated_updated_minus_original_tutor_f1", Spread.ofMeasured(runs.stream()
                .map(r -> calibrated(r, UPDATED_TUTOR, "f1") - calibrated(r, TUTOR, "f1")).toList()));
        Map<String, Map<String, Spread>> calibratedRows = new LinkedHashMap<>();
        rows.keySet().forEach(row -> {
            Map<String, Spread> m = new LinkedHashMap<>();
            for (String metric : METRICS) {
                m.put(metric, Spread.ofMeasured(runs.stream().map(r -> calibrated(r, row, metric)).toList()));
            }
            calibratedRows.put(row, m);
        });
        e.put("calibratedRows", calibratedRows);
        e.put("gate_accepted", gateAccepted(runs));
        return e;
    }

    /**
     * Per seed, whether the gate accepted the update under the spec's policy and under each of its variants (Experiment
     * 2's claim: rejected with the dropped class protected, accepted without); null for a report without that gate.
     */
    private static Map<String, List<Boolean>> gateAccepted(List<JsonNode> runs) {
        Map<String, List<Boolean>> out = new LinkedHashMap<>();
        out.put(SPEC_POLICY, runs.stream().map(r -> accepted(r.path("gate"))).toList());
        fieldNames(runs, "gateVariants").forEach(v ->
                out.put(v, runs.stream().map(r -> accepted(r.path("gateVariants").path(v))).toList()));
        return out;
    }

    private static Boolean accepted(JsonNode decision) {
        return decision.path("accepted").isBoolean() ? decision.path("accepted").asBoolean() : null;
    }

    /**
     * The keys of {@code field} (Table III's rows, the gate variants) over every run, in the order of the run that has
     * the most: older reports lack some.
     */
    private static List<String> fieldNames(List<JsonNode> runs, String field) {
        List<String> names = new ArrayList<>();
        runs.stream().sorted(java.util.Comparator.comparingInt((JsonNode r) -> -r.path(field).size()))
                .forEach(r -> r.path(field).fieldNames().forEachRemaining(n -> {
                    if (!names.contains(n)) {
                        names.add(n);
                    }
                }));
        return names;
    }

    private static Spread over(List<JsonNode> runs, java.util.function.ToDoubleFunction<JsonNode> value) {
        return Spread.of(runs.stream().map(value::applyAsDouble).toList());
    }

    private static double points(JsonNode v) {
        return v.isNumber() ? v.asDouble() * 100 : Double.NaN;
    }

    private static double metric(JsonNode run, String row, String metric) {
        return points(run.path("results").path(row).path(metric));
    }

    /** A row's metric with the model calibrated for the cameras' threshold; NaN in a report from before that. */
    private static double calibrated(JsonNode run, String row, String metric) {
        return points(run.path("resultsCalibratedAtCamerasThreshold").path(row).path(metric));
    }

    /** A row's per-class AP (points) for {@code names}, averaged over the classes the test split shows. */
    private static double meanAp(JsonNode run, String row, JsonNode names) {
        List<String> wanted = new ArrayList<>();
        names.forEach(n -> wanted.add(n.asText()));
        double sum = 0;
        int n = 0;
        for (JsonNode c : run.path("results").path(row).path("classes")) {
            if (wanted.contains(c.path("name").asText()) && c.path("ap").isNumber()) {
                sum += c.path("ap").asDouble() * 100;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static double presumedMap(JsonNode run, String row) {
        return meanAp(run, row, run.path("spec").path("presumed"));
    }

    private static double addedAp(JsonNode run, String row) {
        return meanAp(run, row, run.path("spec").path("added"));
    }

    @SuppressWarnings("unchecked")
    private static String markdown(Map<String, Object> e, List<JsonNode> runs) {
        String knowledge = "labels".equals(e.get("addedClassKnowledge")) ? ""
                : " (added classes " + e.get("addedClassKnowledge") + ")";
        StringBuilder md = new StringBuilder("\n## " + e.get("experiment") + knowledge + " on " + e.get("domain")
                + ", seeds " + e.get("seeds") + "\n\n");
        MarkdownTable t = new MarkdownTable("model", "seed", "mAP@0.5", "precision", "recall", "F1");
        Map<String, Map<String, Spread>> rows = (Map<String, Map<String, Spread>>) e.get("rows");
        for (Map.Entry<String, Map<String, Spread>> row : rows.entrySet()) {
            for (int i = 0; i < runs.size(); i++) {
                List<Object> cells = new ArrayList<>(List.of(row.getKey(), String.valueOf(seed(runs.get(i)))));
                for (String metric : METRICS) {
                    double v = row.getValue().get(metric).values().get(i);
                    cells.add(oneDecimal(v));
                }
                t.row(cells);
            }
            List<Object> mean = new ArrayList<>(List.of(row.getKey(), "mean ± sd"));
            for (String metric : METRICS) {
                mean.add(measuredText(row.getValue().get(metric)));
            }
            t.row(mean);
        }
        MarkdownTable cal = new MarkdownTable("model", "mAP@0.5", "precision", "recall", "F1");
        Map<String, Map<String, Spread>> calRows = (Map<String, Map<String, Spread>>) e.get("calibratedRows");
        calRows.forEach((row, m) -> {
            List<Object> cells = new ArrayList<>(List.of(row));
            for (String metric : METRICS) {
                cells.add(measuredText(m.get(metric)));
            }
            cal.row(cells);
        });
        MarkdownTable claims = new MarkdownTable("claim (points)", "seeds", "mean ± sd");
        for (String k : List.of("large_minus_tutor_map", "distillA_minus_direct_map", "distillB_minus_direct_map",
                "distillC_minus_direct_f1", "updated_minus_original_tutor_f1", "calibrated_distillC_minus_direct_f1",
                "calibrated_updated_minus_original_tutor_f1", "tutor2_added_ap", "tutor1_added_ap", "distillC_added_ap",
                "direct_added_ap", "distillC_presumed_map")) {
            Spread s = (Spread) e.get(k);
            claims.row(k, s == null ? "-" : s.values().stream()
                    .map(FidelitySummary::oneDecimal).toList().toString(), measuredText(s));
        }
        MarkdownTable gate = new MarkdownTable("gate policy", "accepted, per seed");
        ((Map<String, List<Boolean>>) e.get("gate_accepted")).forEach((policy, seeds) -> gate.row(
                SPEC_POLICY.equals(policy) ? "the spec's" : policy, seeds.stream()
                        .map(a -> a == null ? "-" : a ? "yes" : "no").toList().toString()));
        boolean anyCalibrated = calRows.values().stream().anyMatch(m -> m.get("f1").measured() > 0);
        md.append(t).append("\n\n");
        if (anyCalibrated) {
            md.append("Every model calibrated for the cameras' threshold (Table III's second part), mean ± sd over the"
                    + " seeds that measured it:\n\n").append(cal).append("\n\n");
        }
        return md.append(claims).append("\n\n").append(gate).append("\n").toString();
    }

    /** One decimal, "-" for a figure not measured, and no "-0.0" for a difference that rounds to zero. */
    private static String oneDecimal(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.1f", Math.abs(v) < 0.05 ? 0.0 : v);
    }

    /** "mean ± sd", saying over how many seeds when some did not measure it; "-" when none did. */
    private static String measuredText(Spread s) {
        if (s == null || s.measured() == 0) {
            return "-";
        }
        return s.text() + (s.measured() < s.values().size() ? " (" + s.measured() + " of " + s.values().size()
                + " seeds)" : "");
    }
}
