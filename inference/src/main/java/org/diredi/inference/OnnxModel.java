package org.diredi.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * An exported DiReDi detector loaded in ONNX Runtime (CPU), run one image at a time. The same class
 * serves the export-time parity checks and the edge runtime, so a parity test checks the device's code.
 */
public final class OnnxModel implements AutoCloseable {

    /** Input and output names of every DiReDi export (the exporter writes them, this reads them). */
    public static final String INPUT = "images";
    public static final String CLS = "cls_logits";
    public static final String BOX = "box_distances";
    public static final String CENTERNESS = "centerness";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final int inputSize;

    /** The three outputs for one image, flattened location-major as FcosDecoder takes them. */
    public record Outputs(float[] cls, float[] box, float[] centerness) {}

    /** Loads {@code file} with {@code threads} intra-op threads (0 = ONNX Runtime's default). */
    public OnnxModel(Path file, int threads) {
        env = OrtEnvironment.getEnvironment();
        // The session copies its options, so they can be released right away.
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            if (threads > 0) {
                o.setIntraOpNumThreads(threads);
            }
            session = env.createSession(file.toString(), o);
        } catch (OrtException e) {
            throw new InferenceException(file + ": ONNX Runtime cannot load it (" + e.getMessage() + ")", e);
        }
        inputSize = imageSide(file);
    }

    /** Side of the static (1, 3, S, S) input named {@code images}; closes the session if there is none. */
    private int imageSide(Path file) {
        try {
            NodeInfo in = session.getInputInfo().get(INPUT);
            if (in != null && in.getInfo() instanceof TensorInfo t && t.getShape().length == 4
                    && t.getShape()[2] > 0 && t.getShape()[2] == t.getShape()[3]) {
                return (int) t.getShape()[2];
            }
        } catch (OrtException e) {
            // reported below
        }
        close();
        throw new InferenceException(file + ": not a DiReDi detector export (no static square input '"
                + INPUT + "')");
    }

    public int inputSize() {
        return inputSize;
    }

    /** Custom metadata written by the exporter (preset, classes, strides, ...). */
    public Map<String, String> metadata() {
        try {
            return session.getMetadata().getCustomMetadata();
        } catch (OrtException e) {
            throw new InferenceException("cannot read model metadata: " + e.getMessage(), e);
        }
    }

    /** Runs one normalised CHW image ({@code 3 * S * S} floats). */
    public Outputs run(float[] chw) {
        if (chw.length != 3 * inputSize * inputSize) {
            throw new IllegalArgumentException("input has " + chw.length + " floats, the model takes 3x"
                    + inputSize + "x" + inputSize);
        }
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(chw),
                    new long[] {1, 3, inputSize, inputSize});
             OrtSession.Result r = session.run(Map.of(INPUT, x))) {
            return new Outputs(floats(r, CLS), floats(r, BOX),
                    floats(r, CENTERNESS));
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private static float[] floats(OrtSession.Result r, String name) {
        FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new InferenceException("cannot close ONNX Runtime session: " + e.getMessage(), e);
        }
    }
}
