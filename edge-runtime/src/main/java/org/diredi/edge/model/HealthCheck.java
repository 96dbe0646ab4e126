package org.diredi.edge.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diredi.edge.capture.FolderSource;
import org.diredi.edge.capture.Frame;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.inference.Latencies;
import org.diredi.inference.OnnxDetector;
import org.diredi.profiles.DeviceProfile;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.image.Images;
import org.diredi.vision.image.Preprocess;

/**
 * What a model must pass before a device runs it: it loads, it runs on the bundled sample frame,
 * every output is finite, its classes are the ones its manifest announced, and its median latency
 * fits the device profile's budget. An update's model must also agree with the running one on the
 * reference frames ({@link Agreement}, edge.yaml {@code health}): a model that runs fine but no longer
 * finds what the camera found (a bad update, not a broken file) is caught here, on the canary. Not final: a fleet simulator (bench rollout) keeps the OTA path and
 * replaces only the inference.
 */
public class HealthCheck {

    /** A failed check; {@link #getMessage()} is the reason reported to the cloud. */
    public static final class Failed extends RuntimeException {
        public Failed(String reason) {
            super(reason);
        }
    }

    private static final int TIMED_RUNS = 5;
    /** The new model's detections count for the agreement from this share of the camera's score threshold. */
    private static final float CANDIDATE_SCORE_SHARE = 0.5f;

    private final DeviceProfile profile;
    private final FcosDecoder.Config decode;
    private final int threads;
    private final Frame sample;
    private final EdgeConfig.Health acceptance;
    private final List<Frame> references;

    /** The checks without the agreement (models that are not replacing a running one). */
    public HealthCheck(DeviceProfile profile, FcosDecoder.Config decode, int threads) {
        this(profile, decode, threads, new EdgeConfig.Health(0, 1, null));
    }

    /** With the agreement of {@code acceptance}; its reference frames are read now (a bad folder fails at start). */
    public HealthCheck(DeviceProfile profile, FcosDecoder.Config decode, int threads, EdgeConfig.Health acceptance) {
        this.profile = profile;
        this.decode = decode;
        this.threads = threads;
        this.sample = sampleFrame();
        this.acceptance = acceptance;
        this.references = acceptance.minAgreement() <= 0 ? List.of() : referenceFrames(acceptance.referenceFrames());
    }

    /** The images of {@code folder} (sorted by name), or the bundled sample frame when it is null. */
    static List<Frame> referenceFrames(String folder) {
        if (folder == null) {
            return List.of(sampleFrame());
        }
        List<Frame> frames = new ArrayList<>();
        try (FolderSource src = new FolderSource(Path.of(folder), false)) {
            for (Frame f = src.next(); f != null; f = src.next()) {
                frames.add(f);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("health.referenceFrames: " + e.getMessage(), e);
        }
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("health.referenceFrames: no images in " + folder);
        }
        return frames;
    }

    /** The bundled sample frame (a FashionScenes test image). */
    public static Frame sampleFrame() {
        try (InputStream in = HealthCheck.class.getResourceAsStream("/org/diredi/edge/sample-frame.jpg")) {
            return Frame.of(0, "sample-frame.jpg", Images.read(in, Path.of("sample-frame.jpg")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks {@code onnx}; returns the loaded detector (the caller owns it) or throws {@link Failed}.
     *
     * @param expectedClasses the classes the update announced, or null to skip that check
     */
    public OnnxDetector check(Path onnx, List<String> expectedClasses) {
        OnnxDetector d;
        try {
            d = new OnnxDetector(onnx, threads, decode);
        } catch (RuntimeException e) {
            throw new Failed("does not load: " + e.getMessage());
        }
        try {
            if (expectedClasses != null && !expectedClasses.equals(d.classes())) {
                throw new Failed("classes " + d.classes() + " differ from the announced " + expectedClasses);
            }
            int s = d.inputSize();
            float[] x = Preprocess.bgrToChw(sample.bgr(), sample.width(), sample.height(), s, s);
            Latencies lat = new Latencies(TIMED_RUNS);
            d.detect(x, sample.width(), sample.height()); // warm-up: first run plans memory
            for (int i = 0; i < TIMED_RUNS; i++) {
                OnnxDetector.Result r = d.detect(x, sample.width(), sample.height());
                lat.add(r.inferenceNanos());
                requireFinite("class logits", r.outputs().cls());
                requireFinite("box distances", r.outputs().box());
                requireFinite("center-ness", r.outputs().centerness());
            }
            if (lat.p50() > profile.latencyBudgetMs()) {
                throw new Failed(String.format(java.util.Locale.ROOT,
                        "median latency %.1f ms exceeds the %s profile's budget of %.1f ms", lat.p50(),
                        profile.name(), profile.latencyBudgetMs()));
            }
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e instanceof Failed f ? f : new Failed("does not run: " + e.getMessage());
        }
    }

    /**
     * The check of an update: {@link #check}, then the agreement with {@code running} (the model in use,
     * null on a camera without one) when edge.yaml asks for it.
     */
    public OnnxDetector checkUpdate(Path onnx, List<String> expectedClasses, Path running) {
        OnnxDetector d = check(onnx, expectedClasses);
        if (running == null || acceptance.minAgreement() <= 0) {
            return d;
        }
        try {
            requireAgreement(onnx, d.classes(), running);
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private void requireAgreement(Path onnx, List<String> classes, Path running) {
        List<List<Agreement.Found>> before;
        try (OnnxDetector r = new OnnxDetector(running, threads, decode)) {
            before = found(r);
        } catch (RuntimeException e) {
            System.err.println("edge: running model " + running + " does not run (" + e.getMessage()
                    + "): the new model's agreement with it is not checked");
            return;
        }
        // a class the update drops (onprem 'removed') is not a disagreement: compare on the classes it keeps
        before = before.stream().map(f -> f.stream().filter(x -> classes.contains(x.className())).toList()).toList();
        // a detection the new model makes just under the camera's threshold is not a disagreement: its
        // detections count from a share of that threshold
        FcosDecoder.Config lower = new FcosDecoder.Config(decode.scoreThreshold() * CANDIDATE_SCORE_SHARE,
                decode.preNmsTopK(), decode.nmsIou(), decode.maxDetections());
        List<List<Agreement.Found>> after;
        try (OnnxDetector c = new OnnxDetector(onnx, threads, lower)) {
            after = found(c);
        }
        Agreement.Result a = Agreement.measure(before, after, acceptance.matchIou());
        if (a.share() < acceptance.minAgreement()) {
            throw new Failed(String.format(java.util.Locale.ROOT, "it finds %d of the running model's %d detections"
                    + " on %d reference frame(s) (%.0f%%, same class at IoU >= %.2f); health.minAgreement asks %.0f%%",
                    a.matched(), a.total(), references.size(), 100 * a.share(), acceptance.matchIou(),
                    100 * acceptance.minAgreement()));
        }
    }

    /** {@code d}'s detections on each reference frame, by class name. */
    private List<List<Agreement.Found>> found(OnnxDetector d) {
        List<List<Agreement.Found>> out = new ArrayList<>();
        int s = d.inputSize();
        for (Frame f : references) {
            float[] x = Preprocess.bgrToChw(f.bgr(), f.width(), f.height(), s, s);
            out.add(d.detect(x, f.width(), f.height()).detections().stream()
                    .map(t -> new Agreement.Found(d.classes().get(t.classId()), t.score(), t.box())).toList());
        }
        return out;
    }

    private static void requireFinite(String what, float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new Failed(what + " are not finite (" + v[i] + " at index " + i + " on the sample frame)");
            }
        }
    }
}
