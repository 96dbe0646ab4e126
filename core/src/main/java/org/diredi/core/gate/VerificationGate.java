package org.diredi.core.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalResult;

/**
 * DiReDi's verification gate: the manufacturer evaluates its tutor before and after weight
 * substitution on its own validation split and decides by {@link GatePolicy}. Every class gets a
 * row: added classes must gain, protected classes may drop only so far (even if the customer
 * removed them), removed unprotected classes are reported but not judged, other classes may drop
 * only by {@code maxDropOther}.
 */
public final class VerificationGate {

    private VerificationGate() {}

    public static GateDecision decide(EvalResult before, EvalResult after, Set<String> added, Set<String> removed,
                                      GatePolicy policy) {
        List<GateDecision.Row> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        double sumBefore = 0;
        double sumAfter = 0;
        int kept = 0;
        for (ClassResult b : before.classes()) {
            ClassResult a = after.find(b.name());
            if (a == null || !b.hasGroundTruth()) {
                continue; // no validation objects of this class: nothing to judge
            }
            GateDecision.Row row = judge(b.name(), b.ap(), a.ap(), added, removed, policy);
            if (!removed.contains(row.name())) {
                sumBefore += b.ap();
                sumAfter += a.ap();
                kept++;
            }
            if (!row.pass()) {
                failures.add(String.format("%s (%s): AP %.3f -> %.3f (%+.1f points) breaks '%s'", row.name(),
                        row.role(), row.apBefore(), row.apAfter(), row.changePoints(), row.rule()));
            }
            rows.add(row);
        }
        failures.addAll(unverifiedAdditions(added, rows));
        double mapBefore = kept == 0 ? Double.NaN : sumBefore / kept;
        double mapAfter = kept == 0 ? Double.NaN : sumAfter / kept;
        if (policy.minMapChange() != null && (mapAfter - mapBefore) * 100 < policy.minMapChange()) {
            failures.add(String.format("mAP over the classes the update keeps changes by %+.1f points, below %+.1f",
                    (mapAfter - mapBefore) * 100, policy.minMapChange()));
        }
        boolean accepted = failures.isEmpty();
        List<String> reasons = accepted
                ? List.of(String.format("all %d rules hold", rows.size() + (policy.minMapChange() == null ? 0 : 1)))
                : failures;
        return new GateDecision(accepted, reasons, rows, mapBefore, mapAfter, policy);
    }

    /** One class's row: its role in the update, the rule that role is held to, and whether the AP change keeps it. */
    private static GateDecision.Row judge(String name, double apBefore, double apAfter, Set<String> added,
                                          Set<String> removed, GatePolicy policy) {
        double change = (apAfter - apBefore) * 100;
        String role;
        String rule;
        boolean pass;
        Double protect = policy.protectedClasses().get(name);
        if (added.contains(name)) {
            role = "added";
            rule = String.format("gain >= %.1f", policy.minGainAdded());
            pass = change >= policy.minGainAdded();
        } else if (protect != null) {
            role = removed.contains(name) ? "removed, protected" : "protected";
            rule = String.format("drop <= %.1f", protect);
            pass = -change <= protect;
        } else if (removed.contains(name)) {
            role = "removed";
            rule = "reported";
            pass = true;
        } else {
            role = "kept";
            rule = policy.maxDropOther() == null ? "reported" : String.format("drop <= %.1f", policy.maxDropOther());
            pass = policy.maxDropOther() == null || -change <= policy.maxDropOther();
        }
        return new GateDecision.Row(name, role, apBefore, apAfter, change, rule, pass);
    }

    /** Added classes without validation objects: their gain cannot be verified, so each is a failure. */
    private static List<String> unverifiedAdditions(Set<String> added, List<GateDecision.Row> rows) {
        List<String> out = new ArrayList<>();
        for (String name : added) {
            if (rows.stream().noneMatch(r -> r.name().equals(name))) {
                out.add(name + " (added): no validation objects of this class, so the gain cannot be verified");
            }
        }
        return out;
    }
}
