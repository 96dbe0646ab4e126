package org.diredi.export;

import org.diredi.inference.OnnxModel;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.vision.fcos.FcosGrid;

/**
 * Runs the DJL model and its ONNX export on the same inputs and measures the largest absolute
 * difference of each output. An export is trusted only when these are at float-rounding level.
 *
 * <p>Box distances are also compared in units of their level's stride. The head multiplies by the
 * stride (8, 16, 32) last, and multiplying by a power of two is exact in floating point, so the
 * pixel difference divided by the stride is exactly the network's own rounding difference. In
 * pixels the same rounding grows with the stride and the input size (one float ULP at 512 px is
 * 6e-5), so a fixed pixel tolerance would judge the input size, not the export.
 */
public final class OnnxParity {

    /** Default acceptance: FP32 convolutions summed in another order differ around 1e-6..1e-5. */
    public static final double TOLERANCE = 1e-4;

    private OnnxParity() {}

    /**
     * Largest absolute differences over all images (box both in pixels and in stride units), and
     * the largest magnitude seen per output.
     */
    public record Result(int images, double cls, double box, double boxStrideUnits, double centerness,
                         double clsMagnitude, double boxMagnitude, double centernessMagnitude) {

        /** The largest of class, box (stride units) and center-ness differences. */
        public double max() {
            return Math.max(cls, Math.max(boxStrideUnits, centerness));
        }

        public boolean within(double tolerance) {
            return max() <= tolerance;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d image(s): max |DJL - ONNX| cls %.3g (|x| <= %.3g), box %.3g px "
                    + "= %.3g strides (|x| <= %.3g px), centerness %.3g (|x| <= %.3g)", images, cls, clsMagnitude,
                    box, boxStrideUnits, boxMagnitude, centerness, centernessMagnitude);
        }
    }

    /** Compares on normalised CHW images of the model's input size. */
    public static Result compare(FcosDetector model, Path onnx, List<float[]> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("parity needs at least one image");
        }
        double[] d = new double[3];
        double[] mag = new double[3];
        double boxStrides = 0;
        int s = model.config().inputSize();
        FcosGrid grid = new FcosGrid(s, ModelConfig.STRIDES);
        // The inputs go where the model's weights are, whichever device that is.
        try (OnnxModel ort = new OnnxModel(onnx, 0);
                NDManager m = NDManager.newBaseManager(model.getParameters().valueAt(0).getArray().getDevice())) {
            if (ort.inputSize() != s) {
                throw new ExportException(onnx + ": input is " + ort.inputSize() + " px, the model's is " + s);
            }
            ParameterStore ps = new ParameterStore(m, false);
            for (float[] x : images) {
                try (NDManager step = m.newSubManager()) {
                    DetectorOutput out = model.run(ps, step.create(x, model.inputShape(1)), false);
                    OnnxModel.Outputs o = ort.run(x);
                    float[][] djl = {out.classLogits().toFloatArray(), out.boxes().toFloatArray(),
                            out.centerness().toFloatArray()};
                    float[][] onx = {o.cls(), o.box(), o.centerness()};
                    for (int k = 0; k < 3; k++) {
                        if (djl[k].length != onx[k].length) {
                            throw new ExportException(onnx + ": output " + k + " has " + onx[k].length
                                    + " values, DJL gives " + djl[k].length);
                        }
                        for (int i = 0; i < djl[k].length; i++) {
                            double diff = Math.abs((double) djl[k][i] - onx[k][i]);
                            d[k] = Math.max(d[k], diff);
                            mag[k] = Math.max(mag[k], Math.abs(djl[k][i]));
                            if (k == 1) {
                                boxStrides = Math.max(boxStrides, diff / grid.stride(grid.level(i / 4)));
                            }
                        }
                    }
                }
            }
        }
        return new Result(images.size(), d[0], d[1], boxStrides, d[2], mag[0], mag[1], mag[2]);
    }
}
