package org.diredi.core.gate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.diredi.core.delta.CustomerFigures;
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
     * @param customerFigures when the manufacturer has no labels of the added classes: the customer's figures,
     *                   whose signature the caller has verified; they judge the added classes' gain. Null: the
     *                   manufacturer's labels judge every class (the paper's gate)
     * @param firing     per added class, how often the updated tutor reports it on the manufacturer's images;
     *                   empty when not measured
     */
    public record Evidence(List<String> labelSpace, EvalResult before, EvalResult after, Set<String> added,
                           Set<String> removed, CustomerFigures customerFigures, Map<String, Firing> firing) {
        public Evidence {
            labelSpace = List.copyOf(labelSpace);
            added = Set.copyOf(added);
            removed = Set.copyOf(removed);
            firing = firing == null ? Map.of() : Map.copyOf(firing);
        }

        /** Every class judged on the manufacturer's labels. */
        public Evidence(List<String> labelSpace, EvalResult before, EvalResult after, Set<String> added,
                        Set<String> removed) {
            this(labelSpace, before, after, added, removed, null, Map.of());
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
            if (a == null || !b.hasGroundTruth() || byFigures(e, b.name())) {
                continue; // no validation objects of this class, or the customer's figures judge it
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
        rows.addAll(judgeOnFigures(e, policy, failures));
        failures.addAll(unverified(e.customerFigures() == null ? e.added() : Set.of(), "added", "its gain", rows));
        failures.addAll(unverified(policy.protectedClasses().keySet(), "protected", "its drop", rows));
        double mapBefore = kept == 0 ? Double.NaN : sumBefore / kept;
        double mapAfter = kept == 0 ? Double.NaN : sumAfter / kept;
        if (policy.minMapChange() != null && (mapAfter - mapBefore) * 100 < policy.minMapChange()) {
            failures.add(String.format("mAP over the classes the update keeps changes by %+.1f points, below %+.1f",
                    (mapAfter - mapBefore) * 100, policy.minMapChange()));
        }
        GateDecision.Operating operating = operating(e, policy, failures);
        List<GateDecision.FiringRow> firing = firing(e, policy, failures);
        boolean accepted = failures.isEmpty();
        int rules = rows.size() + firing.size() + (policy.minMapChange() == null ? 0 : 1)
                + (policy.maxF1Drop() == null ? 0 : 1);
        List<String> reasons = accepted ? List.of(String.format("all %d rules hold", rules)) : failures;
        return new GateDecision(accepted, reasons, rows, mapBefore, mapAfter, policy, operating, firing);
    }

    private static boolean byFigures(Evidence e, String name) {
        return e.customerFigures() != null && e.added().contains(name);
    }

    /**
     * The added classes' rows judged on the customer's signed figures (AP after - before on its private
     * validation split, Eq. 10's tutor against the original); a class the figures do not hold is a failure.
     */
    private static List<GateDecision.Row> judgeOnFigures(Evidence e, GatePolicy policy, List<String> failures) {
        CustomerFigures f = e.customerFigures();
        List<GateDecision.Row> rows = new ArrayList<>();
        if (f == null) {
            return rows;
        }
        String evidence = String.format("%s (%s: %d images, %d objects)", GateDecision.CUSTOMER_FIGURES, f.split(),
                f.images(), f.objects().values().stream().mapToInt(Integer::intValue).sum());
        for (String name : new TreeSet<>(e.added())) {
            CustomerFigures.ClassFigures b = f.before().get(name);
            CustomerFigures.ClassFigures a = f.after().get(name);
            if (b == null || a == null) {
                failures.add(name + " (added): the customer's signed figures hold no objects of this class, so its"
                        + " gain cannot be verified");
                continue;
            }
            double change = (a.ap() - b.ap()) * 100;
            String rule = String.format("gain >= %.1f", policy.minGainAdded());
            boolean pass = change >= policy.minGainAdded();
            if (!pass) {
                failures.add(String.format("%s (added, on the %s): AP %.3f -> %.3f (%+.1f points) breaks '%s'", name,
                        evidence, b.ap(), a.ap(), change, rule));
            }
            rows.add(new GateDecision.Row(name, "added", b.ap(), a.ap(), change, rule, pass, b.f1(), a.f1(), evidence));
        }
        return rows;
    }

    /**
     * The manufacturer's own check of added classes it has no labels for: the updated tutor's firing rate on
     * its images must lie in the policy's ranges (lower bounds only where the images may show the class).
     */
    private static List<GateDecision.FiringRow> firing(Evidence e, GatePolicy policy, List<String> failures) {
        List<GateDecision.FiringRow> rows = new ArrayList<>();
        for (String name : new TreeSet<>(e.firing().keySet())) {
            Firing m = e.firing().get(name);
            GatePolicy.Range share = judged(policy.addedFiringShare(), m.classShown());
            GatePolicy.Range perImage = judged(policy.addedDetectionsPerImage(), m.classShown());
            boolean pass = share.contains(m.share()) && perImage.contains(m.perImage());
            if (!pass) {
                failures.add(String.format("%s (added, no manufacturer labels): the updated tutor reports it on %d of "
                        + "%d of the manufacturer's images (share %.3f, allowed %s), %.3f detections per image "
                        + "(allowed %s) at score >= %.2f", name, m.imagesWithDetection(), m.images(), m.share(),
                        share, m.perImage(), perImage, policy.scoreThreshold()));
            }
            rows.add(new GateDecision.FiringRow(m, share.toString(), perImage.toString(), pass));
        }
        return rows;
    }

    /** The range judged: none when the policy has none, without its lower bound when the images cannot show the class. */
    private static GatePolicy.Range judged(GatePolicy.Range r, boolean classShown) {
        if (r == null) {
            return new GatePolicy.Range(null, null);
        }
        return classShown ? r : new GatePolicy.Range(null, r.max());
    }

    /**
     * Micro precision, recall and F1 over the classes the update keeps (the added ones only where the manufacturer
     * labels them), before and after, and the F1 rule;
     * adds its failure to {@code failures}. Evidence measured at another score threshold than the policy's
     * cannot check the rule, so it fails it.
     */
    private static GateDecision.Operating operating(Evidence e, GatePolicy policy, List<String> failures) {
        // Without labels of the added classes, their detections on the manufacturer's images (which may show them)
        // cannot be told right from wrong: they stay out of the F1, and the firing check judges them.
        Set<String> unjudged = new HashSet<>(e.removed());
        if (e.customerFigures() != null) {
            unjudged.addAll(e.added());
        }
        double[] b = micro(e.before(), unjudged);
        double[] a = micro(e.after(), unjudged);
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
     * {precision, recall, F1} from the true / false positives and misses summed over every class not in
     * {@code unjudged} (a class without validation objects adds its false alarms).
     */
    static double[] micro(EvalResult r, Set<String> unjudged) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (ClassResult c : r.classes()) {
            if (!unjudged.contains(c.name())) {
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
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }
}
