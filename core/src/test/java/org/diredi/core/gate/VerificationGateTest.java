package org.diredi.core.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.junit.jupiter.api.Test;

/** Gate decisions on hand-made per-class tables (the paper's Experiment 2: learn dog, drop horse). */
class VerificationGateTest {

    private static final List<String> NAMES = List.of("cat", "dog", "horse", "person");

    private static EvalResult table(double... ap) {
        List<ClassResult> rows = new ArrayList<>();
        for (int i = 0; i < ap.length; i++) {
            rows.add(new ClassResult(i, NAMES.get(i), ap[i], 20, 0, 30, 15, 5, 5, 0.75, 0.75, 0.75));
        }
        double map = java.util.Arrays.stream(ap).average().orElse(0);
        return new EvalResult(map, 50, rows, 60, 20, 20, 0.75, 0.75, 0.75, EvalConfig.DEFAULT);
    }

    private static GateDecision decide(EvalResult before, EvalResult after, Set<String> added, Set<String> removed,
                                       GatePolicy policy) {
        return VerificationGate.decide(new VerificationGate.Evidence(NAMES, before, after, added, removed), policy);
    }

    @Test
    void aProtectedClassOutsideTheLabelSpaceIsRefusedNotSkipped() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(VerificationGate.PolicyException.class,
                () -> decide(table(0.6, 0.02, 0.7, 0.8), table(0.6, 0.6, 0.7, 0.8), Set.of("dog"), Set.of(),
                        new GatePolicy(Map.of("hrose", 0.0), 5.0, 10.0, null)));
        assertTrue(e.getMessage().contains("'hrose'") && e.getMessage().contains("cat, dog, horse, person"),
                e.getMessage());
    }

    @Test
    void aProtectedClassWithoutValidationObjectsFailsItsRule() {
        // horse has no objects in the validation split: its protection cannot be checked, so the update waits
        EvalResult before = table(0.6, 0.02, 0.7, 0.8);
        EvalResult after = table(0.6, 0.6, 0.7, 0.8);
        List<ClassResult> noHorse = new ArrayList<>(before.classes());
        noHorse.set(2, new ClassResult(2, "horse", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        List<ClassResult> noHorseAfter = new ArrayList<>(after.classes());
        noHorseAfter.set(2, new ClassResult(2, "horse", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        GateDecision d = decide(withClasses(before, noHorse), withClasses(after, noHorseAfter), Set.of("dog"),
                Set.of(), new GatePolicy(Map.of("horse", 0.0), 5.0, 10.0, null));
        assertFalse(d.accepted(), d.toMarkdown());
        assertTrue(d.reasons().stream().anyMatch(r -> r.startsWith("horse (protected): no validation objects")),
                d.reasons().toString());
    }

    private static EvalResult withClasses(EvalResult r, List<ClassResult> classes) {
        return new EvalResult(r.map(), r.numImages(), classes, r.tp(), r.fp(), r.fn(), r.precision(), r.recall(),
                r.f1(), r.config());
    }

    @Test
    void aDeltaThatTeachesTheAddedClassAndKeepsTheRestIsAccepted() {
        GateDecision d = decide(table(0.60, 0.02, 0.70, 0.80), table(0.61, 0.55, 0.69, 0.78),
                Set.of("dog"), Set.of(), new GatePolicy(Map.of(), 5.0, 10.0, null));
        assertTrue(d.accepted(), d.toMarkdown());
        GateDecision.Row dog = d.rows().stream().filter(r -> r.name().equals("dog")).findFirst().orElseThrow();
        assertEquals("added", dog.role());
        assertEquals(53.0, dog.changePoints(), 1e-9);
        assertTrue(d.toMarkdown().contains("ACCEPTED"));
    }

    @Test
    void removingAProtectedClassIsRejectedAndAnUnprotectedOneAccepted() {
        EvalResult before = table(0.60, 0.02, 0.70, 0.80);
        EvalResult after = table(0.60, 0.50, 0.20, 0.79); // horse drops 50 points
        GateDecision protectedHorse = decide(before, after, Set.of("dog"), Set.of("horse"),
                new GatePolicy(Map.of("horse", 5.0), 5.0, 10.0, null));
        assertFalse(protectedHorse.accepted());
        assertEquals(1, protectedHorse.reasons().size());
        assertTrue(protectedHorse.reasons().get(0).startsWith("horse (removed, protected)"), protectedHorse.reasons().get(0));
        assertTrue(protectedHorse.toMarkdown().contains("REJECTED"));
        GateDecision free = decide(before, after, Set.of("dog"), Set.of("horse"),
                new GatePolicy(Map.of(), 5.0, 10.0, null));
        assertTrue(free.accepted(), free.toMarkdown());
        GateDecision.Row horse = free.rows().stream().filter(r -> r.name().equals("horse")).findFirst().orElseThrow();
        assertEquals(-50.0, horse.changePoints(), 1e-9); // the drop is reported even when allowed
        // the mAP covers the classes the update keeps (the added one too) and leaves the removed class out: (0.60 + 0.02 + 0.80) / 3 -> (0.60 + 0.50 + 0.79) / 3
        assertEquals(0.63, free.mapAfter(), 1e-9);
    }

    @Test
    void tooSmallAGainOrACollateralDropIsRejected() {
        GateDecision weak = decide(table(0.6, 0.02, 0.7, 0.8), table(0.6, 0.08, 0.7, 0.8),
                Set.of("dog"), Set.of(), GatePolicy.DEFAULTS);
        assertFalse(weak.accepted());
        assertTrue(weak.reasons().get(0).contains("dog"));
        GateDecision collateral = decide(table(0.6, 0.02, 0.7, 0.8), table(0.5, 0.6, 0.7, 0.8),
                Set.of("dog"), Set.of(), GatePolicy.DEFAULTS);
        assertFalse(collateral.accepted());
        assertTrue(collateral.reasons().get(0).startsWith("cat (kept)"), collateral.reasons().toString());
        GateDecision mapRule = decide(table(0.6, 0.02, 0.7, 0.8), table(0.58, 0.5, 0.68, 0.78),
                Set.of("dog"), Set.of(), new GatePolicy(Map.of(), null, 10.0, 20.0));
        assertFalse(mapRule.accepted()); // +10.5 points of mAP is below the +20 asked for
    }

    /** A table whose classes keep their AP but whose detections at the score threshold are {tp, fp} per class. */
    private static EvalResult atThreshold(double threshold, double[] ap, int[][] tpFp) {
        List<ClassResult> rows = new ArrayList<>();
        for (int i = 0; i < ap.length; i++) {
            int tp = tpFp[i][0];
            int fp = tpFp[i][1];
            double p = tp + fp == 0 ? 0 : tp / (double) (tp + fp);
            double r = tp / 20.0;
            rows.add(new ClassResult(i, NAMES.get(i), ap[i], 20, 0, 100, tp, fp, 20 - tp, p, r,
                    p + r == 0 ? 0 : 2 * p * r / (p + r)));
        }
        return new EvalResult(java.util.Arrays.stream(ap).average().orElse(0), 50, rows, 0, 0, 0, 0, 0, 0,
                EvalConfig.DEFAULT.withScoreThreshold(threshold));
    }

    @Test
    void anF1DropAloneRejectsTheUpdateThoughEveryApRuleHolds() {
        // Experiment 1 after Eq. 10: AP rises, but the added class fires everywhere above the cameras' threshold
        double[] apBefore = {0.60, 0.02, 0.70, 0.80};
        double[] apAfter = {0.61, 0.55, 0.69, 0.78};
        EvalResult before = atThreshold(0.3, apBefore, new int[][] {{15, 5}, {0, 0}, {15, 5}, {15, 5}});
        EvalResult after = atThreshold(0.3, apAfter, new int[][] {{15, 5}, {18, 340}, {15, 5}, {15, 5}});
        GatePolicy apOnly = new GatePolicy(Map.of(), 5.0, 10.0, null);
        assertTrue(decide(before, after, Set.of("dog"), Set.of(), apOnly).accepted(), "every AP rule holds");
        GatePolicy withF1 = new GatePolicy(Map.of(), 5.0, 10.0, null, 5.0, 0.3);
        GateDecision d = decide(before, after, Set.of("dog"), Set.of(), withF1);
        assertFalse(d.accepted(), d.toMarkdown());
        assertEquals(1, d.reasons().size(), d.reasons().toString());
        assertTrue(d.reasons().get(0).startsWith("F1 over the classes the update keeps"), d.reasons().get(0));
        // micro over all four classes: before tp 45, fp 15, fn 35 -> P 0.75, R 0.5625, F1 0.642857;
        // after tp 63, fp 355, fn 17 -> P 0.150718, R 0.7875, F1 0.253012
        assertEquals(0.75, d.operating().precisionBefore(), 1e-9);
        assertEquals(2 * 0.75 * 0.5625 / (0.75 + 0.5625), d.operating().f1Before(), 1e-9);
        double p = 63 / 418.0;
        double r = 63 / 80.0;
        assertEquals(2 * p * r / (p + r), d.operating().f1After(), 1e-9);
        assertFalse(d.operating().pass());
        assertTrue(d.toMarkdown().contains("At score >= 0.30"), d.toMarkdown());
        // a drop within the limit passes: the added class fires a little more, F1 falls by under 5 points
        EvalResult mild = atThreshold(0.3, apAfter, new int[][] {{15, 5}, {4, 10}, {15, 5}, {15, 5}});
        assertTrue(decide(before, mild, Set.of("dog"), Set.of(), withF1).accepted());
    }

    @Test
    void theF1OfRemovedClassesIsLeftOutAndEvidenceAtAnotherThresholdCannotPass() {
        double[] ap = {0.60, 0.50, 0.70, 0.80};
        EvalResult before = atThreshold(0.3, ap, new int[][] {{15, 5}, {15, 5}, {15, 5}, {15, 5}});
        EvalResult horseGone = atThreshold(0.3, ap, new int[][] {{15, 5}, {15, 5}, {0, 0}, {15, 5}});
        GatePolicy withF1 = new GatePolicy(Map.of(), null, 10.0, null, 1.0, 0.3);
        assertTrue(decide(before, horseGone, Set.of(), Set.of("horse"), withF1).accepted(),
                "horse was removed: its lost detections are not the update's fault");
        assertFalse(decide(before, horseGone, Set.of(), Set.of(), withF1).accepted());
        GatePolicy atHalf = new GatePolicy(Map.of(), null, 10.0, null, 1.0, 0.5);
        GateDecision d = decide(before, before, Set.of(), Set.of(), atHalf);
        assertFalse(d.accepted(), "P / R / F1 measured at 0.3 cannot check a rule at 0.5");
        assertTrue(d.reasons().get(0).contains("cannot be verified"), d.reasons().toString());
    }

    @Test
    void aPolicyRefusesAnF1DropBelowZeroAndAThresholdOutsideZeroToOne() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new GatePolicy(Map.of(), 5.0, 10.0, null, -1.0, 0.3));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new GatePolicy(Map.of(), 5.0, 10.0, null, 5.0, 1.0));
    }
}
