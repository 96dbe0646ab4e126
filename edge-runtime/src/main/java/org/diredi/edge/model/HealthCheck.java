package org.diredi.edge.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.diredi.edge.capture.Frame;
import org.diredi.inference.Latencies;
import org.diredi.inference.OnnxDetector;
import org.diredi.profiles.DeviceProfile;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.image.Images;
import org.diredi.vision.image.Preprocess;

/**
 * What a model must pass before a device runs it: it loads, it runs on the bundled sample frame,
 * every output is finite, its classes are the ones its manifest announced, and its median latency
 * fits the device profile's budget. Not final: a fleet simulator (bench rollout) keeps the OTA path and
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

    private final DeviceProfile profile;
    private final FcosDecoder.Config decode;
    private final int threads;
    private final Frame sample;

    public HealthCheck(DeviceProfile profile, FcosDecoder.Config decode, int threads) {
        this.profile = profile;
        this.decode = decode;
        this.threads = threads;
        this.sample = sampleFrame();
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

    private static void requireFinite(String what, float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new Failed(what + " are not finite (" + v[i] + " at index " + i + " on the sample frame)");
            }
        }
    }
}
