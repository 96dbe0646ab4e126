package org.diredi.cloud.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.onprem.ReverseDistillation;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eq. 10's lambda search: it keeps the lambda its judge scores best (the larger on a tie, never an undefined score),
 * judges on the first images of the classes asked, writes lambda.json, reuses it when resumed and leaves no candidate
 * behind.
 */
class LambdaSearchTest {

    @TempDir
    static Path dir;
    static Path tutor;
    static KnowledgeDelta delta;
    static VocDataset train;

    /** A delta that moves every class-logit bias by +2 (tutor 2) against tutor 1 = the tutor. */
    @BeforeAll
    static void setUp() throws Exception {
        train = TestData.scenes(dir.resolve("data"), 8);
        tutor = TestData.tinyTutorAndEdge(dir.resolve("m"), train).get("tutor");
        Checkpoint t = Checkpoint.read(tutor);
        List<TensorFile.Tensor> moved = new ArrayList<>();
        for (TensorFile.Tensor w : t.weights()) {
            float[] d = w.data().clone();
            if (w.name().endsWith("clsLogits_bias")) {
                for (int i = 0; i < d.length; i++) {
                    d[i] += 2f;
                }
            }
            moved.add(new TensorFile.Tensor(w.name(), w.shape(), d));
        }
        Path tutor2 = dir.resolve("tutor2.ckpt");
        Checkpoint.write(tutor2, t.manifest(), moved, null);
        delta = ReverseDistillation.delta(t, t, Checkpoint.read(tutor2), ClassList.FASHION, List.of("boot"), List.of(),
                new ReverseDistillation.Settings(TrainConfig.DEFAULTS, 1f, 1f, 1.0, false, FgdConfig.DEFAULTS),
                Map.of(), Map.of(), dir.resolve("bias.delta"));
    }

    /** The class-logit bias a checkpoint holds (all classes move alike here). */
    private static float bias(Path checkpoint) {
        return Checkpoint.read(checkpoint).weights().stream().filter(w -> w.name().endsWith("clsLogits_bias"))
                .findFirst().orElseThrow().data()[0];
    }

    @Test
    void keepsTheLambdaItsJudgeScoresBestAndRecordsEveryCandidate() throws Exception {
        float base = bias(tutor);
        // a judge that wants the bias moved by +1.5: lambda 0.75 of the +2 delta
        LambdaSearch search = new LambdaSearch(List.of(0.25, 0.5, 0.75, 1.0, 1.5), 300);
        Path work = dir.resolve("judged");
        LambdaSearch.Choice c = search.choose(tutor, delta, ck -> -Math.abs(bias(ck) - base - 1.5f), 8, "train",
                List.of("tshirt"), work);
        assertEquals(0.75, c.lambda());
        assertEquals(List.of(0.25, 0.5, 0.75, 1.0, 1.5), c.candidates().stream().map(LambdaSearch.Candidate::lambda)
                .toList());
        assertEquals(-1.0, c.candidates().get(0).map(), 1e-5, "lambda 0.25 moved the bias by 0.5");
        JsonNode j = new ObjectMapper().readTree(work.resolve("lambda.json").toFile());
        assertEquals(0.75, j.path("lambda").asDouble());
        assertEquals(5, j.path("candidates").size());
        try (Stream<Path> left = Files.list(work)) {
            assertEquals(List.of("lambda.json"), left.map(p -> p.getFileName().toString()).toList(),
                    "no candidate checkpoint is left behind");
        }
        LambdaSearch.Choice tie = search.choose(tutor, delta, ck -> 0.5, 8, "train", List.of("tshirt"),
                dir.resolve("tie"));
        assertEquals(1.5, tie.lambda(), "a tie keeps the larger lambda");
    }

    @Test
    void judgesOnTheFirstImagesWithOnlyTheClassesAskedLabelled() {
        List<String> labelled = Stages.labelledClasses(train);
        assertTrue(labelled.size() >= 2, "the scenes label several classes: " + labelled);
        List<String> one = labelled.subList(0, 1);
        VocDataset judging = new LambdaSearch(List.of(1.0), 5).judgingSet(train, one);
        assertEquals(train.images().subList(0, 5).stream().map(i -> i.id()).toList(),
                judging.images().stream().map(i -> i.id()).toList(), "the split's first images, in order");
        assertEquals(one, Stages.labelledClasses(judging), "only the classes asked are labelled");
        assertTrue(judging.objectCount() > 0);
        var none = assertThrows(IllegalArgumentException.class,
                () -> new LambdaSearch(List.of(1.0), 5).judgingSet(train, List.of()));
        assertTrue(none.getMessage().contains("no object") && none.getMessage().contains("'train'"),
                none.getMessage());
    }

    @Test
    void anUndefinedScoreNeverWinsAndAFinishedSearchIsReused() throws Exception {
        LambdaSearch search = new LambdaSearch(List.of(0.5, 1.0), 300);
        Path work = dir.resolve("nan");
        LambdaSearch.Choice c = search.choose(tutor, delta, ck -> bias(ck) > bias(tutor) + 1.5f ? Double.NaN : 0.1,
                8, "train", List.of("tshirt"), work);
        assertEquals(0.5, c.lambda(), "lambda 1.0 scored NaN");
        var allNaN = assertThrows(IllegalStateException.class, () -> search.choose(tutor, delta, ck -> Double.NaN, 8,
                "train", List.of("tshirt"), dir.resolve("all-nan")));
        assertTrue(allNaN.getMessage().contains("no lambda"), allNaN.getMessage());
        // resumed: the same search finds its choice and judges nothing again
        LambdaSearch.Choice again = search.choose(tutor, delta, ck -> {
            throw new AssertionError("judged again");
        }, 8, "train", List.of("tshirt"), work);
        assertEquals(c, again);
        // another grid searches anew
        assertEquals(2.0, new LambdaSearch(List.of(0.5, 2.0), 300).choose(tutor, delta, ck -> 0.1, 8, "train",
                List.of("tshirt"), work).lambda());
    }

    @Test
    void aSearchWithoutTheAddedClassesLabelsIsRefused() {
        LambdaSearch on = new LambdaSearch(List.of(0.5, 1.0), 300);
        var e = assertThrows(IllegalArgumentException.class,
                () -> LambdaSearch.requireLabels(on, AddedClassKnowledge.UNLABELLED));
        assertTrue(e.getMessage().contains("lambdaSearch needs addedClassKnowledge: labels"), e.getMessage());
        LambdaSearch.requireLabels(on, AddedClassKnowledge.LABELS);
        LambdaSearch.requireLabels(LambdaSearch.OFF, AddedClassKnowledge.ABSENT);
    }

    @Test
    void theUpdateSubstitutesAtTheLambdaItsSearchChose() throws Exception {
        TrainConfig one = TrainConfig.DEFAULTS.withEpochs(1).atBatchSize(4);
        ManufacturerUpdate update = new ManufacturerUpdate(new ManufacturerUpdate.Settings(1.0,
                org.diredi.core.gate.GatePolicy.DEFAULTS, new ManufacturerUpdate.DistillC(one, 1.5f, 0.01f),
                ManufacturerUpdate.WhenRejected.STOP, Calibration.NONE, AddedClassKnowledge.LABELS,
                new LambdaSearch(List.of(0.5, 1.0, 2.0), 4)), ManufacturerUpdate.Listener.NONE);
        ManufacturerUpdate.Inputs in = new ManufacturerUpdate.Inputs(tutor, tutor,
                org.diredi.core.model.Presets.get("tiny/tutor"), delta);
        List<String> classes = Stages.labelledClasses(train);
        Path updated = update.substitute(in, new ManufacturerUpdate.OwnData(train, train, classes),
                dir.resolve("update/tutor-updated.ckpt"));
        JsonNode j = new ObjectMapper().readTree(dir.resolve("update/lambda.json").toFile());
        double best = -1;
        double chosen = 0;
        for (JsonNode k : j.path("candidates")) {
            if (k.path("map").asDouble() >= best) {
                best = k.path("map").asDouble();
                chosen = k.path("lambda").asDouble();
            }
        }
        assertEquals(chosen, j.path("lambda").asDouble());
        assertEquals(4, j.path("images").asInt());
        assertEquals(bias(tutor) + 2f * (float) chosen, bias(updated), 1e-5, "Eq. 10 at the chosen lambda");
    }

    @Test
    void badGridsAreRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LambdaSearch(List.of(0.5, -1.0), 300));
        assertTrue(e.getMessage().contains("lambdaSearch.grid"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LambdaSearch(List.of(0.5, 0.5), 300));
        assertThrows(IllegalArgumentException.class, () -> new LambdaSearch(List.of(0.5), 0));
        assertFalse(LambdaSearch.OFF.enabled());
        assertThrows(IllegalStateException.class, () -> LambdaSearch.OFF.choose(tutor, delta, ck -> 0, 1, "train",
                List.of("tshirt"), dir.resolve("off")));
    }
}
