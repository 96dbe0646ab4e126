package org.diredi.workflow.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The summary over hand-made reports: every seed, the mean and the sample sd of each claim, known answers. */
class FidelitySummaryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A row: mAP, P, R, F1 (0-1) and AP per class. */
    private static Map<String, Object> row(double map, double f1, Map<String, Double> ap) {
        List<Map<String, Object>> classes = ap.entrySet().stream()
                .map(e -> Map.<String, Object>of("name", e.getKey(), "ap", e.getValue())).toList();
        return Map.of("mAP", map, "precision", 0.5, "recall", 0.4, "f1", f1, "classes", classes);
    }

    /** One seed's report.json: every Table III row from a few numbers. */
    private Path report(String dir, String name, long seed, double distillB, double direct, double f1C, double f1T,
                        double f1Tutor, double f1Updated, double boot1, double boot2) throws Exception {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put(ExperimentRunner.LARGE_ROW, row(0.5, 0.5, Map.of("tshirt", distillB, "bag", distillB)));
        results.put("Original edge-AI model", row(0.4, 0.5, Map.of("tshirt", distillB, "bag", distillB, "boot", 0.0)));
        results.put(ExperimentRunner.DIRECT_EDGE_ROW, row(0.4, 0.5, Map.of("tshirt", direct, "bag", direct,
                "boot", 0.0)));
        results.put("Original tutor", row(0.5, f1Tutor, Map.of("boot", 0.0, "tshirt", distillB + 0.1,
                "bag", distillB + 0.1)));
        results.put(ExperimentRunner.DIRECT_TUTOR_ROW, row(0.5, 0.5, Map.of("tshirt", direct + 0.1,
                "bag", direct + 0.1)));
        results.put("Tutor 1 (RD B)", row(0.5, 0.5, Map.of("boot", boot1)));
        results.put("Tutor 2 (RD A)", row(0.7, 0.7, Map.of("boot", boot2)));
        results.put("Updated tutor (Eq. 10)", row(0.6, f1Updated, Map.of("boot", 0.6)));
        results.put("Updated edge-AI model (Distill C)", row(0.6, f1C, Map.of("boot", 0.7, "tshirt", 0.55)));
        results.put("Updated edge-AI model (Training)", row(0.6, f1T, Map.of("boot", 0.7)));
        Map<String, Object> spec = Map.of("name", name, "data", "work/fashion-scenes",
                "presumed", List.of("tshirt", "bag"), "added", List.of("boot"));
        Path f = tmp.resolve(dir).resolve("seed-" + seed).resolve("report.json");
        Files.createDirectories(f.getParent());
        JSON.writeValue(f.toFile(), Map.of("spec", spec, "seed", seed, "results", results));
        return f;
    }

    @Test
    void everySeedTheMeanAndTheSampleSdOfEachClaimInPoints() throws Exception {
        report("exp1", "exp1", 1, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79);
        report("exp1", "exp1", 2, 0.52, 0.50, 0.65, 0.60, 0.55, 0.50, 0.02, 0.81);
        report("exp1", "exp1", 3, 0.48, 0.48, 0.64, 0.66, 0.55, 0.58, 0.04, 0.83);
        report("exp2", "exp2", 7, 0.40, 0.40, 0.50, 0.50, 0.50, 0.50, 0.00, 0.50);
        String md = FidelitySummary.write(tmp.resolve("out"),
                FidelitySummary.reports(List.of(tmp.resolve("exp1"), tmp.resolve("exp2"))));
        JsonNode s = JSON.readTree(tmp.resolve("out/summary.json").toFile());
        JsonNode exp1 = s.path("experiments").get(0);
        assertEquals("exp1", exp1.path("experiment").asText());
        assertEquals("fashion-scenes", exp1.path("domain").asText());
        assertEquals("[1,2,3]", exp1.path("seeds").toString());
        // Distill B - direct over the presumed classes: 4, 2, 0 points -> mean 2, sd 2 (Distill A - direct the same)
        assertSpread(exp1.path("distillB_minus_direct_map"), new double[] {4, 2, 0}, 2, 2);
        assertSpread(exp1.path("distillA_minus_direct_map"), new double[] {4, 2, 0}, 2, 2);
        // the large teacher is 10 points below the tutor it teaches in every seed
        assertSpread(exp1.path("large_minus_tutor_map"), new double[] {-10, -10, -10}, -10, 0);
        // Distill C - training F1: 3, 5, -2 -> mean 2, sd sqrt(((1)^2 + 3^2 + (-4)^2) / 2) = sqrt(13)
        assertSpread(exp1.path("distillC_minus_direct_f1"), new double[] {3, 5, -2}, 2, Math.sqrt(13));
        assertSpread(exp1.path("updated_minus_original_tutor_f1"), new double[] {-28, -5, 3}, -10,
                Math.sqrt((18 * 18 + 5 * 5 + 13 * 13) / 2.0));
        assertSpread(exp1.path("tutor2_added_ap"), new double[] {79, 81, 83}, 81, 2);
        assertSpread(exp1.path("tutor1_added_ap"), new double[] {0, 2, 4}, 2, 2);
        // Distill C's AP over the presumed classes the test split shows (tshirt only here)
        assertSpread(exp1.path("distillC_presumed_map"), new double[] {55, 55, 55}, 55, 0);
        JsonNode f1 = exp1.path("rows").path("Updated tutor (Eq. 10)").path("f1");
        assertSpread(f1, new double[] {27, 50, 58}, 45, Math.sqrt((18 * 18 + 5 * 5 + 13 * 13) / 2.0));
        JsonNode exp2 = s.path("experiments").get(1);
        assertEquals(0.0, exp2.path("distillC_minus_direct_f1").path("sd").asDouble(), "one seed: sd 0");
        assertTrue(md.contains("## exp1 on fashion-scenes, seeds [1, 2, 3]"), md);
        assertTrue(md.contains("| distillC_minus_direct_f1"), md);
        assertTrue(Files.exists(tmp.resolve("out/summary.md")));
    }

    /** The report made an unlabelled run's: the setting in its spec, and the boot AP of Distill C and of training. */
    private static void unlabelled(Path report, double bootC, double bootT) throws Exception {
        var r = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(report.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) r.path("spec")).put("addedClassKnowledge", "unlabelled");
        for (String[] row : new String[][] {{"Updated edge-AI model (Distill C)", String.valueOf(bootC)},
                {"Updated edge-AI model (Training)", String.valueOf(bootT)}}) {
            var classes = (com.fasterxml.jackson.databind.node.ArrayNode) r.path("results").path(row[0]).path("classes");
            classes.removeAll();
            classes.addObject().put("name", "boot").put("ap", Double.parseDouble(row[1]));
        }
        JSON.writeValue(report.toFile(), r);
    }

    @Test
    void anUnlabelledRunIsItsOwnEntryWithTheAddedClassesApOfDistillCAndDirectTraining() throws Exception {
        report("labels", "exp1", 1, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79);
        unlabelled(report("unlabelled", "exp1", 1, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79), 0.30, 0.0);
        unlabelled(report("unlabelled", "exp1", 2, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79), 0.40, 0.02);
        String md = FidelitySummary.write(tmp.resolve("out"),
                FidelitySummary.reports(List.of(tmp.resolve("labels"), tmp.resolve("unlabelled"))));
        JsonNode entries = JSON.readTree(tmp.resolve("out/summary.json").toFile()).path("experiments");
        assertEquals(2, entries.size(), "one name, two settings: two entries");
        JsonNode labels = entries.get(0);
        JsonNode unlabelled = entries.get(1);
        assertEquals("labels", labels.path("addedClassKnowledge").asText());
        assertEquals("[1]", labels.path("seeds").toString());
        assertSpread(labels.path("distillC_added_ap"), new double[] {70}, 70, 0);
        assertSpread(labels.path("direct_added_ap"), new double[] {70}, 70, 0);
        assertEquals("unlabelled", unlabelled.path("addedClassKnowledge").asText());
        assertEquals("[1,2]", unlabelled.path("seeds").toString());
        assertSpread(unlabelled.path("distillC_added_ap"), new double[] {30, 40}, 35, Math.sqrt(50));
        assertSpread(unlabelled.path("direct_added_ap"), new double[] {0, 2}, 1, Math.sqrt(2));
        assertTrue(md.contains("## exp1 (added classes unlabelled) on fashion-scenes, seeds [1, 2]"), md);
        assertTrue(md.contains("| distillC_added_ap") && md.contains("| direct_added_ap"), md);
    }

    /** Adds the calibrated results to a report: every row at F1 0.5, Distill C, training and both tutors as given. */
    private static void calibrated(Path report, double f1C, double f1T, double f1Tutor, double f1Updated)
            throws Exception {
        var r = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(report.toFile());
        var cal = r.putObject("resultsCalibratedAtCamerasThreshold");
        r.path("results").fieldNames().forEachRemaining(row -> cal.putPOJO(row, row(0.6, 0.5, Map.of())));
        Map.of("Updated edge-AI model (Distill C)", f1C, "Updated edge-AI model (Training)", f1T, "Original tutor",
                f1Tutor, "Updated tutor (Eq. 10)", f1Updated).forEach((row, f1) -> cal.putPOJO(row, row(0.6, f1, Map.of())));
        JSON.writeValue(report.toFile(), r);
    }

    @Test
    void calibratedClaimsAreOverTheSeedsThatMeasuredThemAndTheOthersShowAsNull() throws Exception {
        report("cal", "exp1", 42, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79); // from before calibration
        calibrated(report("cal", "exp1", 43, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79), 0.66, 0.64, 0.55, 0.65);
        calibrated(report("cal", "exp1", 44, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79), 0.67, 0.63, 0.54, 0.66);
        String md = FidelitySummary.write(tmp.resolve("out"), FidelitySummary.reports(List.of(tmp.resolve("cal"))));
        JsonNode e = JSON.readTree(tmp.resolve("out/summary.json").toFile()).path("experiments").get(0);
        JsonNode c = e.path("calibrated_distillC_minus_direct_f1");
        assertTrue(c.path("seeds").get(0).isNull(), c.toString());
        assertEquals(2, c.path("seeds").get(1).asDouble(), 1e-9);
        assertEquals(4, c.path("seeds").get(2).asDouble(), 1e-9);
        assertEquals(3, c.path("mean").asDouble(), 1e-9, "over seeds 43 and 44 only");
        assertEquals(Math.sqrt(2), c.path("sd").asDouble(), 1e-9);
        assertEquals(11, e.path("calibrated_updated_minus_original_tutor_f1").path("mean").asDouble(), 1e-9);
        assertEquals(3, e.path("distillC_minus_direct_f1").path("mean").asDouble(), 1e-9, "the 0.5 claim is kept");
        assertEquals(65.5, e.path("calibratedRows").path("Updated tutor (Eq. 10)").path("f1").path("mean").asDouble(),
                1e-9);
        String line = md.lines().filter(l -> l.startsWith("| calibrated_distillC_minus_direct_f1")).findFirst()
                .orElseThrow();
        assertTrue(line.contains("[-, 2.0, 4.0]") && line.contains("3.0 ± 1.4 (2 of 3 seeds)"), line);
    }

    /** Adds the gate's decisions to a report: the spec's policy, and a variant without the dropped class protected. */
    private static void gate(Path report, boolean accepted, boolean unprotectedAccepted) throws Exception {
        var r = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(report.toFile());
        r.putObject("gate").put("accepted", accepted);
        r.putObject("gateVariants").putObject("bag-unprotected").put("accepted", unprotectedAccepted);
        JSON.writeValue(report.toFile(), r);
    }

    @Test
    void theGatesDecisionUnderTheSpecsPolicyAndEachVariantIsGivenPerSeed() throws Exception {
        gate(report("exp2", "exp2", 42, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79), false, true);
        gate(report("exp2", "exp2", 43, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79), false, false);
        report("exp2", "exp2", 41, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79); // a report without its gate
        String md = FidelitySummary.write(tmp.resolve("out"), FidelitySummary.reports(List.of(tmp.resolve("exp2"))));
        JsonNode g = JSON.readTree(tmp.resolve("out/summary.json").toFile()).path("experiments").get(0)
                .path("gate_accepted");
        // the first seed's report has no gate: the variants come from the seeds that have them
        assertEquals("[null,false,false]", g.path(FidelitySummary.SPEC_POLICY).toString());
        assertEquals("[null,true,false]", g.path("bag-unprotected").toString());
        assertTrue(md.contains("| the spec's") && md.contains("[-, no, no]"), md);
        assertTrue(md.contains("| bag-unprotected") && md.contains("[-, yes, no]"), md);
    }

    @Test
    void aRowThatOlderReportsLackIsSummarisedOverTheSeedsThatHaveIt() throws Exception {
        Path old = report("exp1", "exp1", 42, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79);
        var r = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(old.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) r.path("results")).remove(ExperimentRunner.DIRECT_TUTOR_ROW);
        JSON.writeValue(old.toFile(), r);
        report("exp1", "exp1", 43, 0.52, 0.50, 0.65, 0.60, 0.55, 0.50, 0.02, 0.81);
        String md = FidelitySummary.write(tmp.resolve("out"), FidelitySummary.reports(List.of(tmp.resolve("exp1"))));
        JsonNode e = JSON.readTree(tmp.resolve("out/summary.json").toFile()).path("experiments").get(0);
        JsonNode a = e.path("distillA_minus_direct_map");
        assertTrue(a.path("seeds").get(0).isNull(), a.toString());
        assertEquals(2, a.path("mean").asDouble(), 1e-9, "seed 43 only");
        assertEquals(0, a.path("sd").asDouble(), 1e-9, "one seed shows no spread");
        // measured by no seed: neither a mean nor a spread
        FidelitySummary.write(tmp.resolve("old-only"), FidelitySummary.reports(List.of(old.getParent())));
        JsonNode none = JSON.readTree(tmp.resolve("old-only/summary.json").toFile()).path("experiments").get(0)
                .path("distillA_minus_direct_map");
        assertTrue(none.path("mean").isNull() && none.path("sd").isNull(), none.toString());
        JsonNode map = e.path("rows").path(ExperimentRunner.DIRECT_TUTOR_ROW).path("mAP");
        assertTrue(map.path("seeds").get(0).isNull(), map.toString());
        assertEquals(50, map.path("mean").asDouble(), 1e-9);
        String line = md.lines().filter(l -> l.startsWith("| " + ExperimentRunner.DIRECT_TUTOR_ROW)
                && l.contains("| 42 ")).findFirst().orElseThrow();
        assertTrue(line.matches("[^|]*\\|[^|]*\\|[^|]*\\| -\\s+\\| -\\s+\\| -\\s+\\| -\\s+\\|"), line);
    }

    @Test
    void aFolderWithoutReportsIsNamed() throws Exception {
        Files.createDirectories(tmp.resolve("empty"));
        var e = assertThrows(IllegalArgumentException.class,
                () -> FidelitySummary.reports(List.of(tmp.resolve("empty"))));
        assertTrue(e.getMessage().startsWith(tmp.resolve("empty") + ": no report.json"), e.getMessage());
    }

    private static void assertSpread(JsonNode spread, double[] seeds, double mean, double sd) {
        assertEquals(seeds.length, spread.path("seeds").size(), spread.toString());
        for (int i = 0; i < seeds.length; i++) {
            assertEquals(seeds[i], spread.path("seeds").get(i).asDouble(), 1e-9, spread.toString());
        }
        assertEquals(mean, spread.path("mean").asDouble(), 1e-9, spread.toString());
        assertEquals(sd, spread.path("sd").asDouble(), 1e-9, spread.toString());
    }

    @Test
    void seedsWhoseReportsCameWithoutTheirStagesAreKeptAndSummarised() throws Throwable {
        TrainConfig base = TrainConfig.DEFAULTS.withSeed(42);
        report("kept", "exp1", 42, 0.50, 0.46, 0.63, 0.60, 0.55, 0.27, 0.00, 0.79);
        report("kept", "exp1", 43, 0.52, 0.50, 0.65, 0.60, 0.55, 0.50, 0.02, 0.81);
        // no data, no stages: a seed that ran would fail here, so both must have been kept
        String said = printed(() -> ExperimentRunner.runSeeds(ExperimentSpec.DEFAULTS, null, tmp.resolve("kept"), base,
                2, "test"));
        assertTrue(said.contains("seed 42 kept") && said.contains("seed 43 kept"), said);
        JsonNode entry = JSON.readTree(tmp.resolve("kept/summary.json").toFile()).path("experiments").get(0);
        assertEquals(2, entry.path("seeds").size(), entry.toString());
        // a stage folder means the seed ran here: it resumes (and, without its data, fails) instead of being kept
        Files.createDirectories(tmp.resolve("kept/seed-43/tutor2-rdA"));
        String resumed = printed(() -> assertThrows(RuntimeException.class, () -> ExperimentRunner.runSeeds(
                ExperimentSpec.DEFAULTS, null, tmp.resolve("kept"), base, 2, "test")));
        assertTrue(resumed.contains("seed 42 kept") && !resumed.contains("seed 43 kept"), resumed);
    }

    /** What {@code body} prints on standard output. */
    private static String printed(Executable body) throws Throwable {
        PrintStream was = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            body.execute();
        } finally {
            System.setOut(was);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
