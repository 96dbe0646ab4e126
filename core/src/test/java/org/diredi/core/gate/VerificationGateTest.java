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
}
