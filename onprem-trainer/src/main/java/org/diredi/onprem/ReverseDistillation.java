package org.diredi.onprem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.DeltaEncoding;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.DeltaPrivacy;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.BatchLoader;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;

/**
 * The customer's side of DiReDi (paper steps 3-5): the deployed edge model teaches two copies of the
 * original tutor by reverse distillation (Eq. 8, {@code L = alpha L_gt + beta L_RD}), tutor 1 on the
 * presumed data (RD B) and tutor 2 on presumed + labelled private data (RD A), from the same weights,
 * seed and schedule so that their difference reflects the data alone; the knowledge delta (Eq. 9) is
 * that difference over neck + head. Only the delta file ever leaves the premises.
 *
 * <p>Both tutors train their neck and head only (unless the delta includes the backbone): the cloud keeps
 * its own backbone (Eq. 10), so a tutor 2 whose backbone had moved would rely on features the updated
 * tutor does not have. In Experiment 1's first run, trained whole, tutor 2 reached 32.0 AP on the added
 * class and the updated tutor 7.7 (BENCHMARKS.md section 7). No gradient is computed for the frozen backbone
 * ({@link org.diredi.core.model.FcosDetector#freezeBackbone}): the same tutors, 1.18x faster.
 */
public final class ReverseDistillation {

    /**
     * Settings: epochs and schedule ({@code train}), Eq. 8 weights, Eq. 9 gamma, FGD settings for L_RD, the
     * delta's upload form, its differential privacy (null: none), and whether RD B takes as many optimiser steps
     * as RD A ({@code equalSteps}: more epochs over its smaller data) rather than the same epochs.
     *
     * <p>Equal steps is a lever the experiments measure, not the default: at equal epochs RD A takes 2.7 times
     * RD B's steps in Experiment 1 and drifts 1.8 times as far from the original tutor, so Eq. 9 was expected to
     * cancel more of the edge teacher's common pull with RD B as long. On ShapeScenes it cancelled less: the updated
     * tutor fell from 57.4 to 52.3 mAP and the added class from 32.7 to 13.6 AP (BENCHMARKS.md section 11).
     */
    public record Settings(TrainConfig train, float alpha, float beta, double gamma, boolean includeBackbone,
                           FgdConfig fgd, DeltaEncoding encoding, DeltaPrivacy.Settings privacy, boolean equalSteps) {

        /** RD B at the same epochs as RD A. */
        public Settings(TrainConfig train, float alpha, float beta, double gamma, boolean includeBackbone,
                        FgdConfig fgd, DeltaEncoding encoding, DeltaPrivacy.Settings privacy) {
            this(train, alpha, beta, gamma, includeBackbone, fgd, encoding, privacy, false);
        }

        /** A float32 delta without differential privacy, RD B at the same epochs as RD A. */
        public Settings(TrainConfig train, float alpha, float beta, double gamma, boolean includeBackbone,
                        FgdConfig fgd) {
            this(train, alpha, beta, gamma, includeBackbone, fgd, DeltaEncoding.FLOAT32, null, false);
        }

        /** These settings with RD B at RD A's number of steps ({@code true}) or at the same epochs. */
        public Settings withEqualSteps(boolean equal) {
            return new Settings(train, alpha, beta, gamma, includeBackbone, fgd, encoding, privacy, equal);
        }

        public Settings {
            encoding = encoding == null ? DeltaEncoding.FLOAT32 : encoding;
            privacy = privacy == null || !privacy.enabled() ? null : privacy;
        }
    }

    /** Tutor 1 and tutor 2 checkpoints and the delta built from them. */
    public record Outcome(Path tutor1, Path tutor2, Path delta, KnowledgeDelta knowledgeDelta) {}

    private ReverseDistillation() {}

    /**
     * Runs RD B and RD A in {@code dir} (cached and resumable stage by stage) and writes
     * {@code dir/update.delta}.
     *
     * @param presumed      the presumed data (restricted to the presumed classes)
     * @param privateData   the customer's labelled data (restricted to the classes it adds / keeps)
     * @param added         classes the private data adds; {@code removed}: classes no longer wanted
     * @param provenance    extra facts for the delta manifest (customer id, ...)
     */
    public static Outcome run(Path edgeModel, Path originalTutor, ModelConfig tutorModel, ClassList classes,
                              VocDataset presumed, VocDataset privateData, List<String> added, List<String> removed,
                              Settings s, Path dir, Map<String, String> provenance) throws IOException {
        return run(edgeModel, originalTutor, tutorModel, classes, presumed, privateData, added, removed, s, dir,
                dir.resolve("tutor1-rdB"), provenance);
    }

    /**
     * {@link #run(Path, Path, ModelConfig, ClassList, VocDataset, VocDataset, List, List, Settings, Path, Map)}
     * with RD B in {@code rdBDir}: RD B sees no private data, so runs from the same models, presumed data
     * and settings may share it (the experiments keep it with the manufacturer's stages).
     */
    public static Outcome run(Path edgeModel, Path originalTutor, ModelConfig tutorModel, ClassList classes,
                              VocDataset presumed, VocDataset privateData, List<String> added, List<String> removed,
                              Settings s, Path dir, Path rdBDir, Map<String, String> provenance) throws IOException {
        Files.createDirectories(dir);
        VocDataset rdAData = rdAData(presumed, privateData, removed, classes);
        Stages.Stage rdA = Stages.Stage.direct("tutor2", tutorModel, s.train(), rdAData)
                .distilledFrom(edgeModel, s.fgd()).from(originalTutor).weights(s.alpha(), s.beta())
                .freezingBackbone(!s.includeBackbone());
        TrainConfig rdBTrain = s.equalSteps()
                ? s.train().withEpochs(epochsForSteps(s.train(), rdAData.size(), presumed.size())) : s.train();
        Stages.Result t1 = Stages.run(rdA.on("tutor1", presumed).training(rdBTrain), classes, rdBDir);
        Stages.Result t2 = Stages.run(rdA, classes, dir.resolve("tutor2-rdA"));
        Path deltaFile = dir.resolve("update.delta");
        KnowledgeDelta kept = Files.exists(deltaFile) ? KnowledgeDelta.read(deltaFile) : null;
        KnowledgeDelta delta = kept != null && madeWith(kept.manifest(), s) ? kept
                : delta(Checkpoint.read(originalTutor), Checkpoint.read(t1.checkpoint()), Checkpoint.read(t2.checkpoint()),
                        classes, added, removed, s, Map.of("rdB", Map.of("images", presumed.size(),
                                "objects", presumed.objectCount()), "rdA", Map.of("images", rdAData.size(),
                                "objects", rdAData.objectCount())), provenance, deltaFile);
        return new Outcome(t1.checkpoint(), t2.checkpoint(), deltaFile, delta);
    }

    /**
     * The epochs over {@code images} that take about as many optimiser steps as {@code train}'s epochs over
     * {@code reference} images (rounded to whole epochs, at least one).
     */
    static int epochsForSteps(TrainConfig train, int reference, int images) {
        int referenceSteps = train.epochs() * BatchLoader.batchesPerEpoch(reference, train.batchSize());
        return Math.max(1, Math.round((float) referenceSteps / BatchLoader.batchesPerEpoch(images, train.batchSize())));
    }

    /**
     * RD A's data: the presumed images and the private ones, with what the customer wants labelled in both. A
     * removed class is unlabelled in the presumed images too (Table II: tutor 2's classes are the updated ones);
     * labelled there, it kept the removed class alive (in Experiment 2 the updated tutor gained 5.1 AP on it).
     */
    static VocDataset rdAData(VocDataset presumed, VocDataset privateData, List<String> removed, ClassList classes) {
        List<String> kept = Stages.labelledClasses(presumed).stream().filter(c -> !removed.contains(c)).toList();
        List<VocImage> both = new ArrayList<>(presumed.restrictTo(kept).images());
        both.addAll(privateData.images());
        return VocDataset.of(presumed.root(), "train", classes, both);
    }

    /**
     * Whether a delta already written was made in the settings' form and privacy: then a rerun keeps it (a DP
     * delta released again with fresh noise would spend the privacy budget twice).
     */
    static boolean madeWith(DeltaManifest m, Settings s) {
        DeltaPrivacy p = m.privacy();
        DeltaPrivacy.Settings want = s.privacy();
        boolean samePrivacy = want == null ? p == null : p != null && p.clipNorm() == want.clipNorm()
                && p.noiseMultiplier() == want.noiseMultiplier() && p.delta() == want.delta();
        return samePrivacy && s.encoding().form().id().equals(m.formName())
                && java.util.Objects.equals(s.encoding().sparseDensity(), m.sparseDensity());
    }

    /**
     * Eq. 9 over neck + head (or all parameters), then, when the settings ask for it, clipping and noise
     * ({@link DeltaPrivacy}), then the upload form: written atomically with its manifest.
     */
    public static KnowledgeDelta delta(Checkpoint base, Checkpoint tutor1, Checkpoint tutor2, ClassList classes,
                                       List<String> added, List<String> removed, Settings s,
                                       Map<String, Map<String, Integer>> dataCounts, Map<String, String> provenance,
                                       Path out)
            throws IOException {
        Map<String, String> prov = new java.util.LinkedHashMap<>(provenance);
        prov.put("tutor1", tutor1.manifest().id());
        prov.put("tutor2", tutor2.manifest().id());
        prov.put("alpha", Float.toString(s.alpha()));
        prov.put("beta", Float.toString(s.beta()));
        DeltaManifest m = new DeltaManifest(null, null, base.manifest().id(), base.manifest().weightsSha256(),
                classes.names(), added, removed, s.gamma(), s.includeBackbone() ? "all" : "neck+head", null, dataCounts,
                0, 0, 0, null, prov).withLineage(KnowledgeDelta.lineage(base.manifest(), tutor1.manifest(),
                tutor2.manifest(), Map.of("gamma", Double.toString(s.gamma()), "alpha", Float.toString(s.alpha()),
                        "beta", Float.toString(s.beta()))));
        List<TensorFile.Tensor> dw = KnowledgeDelta.difference(tutor2.weights(), tutor1.weights(), s.gamma(),
                KnowledgeDelta.parts(s.includeBackbone()));
        if (s.privacy() != null) {
            DeltaPrivacy.Released r = DeltaPrivacy.release(dw, s.privacy());
            dw = r.tensors();
            m = m.withPrivacy(r.privacy());
        }
        return KnowledgeDelta.write(out, m, dw, s.encoding());
    }
}
