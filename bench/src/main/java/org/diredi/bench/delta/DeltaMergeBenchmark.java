package org.diredi.bench.delta;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.WeightSubstitution;
import org.diredi.cloud.update.AddedClassKnowledge;
import org.diredi.cloud.update.ManufacturerUpdate;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.DeltaMerge;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.gate.GateDecision;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.stage.Stages;
import org.diredi.vision.data.Datasets;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.report.MarkdownTable;

/**
 * {@code diredi bench delta-merge}: several customers' deltas made against one tutor, each applied alone, merged
 * ({@link DeltaMerge}: weighted by private images, per-class, equal weights) and applied one after the other
 * (Eq. 10 twice: the tutor plus the sum of the deltas, kept in float32). Every updated tutor is judged against the
 * original one by the cloud's own gate ({@link ManufacturerUpdate#verify}: the update's classes labelled, other
 * classes' objects not) on the validation split with the manufacturer's labels, and evaluated per class on the
 * test split over every class any delta adds.
 */
public final class DeltaMergeBenchmark {

    /**
     * The original tutor, the customers' deltas against it, the data, the gate's split and policy, the test split,
     * Eq. 10's lambda and the results folder.
     */
    public record Settings(Path tutor, List<Path> deltas, Path data, String gateSplit, GatePolicy policy,
                           String testSplit, double lambda, Path out) {}

    /** One update's row: how it was made, the gate's decision and reasons, the test mAP and per-class AP. */
    public record Row(String update, double lambda, List<String> added, boolean accepted, List<String> reasons,
                      double map, Map<String, Double> ap) {}

    private DeltaMergeBenchmark() {}

    /** Runs every update and writes results.md / results.json into {@code out}; returns the Markdown. */
    public static String run(Settings s) throws IOException {
        if (s.deltas().size() < 2) {
            throw new IllegalArgumentException("bench delta-merge needs at least two deltas, got " + s.deltas().size());
        }
        Path dir = s.out().resolve("updates");
        Files.createDirectories(dir);
        List<DeltaMerge.Source> sources = s.deltas().stream().map(DeltaMerge.Source::read).toList();
        Checkpoint tutor = Checkpoint.read(s.tutor());
        List<String> allAdded = new ArrayList<>();
        sources.forEach(x -> x.delta().manifest().classesAdded().stream().filter(c -> !allAdded.contains(c))
                .forEach(allAdded::add));
        List<String> judged = UpdateProbe.updateClasses(tutor, allAdded);
        VocDataset validation = Datasets.load(s.data(), s.gateSplit(), tutor.classes());
        VocDataset test = Datasets.load(s.data(), s.testSplit(), tutor.classes()).restrictTo(judged);

        Map<String, Update> updates = new LinkedHashMap<>();
        for (int i = 0; i < sources.size(); i++) {
            DeltaMerge.Source x = sources.get(i);
            updates.put("customer " + (i + 1) + " (" + name(x) + ") alone", new Update(x.delta(), s.lambda()));
        }
        if (sources.stream().allMatch(x -> privateImages(x) != null)) {
            updates.put("merged, weighted by images", merged(sources, DeltaMerge.Strategy.WEIGHTED,
                    DeltaMerge.Weight.IMAGES, s.lambda(), dir.resolve("merged-weighted.delta")));
            updates.put("merged, per class", merged(sources, DeltaMerge.Strategy.PER_CLASS, DeltaMerge.Weight.IMAGES,
                    s.lambda(), dir.resolve("merged-perClass.delta")));
        } else {
            System.out.println("delta-merge: a delta's manifest has no private image counts, so the rows weighted by"
                    + " them (weighted by images, per class) are left out");
        }
        updates.put("merged, equal weights", merged(sources, DeltaMerge.Strategy.WEIGHTED, DeltaMerge.Weight.EQUAL,
                s.lambda(), dir.resolve("merged-equal.delta")));
        updates.put("one after the other (tutor + sum)", sum(sources, s.lambda(), dir.resolve("sum.delta")));

        ManufacturerUpdate gate = new ManufacturerUpdate(new ManufacturerUpdate.Settings(s.lambda(), s.policy(),
                CloudConfig.DEFAULTS.updateSettings(ManufacturerUpdate.WhenRejected.STOP).distillC(),
                ManufacturerUpdate.WhenRejected.STOP), ManufacturerUpdate.Listener.NONE);
        List<Row> rows = new ArrayList<>();
        List<UpdateProbe.Measured> measured = new ArrayList<>();
        measured.add(UpdateProbe.measured("tutor (before)", 0, Stages.evaluate(s.tutor(), test, null)));
        int i = 0;
        for (Map.Entry<String, Update> e : updates.entrySet()) {
            Update u = e.getValue();
            Path updated = dir.resolve("update-" + i + ".ckpt");
            WeightSubstitution.apply(s.tutor(), u.delta(), u.lambda(), updated);
            List<String> added = u.delta().manifest().classesAdded();
            GateDecision d = gate.verify(new ManufacturerUpdate.Inputs(s.tutor(), null, null, u.delta()), updated,
                    new ManufacturerUpdate.OwnData(validation, validation, UpdateProbe.updateClasses(tutor, added),
                            AddedClassKnowledge.LABELS), dir.resolve("gate-" + i++)).decision();
            UpdateProbe.Measured m = UpdateProbe.measured(e.getKey(), 0, Stages.evaluate(updated, test, null));
            measured.add(m);
            rows.add(new Row(e.getKey(), u.lambda(), added, d.accepted(), d.reasons(), m.map(), m.ap()));
            System.out.printf("delta-merge: %-40s gate %-8s  test mAP %.4f%n", e.getKey(),
                    d.accepted() ? "accepts" : "rejects", m.map());
        }
        String md = UpdateProbe.write(s.out(), "Merging customers' knowledge deltas", table(rows, allAdded), measured,
                settings(s, sources, judged), rows);
        System.out.print(md);
        return md;
    }

    /** A delta and the lambda it is applied with. */
    private record Update(KnowledgeDelta delta, double lambda) {}

    private static Update merged(List<DeltaMerge.Source> sources, DeltaMerge.Strategy strategy,
                                 DeltaMerge.Weight weight, double lambda, Path file) throws IOException {
        return new Update(DeltaMerge.merge(sources, new DeltaMerge.Settings(strategy, weight)).write(file), lambda);
    }

    /**
     * Eq. 10 applied once per delta: the equal-weight mean at lambda x N, written in float32 (the merge writes
     * float16 when its sources are, whose rounding the factor N would multiply).
     */
    private static Update sum(List<DeltaMerge.Source> sources, double lambda, Path file) throws IOException {
        DeltaMerge.Merged mean = DeltaMerge.merge(sources, new DeltaMerge.Settings(DeltaMerge.Strategy.WEIGHTED,
                DeltaMerge.Weight.EQUAL));
        return new Update(KnowledgeDelta.write(file, mean.manifest(), mean.tensors(), false),
                lambda * sources.size());
    }

    private static String name(DeltaMerge.Source x) {
        DeltaManifest m = x.delta().manifest();
        return "adds " + String.join(",", m.classesAdded())
                + (m.classesRemoved().isEmpty() ? "" : " drops " + String.join(",", m.classesRemoved()));
    }

    private static String table(List<Row> rows, List<String> added) {
        List<String> header = new ArrayList<>(List.of("update", "lambda", "gate (validation split)", "test mAP@0.5"));
        added.forEach(c -> header.add(c + " AP"));
        header.add("gate's reasons");
        MarkdownTable t = new MarkdownTable(header);
        for (Row r : rows) {
            List<Object> cells = new ArrayList<>(List.of(r.update(), String.valueOf(r.lambda()),
                    r.accepted() ? "accepts" : "rejects", String.format("%.4f", r.map())));
            added.forEach(c -> cells.add(String.format("%.4f", r.ap().getOrDefault(c, Double.NaN))));
            cells.add(String.join("; ", r.reasons()).replace('|', '/'));
            t.row(cells);
        }
        return t.toString();
    }

    /** The delta's private images as its manifest counts them (its weight in a merge by images), or null. */
    private static Double privateImages(DeltaMerge.Source x) {
        try {
            return DeltaMerge.weight(x, DeltaMerge.Weight.IMAGES);
        } catch (KnowledgeDelta.DeltaException e) {
            return null;
        }
    }

    private static String settings(Settings s, List<DeltaMerge.Source> sources, List<String> judged) {
        StringBuilder b = new StringBuilder(String.format("Tutor %s; deltas:", s.tutor()));
        for (DeltaMerge.Source x : sources) {
            DeltaManifest m = x.delta().manifest();
            Double images = privateImages(x);
            b.append(String.format(" %s (%s, %s private images, |dW| %.4g);", x.id(), name(x),
                    images == null ? "unknown" : images, m.l2Norm()));
        }
        return b.append(String.format(" Eq. 10 with lambda %s (one after the other: lambda x %d on the equal-weight"
                        + " mean in float32, i.e. the tutor plus every delta). The cloud's gate on the %s split of %s"
                        + " against the original tutor"
                        + " (policy: maxDropOther %s, minGainAdded %s, maxF1Drop %s at score %s); test split %s over %s.",
                s.lambda(), sources.size(), s.gateSplit(), s.data(), s.policy().maxDropOther(),
                s.policy().minGainAdded(), s.policy().maxF1Drop(), s.policy().scoreThreshold(), s.testSplit(),
                judged)).toString();
    }
}
