package org.diredi.workflow.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.update.AddedClassKnowledge;
import org.diredi.cloud.update.PseudoLabels;
import org.diredi.core.delta.CustomerFigures;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.vision.config.ConfigFiles;

/**
 * How the added class reached the cameras, from what the on-prem trainer and the cloud left: what the
 * manufacturer's data knew of it, on what evidence the gate judged it (gate.json), the customer's signed
 * figures the delta carried, the firing check on the manufacturer's images, and the pseudo-labels Distill C
 * drew for it. Fields a run did not produce (a delta refused before the gate, labels the manufacturer had) are
 * null or empty.
 *
 * @param judgedOn     the gate row's evidence: the manufacturer's labels or the customer's signed figures
 * @param gatePoints   the AP change of the added class the gate judged, in points
 * @param figures      the customer's signed figures of the added class, from the delta's manifest
 * @param firing       the firing check on the manufacturer's images (Firing), one per added class
 * @param pseudoLabels Distill C's pseudo-labels per added class
 */
record AddedClassEvidence(String added, AddedClassKnowledge knowledge, String judgedOn, Double gatePoints,
                          Boolean gatePass, Figures figures, List<FiringCheck> firing,
                          Map<String, Integer> pseudoLabels) {

    /** The customer's figures of the added class on its private validation split (AP 0-1), and their signer. */
    record Figures(String keyId, String split, int images, Integer objects, double lambda, double apBefore,
                   double apAfter, double apGainPoints) {}

    /** How often the updated tutor reported the class on the manufacturer's images, and the ranges held to. */
    record FiringCheck(int images, int imagesWithDetection, long detections, String shareRange,
                       String perImageRange, boolean pass) {}

    /**
     * @param cloudJob the cloud's folder of the delta (gate.json, edge-distill-C)
     * @param delta    the delta the on-prem trainer sent
     */
    static AddedClassEvidence read(DemoSettings s, Path cloudJob, Path delta) throws IOException {
        String added = s.added();
        String judgedOn = null;
        Double points = null;
        Boolean pass = null;
        List<FiringCheck> firing = new ArrayList<>();
        Path gate = cloudJob.resolve("gate.json");
        if (Files.isRegularFile(gate)) {
            JsonNode g = ConfigFiles.JSON.readTree(gate.toFile());
            for (JsonNode row : g.path("rows")) {
                if (added.equals(row.path("name").asText())) {
                    judgedOn = row.path("evidence").asText(null);
                    points = row.path("changePoints").asDouble();
                    pass = row.path("pass").asBoolean();
                }
            }
            for (JsonNode f : g.path("firing")) {
                JsonNode m = f.path("measured");
                firing.add(new FiringCheck(m.path("images").asInt(), m.path("imagesWithDetection").asInt(),
                        m.path("detections").asLong(), f.path("shareRange").asText(), f.path("perImageRange").asText(),
                        f.path("pass").asBoolean()));
            }
        }
        Figures figures = Files.isRegularFile(delta) ? figures(KnowledgeDelta.read(delta).manifest().customerFigures(),
                added) : null;
        return new AddedClassEvidence(added, s.addedClassKnowledge(), judgedOn, points, pass, figures, firing,
                PseudoLabels.drawnPerClass(cloudJob.resolve("edge-distill-C")));
    }

    private static Figures figures(CustomerFigures f, String added) {
        if (f == null || f.after().get(added) == null || f.before().get(added) == null) {
            return null;
        }
        return new Figures(f.keyId(), f.split(), f.images(), f.objects().get(added), f.lambda(),
                f.before().get(added).ap(), f.after().get(added).ap(), f.apGainPoints(added));
    }

    /** The report's paragraph on the added class. */
    String toMarkdown() {
        StringBuilder sb = new StringBuilder("Setting: addedClassKnowledge **" + knowledge.id() + "**: ");
        sb.append(switch (knowledge) {
            case LABELS -> "the manufacturer's data labels '" + added + "' (the paper's setup).";
            case UNLABELLED -> "the manufacturer's data holds images showing '" + added + "' but no label of it (its"
                    + " files and its loader alike); the class reaches the cameras through the customer's delta alone.";
            case ABSENT -> "the manufacturer's data holds no image of '" + added + "'; the class reaches the cameras"
                    + " through the customer's delta alone.";
        });
        sb.append("\n\n");
        if (judgedOn != null) {
            sb.append(String.format("The gate judged '%s' on the %s: %+.1f AP points, %s.", added, judgedOn, gatePoints,
                    gatePass ? "passed" : "**failed**"));
        } else {
            sb.append("The gate did not judge '").append(added)
                    .append("' (no gate.json: the delta was refused before it).");
        }
        if (figures != null) {
            sb.append(String.format(" The customer's figures, signed with key %s, on its private split '%s' (%d"
                    + " images, %s objects of '%s', never uploaded), updated tutor at lambda %.2f: AP %.1f -> %.1f"
                    + " (%+.1f points).",
                    figures.keyId(), figures.split(), figures.images(), figures.objects(), added, figures.lambda(),
                    100 * figures.apBefore(), 100 * figures.apAfter(), figures.apGainPoints()));
        }
        for (FiringCheck f : firing) {
            sb.append(String.format(" Firing check on the manufacturer's %d images: '%s' reported on %d of them (%.3f,"
                    + " allowed %s), %d detections (%.3f per image, allowed %s): %s.", f.images(), added,
                    f.imagesWithDetection(), f.images() == 0 ? 0 : f.imagesWithDetection() / (double) f.images(),
                    f.shareRange(), f.detections(), f.images() == 0 ? 0 : f.detections() / (double) f.images(),
                    f.perImageRange(), f.pass() ? "holds" : "**broken**"));
        }
        if (knowledge != AddedClassKnowledge.LABELS) {
            sb.append(" Distill C's pseudo-labels from the updated tutor: ").append(pseudoLabels.isEmpty()
                    ? "none (Distill C did not run)" : pseudoLabels).append('.');
        }
        return sb.append("\n").toString();
    }
}
