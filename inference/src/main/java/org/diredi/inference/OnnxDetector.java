package org.diredi.inference;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diredi.vision.box.Detection;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.fcos.FcosGrid;

/**
 * An exported detector ready for frames: the ONNX model, its class list and strides read from the
 * file's own metadata (so a device needs nothing but the .onnx), and the shared FCOS decode + NMS.
 */
public final class OnnxDetector implements AutoCloseable {

    /** Metadata keys the exporter writes. */
    public static final String META_CLASSES = "diredi.classes";
    public static final String META_STRIDES = "diredi.strides";
    public static final String META_PRESET = "diredi.preset";

    private final Path file;
    private final OnnxModel model;
    private final List<String> classes;
    private final FcosDecoder decoder;

    /** Per-frame result: detections in image pixels, the raw outputs, and the time of each part. */
    public record Result(List<Detection> detections, OnnxModel.Outputs outputs, long inferenceNanos, long decodeNanos) {}

    public OnnxDetector(Path file, int threads, FcosDecoder.Config config) {
        this.file = file;
        this.model = new OnnxModel(file, threads);
        try {
            Map<String, String> meta = model.metadata();
            String c = meta.get(META_CLASSES);
            String s = meta.get(META_STRIDES);
            if (c == null || s == null || c.isBlank()) {
                throw new InferenceException(file + ": no " + META_CLASSES + " / " + META_STRIDES
                        + " metadata (not exported by diredi export?)");
            }
            classes = List.of(c.split(","));
            int[] strides = Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
            decoder = new FcosDecoder(new FcosGrid(model.inputSize(), strides), classes.size(), config);
        } catch (RuntimeException e) {
            model.close();
            throw e instanceof InferenceException ie ? ie
                    : new InferenceException(file + ": unreadable detector metadata (" + e.getMessage() + ")", e);
        }
    }

    public Path file() {
        return file;
    }

    public int inputSize() {
        return model.inputSize();
    }

    public List<String> classes() {
        return classes;
    }

    public Map<String, String> metadata() {
        return model.metadata();
    }

    /** Runs one preprocessed input ({@code 3 x S x S}, see Preprocess) for an image of {@code w x h}. */
    public Result detect(float[] chw, int w, int h) {
        long t0 = System.nanoTime();
        OnnxModel.Outputs o = model.run(chw);
        long t1 = System.nanoTime();
        List<Detection> d = decoder.decode(o.cls(), o.box(), o.centerness(), w, h);
        return new Result(d, o, t1 - t0, System.nanoTime() - t1);
    }

    @Override
    public void close() {
        model.close();
    }
}
