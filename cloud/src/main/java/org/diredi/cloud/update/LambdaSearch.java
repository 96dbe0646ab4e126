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
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.io.AtomicFiles;

/**
 * Eq. 10's lambda chosen on the manufacturer's own data: each lambda of {@code grid} makes an updated tutor, and the
 * one with the best mAP on the first {@code images} training images of the classes the manufacturer labels is kept
 * (ties: the larger lambda). The paper's lambda is 1, but the sum {@code W_tutor + dW} lands where neither tutor was
 * trained, and past some lambda the scores run away (on FashionScenes a smaller lambda kept more of both the added and
 * the kept classes; BENCHMARKS.md section 11). The gate's validation split is never used here, so the gate still
 * judges a tutor it did not choose. An empty grid keeps the configured lambda.
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

    /** How a candidate updated tutor is judged: the higher, the better. */
    interface Judge {
        double score(Path checkpoint) throws IOException;
    }

    /**
     * Tries every lambda of the grid on {@code tutor} + {@code delta}, judged by mAP on the first {@link #images}
     * images of {@code data} restricted to {@code classes} (refused when they hold no object of them); the candidates'
     * checkpoints are written in {@code workDir} and deleted once judged. The choice goes to
     * {@code workDir/lambda.json}.
     */
    public Choice choose(Path tutor, KnowledgeDelta delta, VocDataset data, List<String> classes, Device device,
                         Path workDir) throws IOException {
        VocDataset labelled = data.restrictTo(classes);
        VocDataset judging = VocDataset.of(labelled.root(), labelled.split(), labelled.classes(),
                labelled.images().subList(0, Math.min(images, labelled.size())));
        if (judging.objectCount() == 0) {
            throw new IllegalArgumentException("lambdaSearch: no object of " + classes + " in the first " + images
                    + " images of split '" + data.split() + "' (" + data.root() + ") to judge Eq. 10's lambda by");
        }
        return choose(tutor, delta, ck -> Stages.evaluate(ck, judging, null, device).map(), judging.size(),
                data.split(), classes, workDir);
    }

    /** {@link #choose(Path, KnowledgeDelta, VocDataset, List, Device, Path)} with any judge of the candidates. */
    Choice choose(Path tutor, KnowledgeDelta delta, Judge judge, int judgedImages, String split, List<String> classes,
                  Path workDir) throws IOException {
        if (!enabled()) {
            throw new IllegalStateException("no lambda grid to search");
        }
        Files.createDirectories(workDir);
        List<Candidate> candidates = new ArrayList<>();
        Candidate best = null;
        for (double lambda : grid) {
            Path ckpt = workDir.resolve("lambda-" + lambda + ".ckpt");
            WeightSubstitution.apply(tutor, delta, lambda, ckpt);
            double map = judge.score(ckpt);
            Files.deleteIfExists(ckpt);
            Candidate c = new Candidate(lambda, map);
            candidates.add(c);
            System.out.printf("Eq. 10 lambda %s: mAP %.1f on %d manufacturer images%n", lambda, 100 * map,
                    judgedImages);
            if (best == null || map > best.map() || (map == best.map() && lambda > best.lambda())) {
                best = c;
            }
        }
        Choice choice = new Choice(best.lambda(), candidates, judgedImages, split, List.copyOf(classes));
        AtomicFiles.writeJson(workDir.resolve("lambda.json"), choice);
        return choice;
    }
}
