package org.diredi.workflow.demo;

import ai.djl.Device;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.engine.Devices;
import org.diredi.core.stage.Stages;
import org.diredi.messaging.DeltaDecision;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.Charts;
import org.diredi.vision.report.MarkdownTable;

/**
 * The demo's before / after: AP per class of edge model v0 and v1 on the test split (presumed classes
 * and the new one) beside what the cameras detected with each, as report.md and per-class-ap.png.
 */
final class DemoReport {

    /** How the customer's update ended: the cloud's decision, the edge model it made, cameras that applied it. */
    record Update(DeltaDecision decision, Path updatedEdge, int applied, int cameras) {}

    private DemoReport() {}

    /** Writes report.md, report.json and per-class-ap.png into the demo's folder and prints the report. */
    static void write(DemoSettings s, DemoData d, ManufacturerStages.Models models, Update u, AddedClassEvidence added,
                      DetectionTally seen, StageClock clock, PrintStream out) throws IOException {
        List<String> shown = new ArrayList<>(s.presumed());
        shown.add(s.added());
        VocDataset test = VocDataset.load(d.scenes(), "test", d.classes()).restrictTo(shown);
        Device on = Devices.require(s.device(), "device");
        EvalResult b = Stages.evaluate(models.edge(), test, null, on);
        EvalResult a = u.decision().accepted() ? Stages.evaluate(u.updatedEdge(), test, null, on) : null;
        clock.lap("report", "edge v0 and v1 on the test split");
        double[] vb = apPercent(b, shown);
        double[] va = apPercent(a, shown);
        MarkdownTable t = table(s, shown, b, a, vb, va, seen);
        Map<String, double[]> chart = new LinkedHashMap<>();
        chart.put("edge v0 (before)", vb);
        chart.put("edge v1 (after)", va);
        Charts.groupedBarChart("Edge model AP per class, before / after the customer's update", shown, chart, "AP (%)",
                s.out().resolve("per-class-ap.png"));
        int i = shown.indexOf(s.added());
        String md = markdown(s, models, u, t, clock, added, String.format("The cameras on '%s': AP %.1f (edge v0) ->"
                + " %s (edge v1) on the test split; correct / all detections on their frames %s (v0) -> %s (v1).",
                s.added(), vb[i],
                a == null ? "- (not shipped)" : String.format("%.1f", va[i]), seen.detections("v0", s.added()),
                seen.detections("v1", s.added())));
        AtomicFiles.writeString(s.out().resolve("report.md"), md);
        AtomicFiles.writeJson(s.out().resolve("report.json"),
                json(s, u, added, shown, vb, a == null ? null : va, seen));
        out.println(md);
    }

    /** AP in percent per class in {@code shown}; 0 for a class without a result or without a model. */
    private static double[] apPercent(EvalResult r, List<String> shown) {
        double[] v = new double[shown.size()];
        for (int i = 0; i < shown.size(); i++) {
            ClassResult c = r == null ? null : r.find(shown.get(i));
            v[i] = c == null ? 0 : 100 * c.ap();
        }
        return v;
    }

    private static MarkdownTable table(DemoSettings s, List<String> shown, EvalResult b, EvalResult a, double[] vb,
                                       double[] va, DetectionTally seen) {
        MarkdownTable t = new MarkdownTable("class", "AP before (edge v0)", "AP after (edge v1)",
                "camera detections v0 (correct / all)", "camera detections v1 (correct / all)");
        for (int i = 0; i < shown.size(); i++) {
            String c = shown.get(i);
            t.row(c + (c.equals(s.added()) ? " (new)" : ""), String.format("%.1f", vb[i]),
                    a == null ? "-" : String.format("%.1f", va[i]), seen.detections("v0", c), seen.detections("v1", c));
        }
        t.row("mAP / frames", String.format("%.1f", 100 * b.map()), a == null ? "-" : String.format("%.1f", 100 * a.map()),
                seen.frames("v0") + " frames", seen.frames("v1") + " frames");
        return t;
    }

    /** report.json: the setting, the decision, the added class's evidence, AP and camera detections per class. */
    private static Map<String, Object> json(DemoSettings s, Update u, AddedClassEvidence added, List<String> shown,
                                            double[] apBefore, double[] apAfter, DetectionTally seen) {
        Map<String, Object> perClass = new LinkedHashMap<>();
        for (int i = 0; i < shown.size(); i++) {
            String c = shown.get(i);
            perClass.put(c, Map.of("apBefore", apBefore[i], "apAfter", apAfter == null ? "-" : apAfter[i],
                    "cameraDetectionsV0", seen.detections("v0", c), "cameraDetectionsV1", seen.detections("v1", c)));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", s.commandLine());
        json.put("addedClassKnowledge", s.addedClassKnowledge());
        json.put("decision", u.decision());
        json.put("camerasApplied", u.applied());
        json.put("addedClass", added);
        json.put("testSplitPercent", perClass);
        return json;
    }

    private static String markdown(DemoSettings s, ManufacturerStages.Models models, Update u, MarkdownTable t,
                                   StageClock clock, AddedClassEvidence added, String camerasOnAdded) {
        DeltaDecision decision = u.decision();
        return "# DiReDi demo\n\nCustomer '" + DemoWorkflow.CUSTOMER + "' adds '" + s.added() + "'; decision: **"
                + decision.status() + "** (" + decision.reason() + "); cameras that applied the update: " + u.applied()
                + "/" + u.cameras() + ". AP on the test split (presumed classes + the new one); camera detections"
                + " counted from the detection events of both cameras (score >= 0.3) on test scenes that contain the new"
                + " class; a detection is correct when it overlaps a labelled object of its class with IoU >= 0.5.\n\n" + t
                + "\n## The added class\n\n" + added.toMarkdown() + "\n" + camerasOnAdded + "\n"
                + String.format("%nTotal time %.1f min (family %s, epochs tutor/edge/RD/C %s, backbones: tutor %s,"
                + " edge %s; manufacturer models: %s).%n", clock.total().toMillis() / 60_000.0, s.family(),
                s.epochs().list(), describe(ManufacturerStages.pretrained(s, "tutor")),
                describe(ManufacturerStages.pretrained(s, "edge")), models.origin())
                + "\n## Where the time went\n\nWall time of each stage of this run (the demo's own clock, from the"
                + " data to this report; the JVM's start and a first build come before it).\n\n" + clock.table()
                + "\n![per-class AP](per-class-ap.png)\n";
    }

    private static String describe(Path backbone) {
        return backbone == null ? "random" : "pretrained (" + backbone.getFileName() + ")";
    }
}
