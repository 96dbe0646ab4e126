package org.diredi.core.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diredi.core.delta.CustomerFigures;
import org.diredi.vision.box.Box;
import org.diredi.vision.box.Detection;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.junit.jupiter.api.Test;

/**
 * The gate when the manufacturer has no labels of the class a delta adds (dog): the kept classes on its own
 * labels, dog's gain on the customer's figures, and dog's firing rate on the manufacturer's images.
 */
class UnlabelledAddedClassGateTest {

    private static final List<String> NAMES = List.of("cat", "dog", "horse", "person");

    /** The manufacturer's split: dog has no label there, the other classes as given. */
    private static EvalResult manufacturer(double cat, double horse, double person) {
        double[] ap = {cat, 0, horse, person};
        List<ClassResult> rows = new ArrayList<>();
        for (int i = 0; i < ap.length; i++) {
            rows.add(i == 1 ? new ClassResult(1, "dog", Double.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                    : new ClassResult(i, NAMES.get(i), ap[i], 20, 0, 20, 15, 5, 5, 0.75, 0.75, 0.75));
        }
        return new EvalResult((cat + horse + person) / 3, 50, rows, 60, 45, 15, 0.75, 0.75, 0.75,
                EvalConfig.DEFAULT.withScoreThreshold(0.3));
    }

    private static CustomerFigures figures(double dogBefore, double dogAfter) {
        return new CustomerFigures("val", 40, Map.of("dog", 25, "cat", 30), 1.0, 0.3,
                Map.of("dog", new CustomerFigures.ClassFigures(dogBefore, 0.2, 0.1, 0.13),
                        "cat", new CustomerFigures.ClassFigures(0.6, 0.7, 0.7, 0.7)),
                Map.of("dog", new CustomerFigures.ClassFigures(dogAfter, 0.7, 0.6, 0.65),
                        "cat", new CustomerFigures.ClassFigures(0.6, 0.7, 0.7, 0.7)), null, "k", "s");
    }

    private static GateDecision decide(CustomerFigures f, Firing firing) {
        EvalResult before = manufacturer(0.6, 0.7, 0.8);
        EvalResult after = manufacturer(0.59, 0.69, 0.8);
        return new VerificationGate.Evidence(NAMES, before, after, Set.of("dog"), Set.of(), f,
                firing == null ? Map.of() : Map.of("dog", firing)).decide(GatePolicy.DEFAULTS);
    }

    @Test
    void theCustomersSignedFiguresJudgeTheAddedClassAndTheManufacturersLabelsTheRest() {
        GateDecision d = decide(figures(0.05, 0.55), new Firing("dog", 100, 30, 40, true));
        assertTrue(d.accepted(), d.toMarkdown());
        GateDecision.Row dog = d.rows().stream().filter(r -> r.name().equals("dog")).findFirst().orElseThrow();
        assertEquals(50.0, dog.changePoints(), 1e-9);
        assertTrue(dog.evidence().startsWith(GateDecision.CUSTOMER_FIGURES) && dog.evidence().contains("40 images"),
                dog.evidence());
        assertTrue(d.rows().stream().filter(r -> !r.name().equals("dog"))
                .allMatch(r -> r.evidence().equals(GateDecision.MANUFACTURER_LABELS)), d.rows().toString());
        assertEquals(1, d.firing().size());
        assertTrue(d.firing().get(0).pass());
        String md = d.toMarkdown();
        assertTrue(md.contains("judged on") && md.contains("customer's signed figures (val: 40 images, 55 objects)")
                && md.contains("on 30 of the manufacturer's 100 images"), md);
        // the paper's gate on the same tables: dog has no labels there, so its gain cannot be verified
        GateDecision labelsOnly = new VerificationGate.Evidence(NAMES, manufacturer(0.6, 0.7, 0.8),
                manufacturer(0.59, 0.69, 0.8), Set.of("dog"), Set.of()).decide(GatePolicy.DEFAULTS);
        assertFalse(labelsOnly.accepted());
    }

    @Test
    void aSmallGainOnTheCustomersFiguresOrFiguresWithoutTheClassAreRejected() {
        GateDecision small = decide(figures(0.05, 0.10), new Firing("dog", 100, 30, 40, true));
        assertFalse(small.accepted());
        assertEquals(1, small.reasons().size(), small.reasons().toString());
        assertTrue(small.reasons().get(0).startsWith("dog (added, on the customer's signed figures")
                && small.reasons().get(0).contains("+5.0 points"), small.reasons().get(0));
        CustomerFigures noDog = new CustomerFigures("val", 40, Map.of("cat", 30), 1.0, 0.3,
                Map.of("cat", new CustomerFigures.ClassFigures(0.6, 0.7, 0.7, 0.7)),
                Map.of("cat", new CustomerFigures.ClassFigures(0.6, 0.7, 0.7, 0.7)), null, "k", "s");
        GateDecision missing = decide(noDog, new Firing("dog", 100, 30, 40, true));
        assertFalse(missing.accepted());
        assertTrue(missing.reasons().get(0).contains("hold no objects of this class"), missing.reasons().toString());
    }

    @Test
    void aTutorThatFiresOnAlmostEveryImageOrNeverIsRejected() {
        GateDecision everywhere = decide(figures(0.05, 0.55), new Firing("dog", 100, 97, 130, true));
        assertFalse(everywhere.accepted(), everywhere.toMarkdown());
        assertTrue(everywhere.reasons().get(0).contains("share 0.970") && everywhere.reasons().get(0)
                .contains("allowed [0.01, 0.75]"), everywhere.reasons().get(0));
        GateDecision repeated = decide(figures(0.05, 0.55), new Firing("dog", 100, 50, 400, true));
        assertFalse(repeated.accepted(), "4 detections per image on half the images is firing on everything");
        assertTrue(repeated.reasons().get(0).contains("4.000 detections per image"), repeated.reasons().get(0));
        GateDecision never = decide(figures(0.05, 0.55), new Firing("dog", 100, 0, 0, true));
        assertFalse(never.accepted(), "the images keep dogs unlabelled: a tutor that learned dog fires on some");
        assertTrue(never.reasons().get(0).contains("share 0.000"), never.reasons().get(0));
        GateDecision absent = decide(figures(0.05, 0.55), new Firing("dog", 100, 0, 0, false));
        assertTrue(absent.accepted(), "no image of a dog at all: never firing there is right; " + absent.reasons());
        GateDecision absentEverywhere = decide(figures(0.05, 0.55), new Firing("dog", 100, 97, 130, false));
        assertFalse(absentEverywhere.accepted(), "the upper bound still holds without images of the class");
    }

    @Test
    void withoutLabelsTheAddedClassesDetectionsStayOutOfTheF1Rule() {
        // the updated tutor reports 40 dogs on the manufacturer's images, which show dogs it does not label
        EvalResult before = manufacturer(0.6, 0.7, 0.8);
        List<ClassResult> rows = new ArrayList<>(manufacturer(0.6, 0.7, 0.8).classes());
        rows.set(1, new ClassResult(1, "dog", Double.NaN, 0, 0, 40, 0, 40, 0, 0, 0, 0));
        EvalResult after = new EvalResult(0.7, 50, rows, 60, 85, 15, 60 / 145.0, 0.75, 0.51,
                EvalConfig.DEFAULT.withScoreThreshold(0.3));
        GateDecision unlabelled = new VerificationGate.Evidence(NAMES, before, after, Set.of("dog"), Set.of(),
                figures(0.05, 0.55), Map.of("dog", new Firing("dog", 100, 30, 40, true))).decide(GatePolicy.DEFAULTS);
        assertTrue(unlabelled.accepted(), unlabelled.reasons().toString());
        assertEquals(unlabelled.operating().f1Before(), unlabelled.operating().f1After(), 1e-12,
                "the kept classes' F1 did not move");
        // the paper's gate counts them: the manufacturer labels dog there, so 40 unmatched dogs are false alarms
        GateDecision labelled = new VerificationGate.Evidence(NAMES, before, after, Set.of("dog"), Set.of())
                .decide(GatePolicy.DEFAULTS);
        assertTrue(labelled.reasons().stream().anyMatch(r -> r.startsWith("F1 over the classes the update keeps")),
                labelled.reasons().toString());
    }

    @Test
    void firingIsCountedPerImageAtTheScoreThreshold() {
        Box b = new Box(0, 0, 10, 10);
        Map<String, List<Detection>> dets = Map.of(
                "a", List.of(new Detection(1, 0.9f, b), new Detection(1, 0.35f, b), new Detection(0, 0.9f, b)),
                "b", List.of(new Detection(1, 0.29f, b)),
                "c", List.of(),
                "d", List.of(new Detection(1, 0.3f, b)));
        Firing f = Firing.count("dog", 1, dets, 0.3, true);
        assertEquals(4, f.images());
        assertEquals(2, f.imagesWithDetection());
        assertEquals(3, f.detections());
        assertEquals(0.5, f.share(), 1e-12);
        assertEquals(0.75, f.perImage(), 1e-12);
    }
}
