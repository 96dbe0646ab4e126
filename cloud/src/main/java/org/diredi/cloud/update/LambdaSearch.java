package org.diredi.cloud.update;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diredi.cloud.WeightSubstitution;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.stage.Stages;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.io.AtomicFiles;

/**
 * Eq. 10's lambda chosen on the manufacturer's own data: each lambda of {@code grid} makes an updated tutor, and the
 * one with the best mAP on the first {@code images} training images of the classes the manufacturer labels (and the
 * removed classes the gate protects) is kept; on a tie the larger lambda, and an undefined mAP never wins. The
 * paper's lambda is 1, but {@code W_tutor + dW} lands where neither tutor was trained, and past some lambda the
 * scores run away (BENCHMARKS.md section 11). The gate's validation split is never used here, so the gate still
 * judges a tutor it did not choose. An empty grid keeps the configured lambda. Only with the manufacturer's labels of
 * the added classes: without them the search would judge the kept classes alone and the customer's signed figures
 * describe the tutor at one lambda.
 *
 * @param grid   the lambdas to try, each > 0; empty: off
 * @param images how many training images judge them (the split's first, in its order)
 */
public record LambdaSearch(List<Double> grid, int images) {

    /** No search: Eq. 10 at the configured lambda. */
    public static final LambdaSearch OFF = new LambdaSearch(List.of(), 300);

    public LambdaSearch {
        grid = grid == null ? List.of() : List.copyOf(grid);
        for (double l : grid) {
            if (!(l > 0) || Double.isInfinite(l)) {
                throw new IllegalArgumentException("lambdaSearch.grid: every lambda must be > 0 and finite, got " + l);
            }
        }
        if (grid.stream().distinct().count() != grid.size()) {
            throw new IllegalArgumentException("lambdaSearch.grid lists a lambda twice: " + grid);
        }
        if (images < 1) {
            throw new IllegalArgumentException("lambdaSearch.images must be >= 1, got " + images);
        }
    }

    /** Refuses a search without the manufacturer's labels of the added classes (see the class comment). */
    public static void requireLabels(LambdaSearch search, AddedClassKnowledge knowledge) {
        if (search != null && search.enabled() && knowledge != null && knowledge != AddedClassKnowledge.LABELS) {
            throw new IllegalArgumentException("lambdaSearch needs addedClassKnowledge: labels (got " + knowledge.id()
                    + "): without the added classes' labels it would judge the kept classes alone; set lambda instead");
        }
    }

    public boolean enabled() {
        return !grid.isEmpty();
    }

    /** One lambda's updated tutor, judged: its mAP (0-1) on the search's images. */
    public record Candidate(double lambda, double map) {}

    /**
     * The lambda kept and every candidate, in grid order, with what judged them.
     *
     * @param classes the classes whose AP counted
     */
    public record Choice(double lambda, List<Candidate> candidates, int images, String split, List<String> classes) {}

    /** Where {@link #choose} writes its choice, in its work folder. */
    public static final String FILE = "lambda.json";

    /** How a candidate updated tutor is judged: the higher, the better. */
    interface Judge {
        double score(Path checkpoint) throws IOException;
    }

    /**
     * Tries every lambda of the grid on {@code tutor} + {@code delta}, judged by mAP on {@link #judgingSet}; the
     * candidates' checkpoints are written in {@code workDir} and deleted once judged. The choice goes to
     * {@code workDir/lambda.json}; a choice found there for the same grid, images and classes is taken as it is
     * (an update resumed after its search).
     */
    public Choice choose(Path tutor, KnowledgeDelta delta, VocDataset data, List<String> classes, Device device,
                         Path workDir) throws IOException {
        VocDataset judging = judgingSet(data, classes);
        return choose(tutor, delta, ck -> Stages.evaluate(ck, judging, null, device).map(), judging.size(),
                data.split(), classes, workDir);
    }

    /**
     * The images that judge the candidates: the first {@link #images} of {@code data} with only {@code classes}
     * labelled; refused when they hold no object of them (every mAP would be undefined).
     */
    VocDataset judgingSet(VocDataset data, List<String> classes) {
        VocDataset labelled = data.restrictTo(classes);
        VocDataset judging = VocDataset.of(labelled.root(), labelled.split(), labelled.classes(),
                labelled.images().subList(0, Math.min(images, labelled.size())));
        if (judging.objectCount() == 0) {
            throw new IllegalArgumentException("lambdaSearch: no object of " + classes + " in the first " + images
                    + " images of split '" + data.split() + "' (" + data.root() + ") to judge Eq. 10's lambda by");
        }
        return judging;
    }

    /** {@link #choose(Path, KnowledgeDelta, VocDataset, List, Device, Path)} with any judge of the candidates. */
    Choice choose(Path tutor, KnowledgeDelta delta, Judge judge, int judgedImages, String split, List<String> classes,
                  Path workDir) throws IOException {
        if (!enabled()) {
            throw new IllegalStateException("no lambda grid to search");
        }
        Path file = workDir.resolve(FILE);
        if (Files.exists(file)) {
            Choice before = ConfigFiles.JSON.readValue(file.toFile(), Choice.class);
            if (before.candidates().stream().map(Candidate::lambda).toList().equals(grid)
                    && before.images() == judgedImages && before.classes().equals(classes)) {
                return before;
            }
        }
        Files.createDirectories(workDir);
        List<Candidate> candidates = new ArrayList<>();
        Candidate best = null;
        for (double lambda : grid) {
            Path ckpt = workDir.resolve("lambda-" + lambda + ".ckpt");
            double map;
            try {
                WeightSubstitution.apply(tutor, delta, lambda, ckpt);
                map = judge.score(ckpt);
            } finally {
                Files.deleteIfExists(ckpt);
            }
            Candidate c = new Candidate(lambda, map);
            candidates.add(c);
            System.out.printf("Eq. 10 lambda %s: mAP %.1f on %d manufacturer images%n", lambda, 100 * map,
                    judgedImages);
            // an undefined score never wins; on a tie the larger lambda, nearer the paper's 1
            if (Double.isFinite(map) && (best == null || map > best.map()
                    || (map == best.map() && lambda > best.lambda()))) {
                best = c;
            }
        }
        if (best == null) {
            throw new IllegalStateException("lambdaSearch: no lambda of " + grid + " gave a finite mAP on "
                    + judgedImages + " images of split '" + split + "'");
        }
        Choice choice = new Choice(best.lambda(), candidates, judgedImages, split, List.copyOf(classes));
        AtomicFiles.writeJson(file, choice);
        return choice;
    }
}
