package org.diredi.core.gate;

import java.util.List;
import org.diredi.vision.report.MarkdownTable;

/**
 * The verification gate's verdict with the per-class table it rests on.
 *
 * @param accepted whether the update may ship
 * @param reasons  every rule that failed (empty when accepted) or, when accepted, a summary
 * @param rows     per class: AP before and after (0-1), change in points, the rule applied, pass
 */
public record GateDecision(boolean accepted, List<String> reasons, List<Row> rows, double mapBefore,
                           double mapAfter, GatePolicy policy) {

    /** Exit code of {@code diredi gate}: 0 accepted, 10 rejected (1 and 2 are errors). */
    public static final int EXIT_REJECTED = 10;

    /** One class of the decision table. */
    public record Row(String name, String role, double apBefore, double apAfter, double changePoints, String rule,
                      boolean pass) {}

    public String toMarkdown() {
        MarkdownTable t = new MarkdownTable("class", "role", "AP before", "AP after", "change (points)", "rule", "pass");
        for (Row r : rows) {
            t.row(r.name(), r.role(), String.format("%.3f", r.apBefore()), String.format("%.3f", r.apAfter()),
                    String.format("%+.1f", r.changePoints()), r.rule(), r.pass() ? "yes" : "**no**");
        }
        StringBuilder sb = new StringBuilder();
        sb.append("## Verification gate: ").append(accepted ? "ACCEPTED" : "REJECTED").append("\n\n");
        sb.append(t).append("\n\n");
        sb.append(String.format("mAP over the classes the update keeps (added included, removed left out): "
                + "%.3f -> %.3f (%+.1f points)%n%n", mapBefore, mapAfter, (mapAfter - mapBefore) * 100));
        for (String r : reasons) {
            sb.append("- ").append(r).append('\n');
        }
        return sb.toString();
    }
}
