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
 * only by {@code maxDropOther}; and the micro F1 over the classes the update keeps, at the cameras' score
 * threshold, may drop only by {@code maxF1Drop} (see {@link GatePolicy} for why). A rule the evidence cannot check is a failed rule, never one that
 * holds: an added or protected class without validation objects fails, and a policy that names a
 * class outside the model's label space is refused before anything is decided.
 */
public final class VerificationGate {

    private VerificationGate() {}

    /**
     * What the gate judges.
     *
     * @param labelSpace the model's classes, in head order
     * @param before     the tutor before Eq. 10 on the validation split
     * @param after      the updated tutor on the same split
     * @param added      the delta's added classes (must gain)
     * @param removed    the delta's removed classes (reported, judged only when protected)
     */
    public record Evidence(List<String> labelSpace, EvalResult before, EvalResult after, Set<String> added,
                           Set<String> removed) {
        public Evidence {
            labelSpace = List.copyOf(labelSpace);
            added = Set.copyOf(added);
            removed = Set.copyOf(removed);
        }

        /** The same evaluations, judged under another policy. */
        public GateDecision decide(GatePolicy policy) {
            return VerificationGate.decide(this, policy);
        }
    }

    /** Thrown for a policy or delta that names a class the model does not have: nothing is decided. */
    public static final class PolicyException extends IllegalArgumentException {
        PolicyException(String message) {
            super(message);
        }
    }

    public static GateDecision decide(Evidence e, GatePolicy policy) {
        requireKnownClasses(e, policy);
        EvalResult before = e.before();
        EvalResult after = e.after();
        Set<String> removed = e.removed();
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
            GateDecision.Row row = judge(b, a, e.added(), removed, policy);
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
        failures.addAll(unverified(e.added(), "added", "its gain", rows));
        failures.addAll(unverified(policy.protectedClasses().keySet(), "protected", "its drop", rows));
        double mapBefore = kept == 0 ? Double.NaN : sumBefore / kept;
        double mapAfter = kept == 0 ? Double.NaN : sumAfter / kept;
        if (policy.minMapChange() != null && (mapAfter - mapBefore) * 100 < policy.minMapChange()) {
            failures.add(String.format("mAP over the classes the update keeps changes by %+.1f points, below %+.1f",
                    (mapAfter - mapBefore) * 100, policy.minMapChange()));
        }
        GateDecision.Operating operating = operating(e, policy, failures);
        boolean accepted = failures.isEmpty();
        int rules = rows.size() + (policy.minMapChange() == null ? 0 : 1) + (policy.maxF1Drop() == null ? 0 : 1);
        List<String> reasons = accepted ? List.of(String.format("all %d rules hold", rules)) : failures;
        return new GateDecision(accepted, reasons, rows, mapBefore, mapAfter, policy, operating);
    }

    /**
     * Micro precision, recall and F1 over the classes the update keeps, before and after, and the F1 rule;
     * adds its failure to {@code failures}. Evidence measured at another score threshold than the policy's
     * cannot check the rule, so it fails it.
     */
    private static GateDecision.Operating operating(Evidence e, GatePolicy policy, List<String> failures) {
        double[] b = micro(e.before(), e.removed());
        double[] a = micro(e.after(), e.removed());
        double measuredAt = e.after().config().scoreThreshold();
        boolean sameThreshold = Math.abs(measuredAt - policy.scoreThreshold()) < 1e-9
                && Math.abs(e.before().config().scoreThreshold() - policy.scoreThreshold()) < 1e-9;
        double change = (a[2] - b[2]) * 100;
        String rule = policy.maxF1Drop() == null ? "reported" : String.format("F1 drop <= %.1f", policy.maxF1Drop());
        boolean pass = policy.maxF1Drop() == null || (sameThreshold && -change <= policy.maxF1Drop());
        if (!pass && !sameThreshold) {
            failures.add(String.format("F1 was measured at score %.2f, but the policy judges it at %.2f: its drop "
                    + "cannot be verified", measuredAt, policy.scoreThreshold()));
        } else if (!pass) {
            failures.add(String.format("F1 over the classes the update keeps, at score >= %.2f: %.3f -> %.3f "
                    + "(%+.1f points; precision %.3f -> %.3f) breaks '%s'", policy.scoreThreshold(), b[2], a[2],
                    change, b[0], a[0], rule));
        }
        return new GateDecision.Operating(measuredAt, b[0], b[1], b[2], a[0], a[1], a[2], rule, pass);
    }

    /**
     * {precision, recall, F1} from the true / false positives and misses summed over every class not removed
     * (a class without validation objects adds its false alarms).
     */
    static double[] micro(EvalResult r, Set<String> removed) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (ClassResult c : r.classes()) {
            if (!removed.contains(c.name())) {
                tp += c.tp();
                fp += c.fp();
                fn += c.fn();
            }
        }
        double p = tp + fp == 0 ? 0 : tp / (double) (tp + fp);
        double rec = tp + fn == 0 ? 0 : tp / (double) (tp + fn);
        double f1 = p + rec == 0 ? 0 : 2 * p * rec / (p + rec);
        return new double[] {p, rec, f1};
    }

    /** One class's row: its role in the update, the rule that role is held to, and whether the AP change keeps it. */
    private static GateDecision.Row judge(ClassResult before, ClassResult after, Set<String> added,
                                          Set<String> removed, GatePolicy policy) {
        String name = before.name();
        double change = (after.ap() - before.ap()) * 100;
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
        return new GateDecision.Row(name, role, before.ap(), after.ap(), change, rule, pass, before.f1(), after.f1());
    }

    /** Classes of {@code role} without validation objects: their rule cannot be checked, so each is a failure. */
    private static List<String> unverified(Set<String> names, String role, String what, List<GateDecision.Row> rows) {
        List<String> out = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(names)) {
            if (rows.stream().noneMatch(r -> r.name().equals(name))) {
                out.add(name + " (" + role + "): no validation objects of this class, so " + what
                        + " cannot be verified");
            }
        }
        return out;
    }

    private static void requireKnownClasses(Evidence e, GatePolicy policy) {
        for (String c : new java.util.TreeSet<>(policy.protectedClasses().keySet())) {
            if (!e.labelSpace().contains(c)) {
                throw new PolicyException("gate policy: protectedClasses names '" + c + "', which is not a class of"
                        + " this model (classes: " + String.join(", ", e.labelSpace()) + ")");
            }
        }
        for (String c : new java.util.TreeSet<>(e.added().size() + e.removed().size() == 0 ? Set.<String>of()
                : union(e.added(), e.removed()))) {
            if (!e.labelSpace().contains(c)) {
                throw new PolicyException("the delta names class '" + c + "', which is not a class of this model");
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }
}
