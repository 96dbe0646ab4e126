package org.diredi.bench.delta;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diredi.bench.PerfSettings;
import org.diredi.bench.training.TimedTraining;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.DetectionSet;
import org.diredi.core.train.TrainConfig;
import org.diredi.inference.engine.EngineTimer;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;

/**
 * Section 3 of {@code bench perf}: fine-tunes the tutor for a few steps on training images (AdamW,
 * constant lr 5e-4, as a short RD run), takes the neck + head difference (Eq. 9 with gamma 1 against
 * the tutor itself), writes it as fp32 and fp16 .delta files (KnowledgeDelta's own float16 storage),
 * applies each to the tutor (Eq. 10, lambda 1) and evaluates on the test split.
 */
public final class DeltaSection {

    private static final float FINE_TUNE_LR = 5e-4f;

    /** The rows and the delta files (section 4 uploads them). */
    public record Result(Path tutor, Path fp32, Path fp16, List<DeltaRow> rows) {
        public Map<String, Object> json(int fineTuneSteps) {
            return Map.of("tutor", tutor.toString(), "fineTuneSteps", fineTuneSteps, "rows", rows);
        }
    }

    /** A delta file, read back, and the test mAP of the tutor it updated. */
    private record Applied(Path file, KnowledgeDelta delta, List<TensorFile.Tensor> weights, double map) {}

    private final PerfSettings s;

    public DeltaSection(PerfSettings settings) {
        this.s = settings;
    }

    /** Makes, applies and measures the deltas of {@code tutorPath} in {@code dir}. */
    public Result run(Path tutorPath, Path dir) throws IOException {
        System.out.println("perf: [3/5] knowledge delta (fine-tune the tutor " + s.deltaSteps() + " steps, fp32 / fp16)");
        Files.createDirectories(dir);
        Checkpoint tutor = Checkpoint.read(tutorPath);
        List<TensorFile.Tensor> d = KnowledgeDelta.difference(fineTune(tutor), tutor.weights(), 1.0,
                KnowledgeDelta.parts(false));
        DeltaManifest dm = new DeltaManifest(null, null, tutor.manifest().id(), tutor.manifest().weightsSha256(),
                tutor.classes().names(), List.of(), List.of(), 1.0, "neck+head", null, Map.of(), 0, 0, 0, null,
                Map.of("source", "bench perf: tutor fine-tuned " + s.deltaSteps() + " steps of batch " + s.batch()));
        Path f32 = dir.resolve("delta-fp32.delta");
        Path f16 = dir.resolve("delta-fp16.delta");
        KnowledgeDelta.write(f32, dm, d, false);
        KnowledgeDelta.write(f16, dm, d, true);
        // Like for like: the tutor as a weights-only checkpoint, the form model.ckpt takes.
        Path full = dir.resolve("tutor-weights.ckpt");
        Checkpoint.write(full, tutor.manifest(), tutor.weights(), null);
        VocDataset test = VocDataset.load(s.data(), "test", ClassList.read(s.data().resolve("classes.txt")));
        double before = Stages.evaluate(tutorPath, test, null).map();
        Applied a32 = apply(f32, tutor, tutorPath, dir.resolve("tutor+delta-fp32.ckpt"), test);
        Applied a16 = apply(f16, tutor, tutorPath, dir.resolve("tutor+delta-fp16.ckpt"), test);
        return new Result(tutorPath, f32, f16, rows(tutor, Files.size(full), before, a32, a16));
    }

    /** The tutor's weights after {@code deltaSteps} steps on the first training images. */
    private List<TensorFile.Tensor> fineTune(Checkpoint tutor) {
        VocDataset trainDs = VocDataset.load(s.data(), "train", ClassList.read(s.data().resolve("classes.txt")));
        int n = Math.min(trainDs.size(), Math.max(s.batch(), s.deltaSteps() * s.batch()));
        VocDataset subset = VocDataset.of(trainDs.root(), "train", trainDs.classes(), trainDs.images().subList(0, n));
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector model = tutor.toModel(m);
            TimedTraining.run(model, m, TrainConfig.DEFAULTS.withBatchSize(s.batch()),
                    DetectionSet.load(subset, model.config().inputSize()), 0, s.deltaSteps(), FINE_TUNE_LR);
            return ModelWeights.snapshot(model);
        }
    }

    /** Eq. 10 with lambda 1: the delta in {@code file} applied to the tutor, written to {@code updated}, evaluated. */
    private static Applied apply(Path file, Checkpoint tutor, Path tutorPath, Path updated, VocDataset test)
            throws IOException {
        KnowledgeDelta delta = KnowledgeDelta.read(file);
        List<TensorFile.Tensor> w = delta.applyTo(tutor.weights(), 1.0, tutorPath.toString());
        Checkpoint.write(updated, tutor.manifest(), w, null);
        return new Applied(file, delta, w, Stages.evaluate(updated, test, null).map());
    }

    private static List<DeltaRow> rows(Checkpoint tutor, long fullBytes, double before, Applied a32, Applied a16)
            throws IOException {
        double map32 = a32.map();
        double map16 = a16.map();
        DeltaManifest m32 = a32.delta().manifest();
        List<DeltaRow> rows = new ArrayList<>();
        rows.add(new DeltaRow("full tutor checkpoint (weights only, fp32)", fullBytes, 1.0, before,
                100 * (before - map32), "-", null, tutor.manifest().model().name() + ", before the update; "
                + tutor.weights().stream().mapToLong(t -> t.data().length).sum() + " values"));
        long b32 = Files.size(a32.file());
        long b16 = Files.size(a16.file());
        rows.add(new DeltaRow("neck + head delta, fp32", b32, b32 / (double) fullBytes, map32, 0.0, "-", null,
                String.format("%d tensors, %d values, |dW| = %.4g; mAP of the tutor + delta (Eq. 10, lambda 1)",
                        m32.tensors(), m32.values(), m32.l2Norm())));
        rows.add(new DeltaRow("neck + head delta, fp16", b16, b16 / (double) fullBytes, map16, 100 * (map16 - map32),
                "mAP within 0.1 point of the fp32 delta", Math.abs(100 * (map16 - map32)) <= 0.1,
                String.format("KnowledgeDelta float16 storage; relative error of dW %.2g, max |W16 - W32| %.2g;"
                                + " %.2fx the fp32 delta's bytes", relativeError(a16.delta().tensors(),
                                a32.delta().tensors()), maxAbsDiff(a16.weights(), a32.weights()), b16 / (double) b32)));
        return rows;
    }

    private static double relativeError(List<TensorFile.Tensor> a, List<TensorFile.Tensor> b) {
        double num = 0;
        double den = 0;
        Map<String, TensorFile.Tensor> bb = TensorFile.byName(b);
        for (TensorFile.Tensor t : a) {
            float[] x = t.data();
            float[] y = bb.get(t.name()).data();
            for (int i = 0; i < x.length; i++) {
                num += (double) (x[i] - y[i]) * (x[i] - y[i]);
                den += (double) y[i] * y[i];
            }
        }
        return Math.sqrt(num / Math.max(den, Double.MIN_NORMAL));
    }

    private static double maxAbsDiff(List<TensorFile.Tensor> a, List<TensorFile.Tensor> b) {
        double m = 0;
        Map<String, TensorFile.Tensor> bb = TensorFile.byName(b);
        for (TensorFile.Tensor t : a) {
            m = Math.max(m, EngineTimer.maxAbsDiff(t.data(), bb.get(t.name()).data()));
        }
        return m;
    }

    /** The report's section 3; {@code source} says where the tutor came from. */
    public String markdown(Result r, String source) {
        return "### 3. Knowledge delta, fp32 and fp16\n\nTutor: " + source + ". The tutor fine-tuned " + s.deltaSteps()
                + " steps (batch " + s.batch() + ", AdamW lr 5e-4) gives the neck + head delta; Eq. 10 with lambda 1"
                + " applies it; VOC mAP@0.5 on the test split. 1 point = 0.01 mAP.\n\n" + DeltaRow.table(r.rows()).strip()
                + "\n\n";
    }
}
