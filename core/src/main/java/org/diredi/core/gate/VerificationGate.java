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
 * only by {@code maxDropOther}. A rule the evidence cannot check is a failed rule, never one that
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
        Set<String> added = e.added();
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
        failures.addAll(unverified(added, "added", "its gain", rows));
        failures.addAll(unverified(policy.protectedClasses().keySet(), "protected", "its drop", rows));
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
