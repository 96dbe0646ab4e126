package org.diredi.edge.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.vision.box.Box;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known answers for the share of the running model's detections a new model finds again. */
class AgreementTest {

    static Agreement.Found d(String c, float score, float x1, float y1, float x2, float y2) {
        return new Agreement.Found(c, score, new Box(x1, y1, x2, y2));
    }

    static final List<Agreement.Found> FRAME = List.of(d("bag", 0.9f, 0, 0, 10, 10), d("dress", 0.8f, 20, 20, 40, 40),
            d("bag", 0.7f, 50, 0, 60, 10), d("sandal", 0.4f, 0, 50, 10, 60));

    @Test
    void identicalDetectionsAgreeFully() {
        Agreement.Result r = Agreement.measure(List.of(FRAME, FRAME), List.of(FRAME, FRAME), 0.5);
        assertEquals(new Agreement.Result(8, 8), r);
        assertEquals(1.0, r.share());
    }

    @Test
    void disjointDetectionsDoNotAgree() {
        List<Agreement.Found> elsewhere = List.of(d("bag", 0.9f, 100, 100, 110, 110), d("dress", 0.9f, 70, 70, 90, 90));
        assertEquals(0.0, Agreement.measure(List.of(FRAME), List.of(elsewhere), 0.5).share());
        assertEquals(0.0, Agreement.measure(List.of(FRAME), List.of(List.of()), 0.5).share(), "a model that finds nothing");
    }

    @Test
    void partialAgreementCountsSameClassOverlaps() {
        List<Agreement.Found> candidate = List.of(
                d("bag", 0.6f, 0, 0, 10, 8),        // IoU 0.8 with the first bag: found
                d("trouser", 0.9f, 20, 20, 40, 40), // the dress's box, another class: not found
                d("bag", 0.5f, 55, 0, 65, 10),      // IoU 1/3 with the second bag: below 0.5
                d("sandal", 0.9f, 0, 50, 10, 60));  // found
        Agreement.Result r = Agreement.measure(List.of(FRAME), List.of(candidate), 0.5);
        assertEquals(new Agreement.Result(2, 4), r);
        assertEquals(0.5, r.share());
        assertEquals(new Agreement.Result(3, 4), Agreement.measure(List.of(FRAME), List.of(candidate), 0.3),
                "a looser IoU finds the shifted bag too");
        // the running model's two overlapping boxes of one bag: the new model's one box finds both
        List<Agreement.Found> twoBags = List.of(d("bag", 0.9f, 0, 0, 10, 10), d("bag", 0.8f, 1, 0, 11, 10));
        assertEquals(new Agreement.Result(2, 2), Agreement.measure(List.of(twoBags),
                List.of(List.of(d("bag", 0.9f, 0, 0, 10, 10))), 0.5));
    }

    @Test
    void nothingFoundByTheRunningModelIsNothingToDisagreeWith() {
        assertEquals(1.0, Agreement.measure(List.of(List.of()), List.of(FRAME), 0.5).share());
    }

    @Test
    void aReferenceFolderWithoutImagesIsAConfigError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "no image");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HealthCheck.referenceFrames(dir.toString()));
        assertTrue(e.getMessage().startsWith("health.referenceFrames"), e.getMessage());
        assertEquals(1, HealthCheck.referenceFrames(null).size(), "default: the bundled sample frame");
    }
}
