package org.diredi.vision.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.diredi.vision.box.Box;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalResultTest {

    private static final ClassList ABC = new ClassList(List.of("a", "b", "c"));

    /** a: AP 1; b: one of two found -> AP 0.5; c: absent (explicitly requested) with one FP. */
    private static EvalResult sample() {
        Box b1 = new Box(0, 0, 10, 10);
        Box b2 = new Box(20, 20, 40, 40);
        Box b3 = new Box(50, 50, 70, 80);
        List<VocImage> gt = List.of(new VocImage("i1", Path.of("i1.jpg"), 100, 100, List.of(
                new VocObject(0, b1, false, false), new VocObject(1, b2, false, false),
                new VocObject(1, b3, false, false))));
        Map<String, List<Detection>> dets = Map.of("i1", List.of(
                new Detection(0, 0.9f, b1), new Detection(1, 0.8f, b2), new Detection(2, 0.7f, b3)));
        return VocEvaluator.evaluate(gt, dets, ABC, EvalConfig.DEFAULT.withScoreThreshold(0.3).withClassIds(Set.of(0, 1, 2)));
    }

    @Test
    void markdownReport() {
        assertEquals("""
                | class |  GT | AP@0.5 |     P |     R |    F1 |
                |:------|----:|-------:|------:|------:|------:|
                | a     |   1 | 1.0000 | 1.000 | 1.000 | 1.000 |
                | b     |   2 | 0.5000 | 1.000 | 0.500 | 0.667 |
                | c     |   0 | absent | 0.000 | 0.000 | 0.000 |

                **mAP@0.5 = 0.7500** over 2 classes with ground truth (absent, not in mAP: c)

                Overall (micro, score >= 0.3): P 0.667, R 0.667, F1 0.667 (TP 2, FP 1, FN 1)

                Config: AP all-point (VOC2010+), match IoU > 0.5, P/R/F1 at score >= 0.3, 1 image
                """, sample().toMarkdown());
    }

    @Test
    void markdownNamesElevenPointMethod() {
        EvalResult r = sample();
        EvalResult r11 = new EvalResult(r.map(), r.numImages(), r.classes(), r.tp(), r.fp(), r.fn(),
                r.precision(), r.recall(), r.f1(),
                r.config().withApMethod(ApMethod.ELEVEN_POINT).withIouThreshold(0.75).withScoreThreshold(0.05));
        String md = r11.toMarkdown();
        assertTrue(md.contains("| AP@0.75 |"), md);
        assertTrue(md.contains("Config: AP 11-point (VOC2007), match IoU > 0.75, P/R/F1 at score >= 0.05"), md);
    }

    @Test
    void jsonWritesAbsentApAsNullAndRoundTrips() throws Exception {
        EvalResult r = sample();
        JsonNode tree = new ObjectMapper().readTree(r.toJson());
        assertEquals(0.75, tree.get("mAP").asDouble());
        assertEquals("ALL_POINT", tree.at("/config/apMethod").asText());
        assertEquals(3, tree.get("classes").size());
        assertTrue(tree.at("/classes/2/ap").isNull());
        assertEquals("b", tree.at("/classes/1/name").asText());
        assertEquals(0.5, tree.at("/classes/1/recall").asDouble());

        EvalResult back = EvalResult.fromJson(r.toJson());
        // NaN != NaN for record equality, so compare the JSON forms.
        assertEquals(r.toJson(), back.toJson());
        assertTrue(Double.isNaN(back.byName("c").ap()));
        assertEquals(Set.of(0, 1, 2), back.config().classIds());
    }

    @Test
    void plainJacksonUsesTheSameForm(@TempDir Path dir) throws Exception {
        EvalResult r = sample();
        Path f = dir.resolve("eval.json");
        AtomicFiles.writeJson(f, r);
        String written = Files.readString(f);
        assertEquals(r.toJson() + "\n", written);
        EvalResult back = new ObjectMapper().readValue(written, EvalResult.class);
        assertEquals(r.toJson(), back.toJson());
        ClassResult c = new ObjectMapper().readValue(new ObjectMapper().writeValueAsString(r.byName("b")), ClassResult.class);
        assertEquals(r.byName("b"), c);
    }

    @Test
    void defaultConfigSerialisesNullClassIds() {
        EvalResult r = VocEvaluator.evaluate(List.of(), Map.of(), ABC);
        String json = r.toJson();
        assertTrue(json.contains("\"classIds\" : null"), json);
        assertTrue(json.contains("\"mAP\" : null"), json);
        assertTrue(Double.isNaN(EvalResult.fromJson(json).map()));
        assertTrue(r.toMarkdown().contains("**mAP@0.5 = n/a** over 0 classes"), r.toMarkdown());
    }
}
