package org.diredi.inference.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diredi.inference.OnnxModel;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.dnn.Dnn;
import org.opencv.dnn.Net;

/** OpenCV DNN reading the exported ONNX file, fed the same preprocessed images as the other engines. */
public final class OpenCvEngine implements EngineTimer.Engine, AutoCloseable {
    private final Net net;
    private final Mat blob;
    private final List<float[]> images;
    private final List<String> outputs = List.of(OnnxModel.CLS, OnnxModel.BOX, OnnxModel.CENTERNESS);

    public OpenCvEngine(Path onnx, List<float[]> images, int size, int threads) {
        nu.pattern.OpenCV.loadLocally();
        Core.setNumThreads(threads);
        this.net = Dnn.readNetFromONNX(onnx.toString());
        net.setPreferableBackend(Dnn.DNN_BACKEND_OPENCV);
        net.setPreferableTarget(Dnn.DNN_TARGET_CPU);
        this.blob = new Mat(new int[] {1, 3, size, size}, CvType.CV_32F);
        this.images = images;
    }

    @Override
    public float[][] run(int i) {
        blob.put(new int[] {0, 0, 0, 0}, images.get(i % images.size()));
        net.setInput(blob, OnnxModel.INPUT);
        List<Mat> outs = new ArrayList<>();
        net.forward(outs, outputs);
        float[][] r = new float[outs.size()][];
        for (int k = 0; k < outs.size(); k++) {
            Mat o = outs.get(k);
            r[k] = new float[(int) o.total()];
            o.get(new int[o.dims()], r[k]);
            o.release();
        }
        return r;
    }

    @Override
    public void close() {
        blob.release();
    }
}
