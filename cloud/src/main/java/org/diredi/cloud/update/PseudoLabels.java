package org.diredi.cloud.update;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.stage.Stages;
import org.diredi.vision.box.Detection;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.io.AtomicFiles;

/**
 * Distill C's labels for the classes a delta adds when the manufacturer has none of its own
 * ({@link AddedClassKnowledge#UNLABELLED}, {@link AddedClassKnowledge#ABSENT}): the updated tutor's
 * (Eq. 10) detections of those classes on Distill C's training images, above a score threshold, at most
 * a few per class and image, and none on an object the manufacturer labels. They join the manufacturer's
 * labels of its other classes, so the edge model learns the added class from the customer's delta alone.
 * Drawn once per update and kept as JSON beside Distill C's stage folder, so a resumed update reuses them.
 */
public final class PseudoLabels {

    /**
     * @param scoreThreshold lowest score of a detection that becomes a label
     * @param maxPerClass    most labels of one class on one image
     */
    public record Settings(double scoreThreshold, int maxPerClass) {

        /**
         * 0.5, above the cameras' 0.3: a wrong pseudo-label teaches the edge model a false positive on every
         * epoch, a missed one only leaves that object as background, as the manufacturer's data had it.
         * 2 per class: a scene of 1-4 objects (FashionScenes) rarely shows one class more often.
         */
        public static final Settings DEFAULTS = new Settings(0.5, 2);

        public Settings {
            if (!(scoreThreshold > 0 && scoreThreshold < 1)) {
                throw new IllegalArgumentException("pseudoLabels.scoreThreshold must be in (0, 1), got "
                        + scoreThreshold);
            }
            if (maxPerClass < 1) {
                throw new IllegalArgumentException("pseudoLabels.maxPerClass must be >= 1, got " + maxPerClass);
            }
        }
    }

    /**
     * What was drawn, as cached: from which tutor (its weights' SHA-256), with which settings, for which
     * classes, how many per class, and the labels per image id (every image, none included).
     */
    public record Drawn(String tutorSha256, Settings settings, List<String> classes, Map<String, Integer> perClass,
                        Map<String, List<Detection>> images) {

        /** {@code data} with each image's pseudo-labels added to its own labels. */
        public VocDataset applyTo(VocDataset data) {
            List<VocImage> out = new ArrayList<>(data.size());
            for (VocImage img : data.images()) {
                List<Detection> extra = images.getOrDefault(img.id(), List.of());
                if (extra.isEmpty()) {
                    out.add(img);
                    continue;
                }
                List<VocObject> objs = new ArrayList<>(img.objects());
                extra.forEach(d -> objs.add(new VocObject(d.classId(), d.box(), false, false)));
                out.add(new VocImage(img.id(), img.imagePath(), img.width(), img.height(), objs));
            }
            return VocDataset.of(data.root(), data.split(), data.classes(), out);
        }

        boolean covers(String sha, Settings s, List<String> names, VocDataset data) {
            return sha.equals(tutorSha256) && s.equals(settings) && names.equals(classes)
                    && data.images().stream().allMatch(i -> images.containsKey(i.id()));
        }
    }

    /** IoU with a labelled object above which a pseudo-label is taken to be that object (VOC's match rule). */
    static final double OVERLAP_IOU = 0.5;

    /** Images preprocessed at a time (64 at the paper's 512 px: 200 MB), not the whole split. */
    private PseudoLabels() {}

    /** The cache file of a Distill C stage folder: beside it. */
    public static Path file(Path distillCDir) {
        return distillCDir.resolveSibling("pseudo-labels.json");
    }

    /** The labels drawn per class for a Distill C stage folder; empty when none were drawn there. */
    public static Map<String, Integer> drawnPerClass(Path distillCDir) throws IOException {
        Path f = file(distillCDir);
        return Files.exists(f) ? ConfigFiles.JSON.readValue(f.toFile(), Drawn.class).perClass() : Map.of();
    }

    /**
     * The pseudo-labels of {@code added} that {@code tutor} draws on {@code data} (whose own labels are the
     * manufacturer's, of its other classes), from the cache beside {@code distillCDir} when it holds them for
     * this tutor, these settings and these images; otherwise drawn on {@code device} and cached atomically.
     */
    public static Drawn draw(Path tutor, VocDataset data, List<String> added, Settings settings, Device device,
                             Path distillCDir) throws IOException {
        Checkpoint ck = Checkpoint.read(tutor);
        String sha = ck.manifest().weightsSha256();
        Path f = file(distillCDir);
        if (Files.exists(f)) {
            Drawn cached = ConfigFiles.JSON.readValue(f.toFile(), Drawn.class);
            if (cached.covers(sha, settings, added, data)) {
                return cached;
            }
        }
        // decoded at the pseudo-label threshold: the evaluation decode keeps low scores it would only drop
        Map<String, List<Detection>> found = Stages.detect(tutor, data, device, new FcosDecoder.Config(
                (float) settings.scoreThreshold(), FcosDecoder.Config.EVAL.preNmsTopK(),
                FcosDecoder.Config.EVAL.nmsIou(), FcosDecoder.Config.EVAL.maxDetections()));
        Set<Integer> addedIds = new HashSet<>(data.classes().ids(added));
        Map<String, List<Detection>> images = new LinkedHashMap<>();
        Map<String, Integer> perClass = new LinkedHashMap<>();
        added.forEach(c -> perClass.put(c, 0));
        for (VocImage img : data.images()) {
            List<Detection> kept = select(found.getOrDefault(img.id(), List.of()), img.objects(), addedIds, settings);
            kept.forEach(d -> perClass.merge(data.classes().name(d.classId()), 1, Integer::sum));
            images.put(img.id(), kept);
        }
        Drawn drawn = new Drawn(sha, settings, List.copyOf(added), perClass, images);
        Files.createDirectories(f.getParent());
        AtomicFiles.writeJson(f, drawn);
        return drawn;
    }

    /**
     * One image's pseudo-labels among the tutor's {@code detections}: those of the {@code added} class ids
     * scoring at least the threshold, not overlapping any of the image's labelled objects ({@code truth}) above
     * {@link #OVERLAP_IOU}, the best {@link Settings#maxPerClass} of each class.
     */
    public static List<Detection> select(List<Detection> detections, Collection<VocObject> truth,
                                         Set<Integer> added, Settings settings) {
        List<Detection> kept = new ArrayList<>();
        Map<Integer, Integer> taken = new HashMap<>();
        List<Detection> byScore = detections.stream()
                .sorted(Comparator.comparingDouble(Detection::score).reversed()).toList();
        for (Detection d : byScore) {
            if (!added.contains(d.classId()) || d.score() < settings.scoreThreshold()
                    || taken.getOrDefault(d.classId(), 0) >= settings.maxPerClass()
                    || truth.stream().anyMatch(o -> o.box().iou(d.box()) > OVERLAP_IOU)) {
                continue;
            }
            taken.merge(d.classId(), 1, Integer::sum);
            kept.add(d);
        }
        return kept;
    }
}
