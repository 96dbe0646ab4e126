package org.diredi.core.gate;

import java.util.List;
import org.diredi.vision.report.MarkdownTable;

/**
 * The verification gate's verdict with the per-class table it rests on.
 *
 * @param accepted whether the update may ship
 * @param reasons  every rule that failed (empty when accepted) or, when accepted, a summary
 * @param rows     per class: AP before and after (0-1), change in points, the rule applied, pass, and the
 *                 class's F1 at the operating threshold before and after (0-1)
 * @param operating precision, recall and F1 over the classes the update keeps, where the cameras operate
 * @param firing    when the manufacturer has no labels of an added class: how often the updated tutor reports
 *                  it on the manufacturer's own images, and whether that is in the policy's range
 */
public record GateDecision(boolean accepted, List<String> reasons, List<Row> rows, double mapBefore,
                           double mapAfter, GatePolicy policy, Operating operating, List<FiringRow> firing) {

    public GateDecision {
        firing = firing == null ? List.of() : List.copyOf(firing);
    }

    public GateDecision(boolean accepted, List<String> reasons, List<Row> rows, double mapBefore, double mapAfter,
                        GatePolicy policy, Operating operating) {
        this(accepted, reasons, rows, mapBefore, mapAfter, policy, operating, List.of());
    }

    /** What judged a class's row: the manufacturer's labels (the paper's gate) or the customer's signed figures. */
    public static final String MANUFACTURER_LABELS = "manufacturer's labels";
    public static final String CUSTOMER_FIGURES = "customer's signed figures";

    /** One added class's firing rate on the manufacturer's images, with the ranges it was held to. */
    public record FiringRow(Firing measured, String shareRange, String perImageRange, boolean pass) {}

    /** Exit code of {@code diredi gate}: 0 accepted, 10 rejected (1 and 2 are errors). */
    public static final int EXIT_REJECTED = 10;

    /** One class of the decision table. */
    public record Row(String name, String role, double apBefore, double apAfter, double changePoints, String rule,
                      boolean pass, double f1Before, double f1After, String evidence) {

        /** A row judged on the manufacturer's labels. */
        public Row(String name, String role, double apBefore, double apAfter, double changePoints, String rule,
                   boolean pass, double f1Before, double f1After) {
            this(name, role, apBefore, apAfter, changePoints, rule, pass, f1Before, f1After, MANUFACTURER_LABELS);
        }
    }

    /**
     * Micro precision, recall and F1 (0-1) over the classes the update keeps (added included, removed left
     * out), counting detections at or above {@code scoreThreshold}: what the cameras see.
     *
     * @param rule the F1 rule applied ("reported" without one)
     * @param pass whether the F1 change keeps it
     */
    public record Operating(double scoreThreshold, double precisionBefore, double recallBefore, double f1Before,
                            double precisionAfter, double recallAfter, double f1After, String rule, boolean pass) {

        /** The change of F1, in points. */
        public double f1ChangePoints() {
            return (f1After - f1Before) * 100;
        }
    }

    public String toMarkdown() {
        MarkdownTable t = new MarkdownTable("class", "role", "AP before", "AP after", "change (points)", "rule", "pass",
                "F1 before", "F1 after", "judged on");
        for (Row r : rows) {
            t.row(r.name(), r.role(), String.format("%.3f", r.apBefore()), String.format("%.3f", r.apAfter()),
                    String.format("%+.1f", r.changePoints()), r.rule(), r.pass() ? "yes" : "**no**",
                    String.format("%.3f", r.f1Before()), String.format("%.3f", r.f1After()), r.evidence());
        }
        Operating o = operating;
        StringBuilder sb = new StringBuilder();
        sb.append("## Verification gate: ").append(accepted ? "ACCEPTED" : "REJECTED").append("\n\n");
        sb.append(t).append("\n\n");
        sb.append(String.format("mAP over the classes the update keeps (added included, removed left out): "
                + "%.3f -> %.3f (%+.1f points)%n%n", mapBefore, mapAfter, (mapAfter - mapBefore) * 100));
        sb.append(String.format("At score >= %.2f (the cameras' threshold), over the same classes: precision %.3f -> "
                + "%.3f, recall %.3f -> %.3f, F1 %.3f -> %.3f (%+.1f points; rule: %s, %s)%n%n", o.scoreThreshold(),
                o.precisionBefore(), o.precisionAfter(), o.recallBefore(), o.recallAfter(), o.f1Before(), o.f1After(),
                o.f1ChangePoints(), o.rule(), o.pass() ? "holds" : "**broken**"));
        for (FiringRow f : firing) {
            Firing m = f.measured();
            sb.append(String.format("%s (added, no manufacturer labels): the updated tutor reports it at score >= %.2f "
                    + "on %d of the manufacturer's %d images (share %.3f, allowed %s), %.3f detections per image "
                    + "(allowed %s): %s%n%n", m.className(), o.scoreThreshold(), m.imagesWithDetection(), m.images(),
                    m.share(), f.shareRange(), m.perImage(), f.perImageRange(), f.pass() ? "holds" : "**broken**"));
        }
        for (String r : reasons) {
            sb.append("- ").append(r).append('\n');
        }
        return sb.toString();
    }
}
