package org.diredi.edge.capture;

import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;
import org.opencv.videoio.VideoCapture;
import org.opencv.videoio.Videoio;

/**
 * Frames through OpenCV's VideoCapture: a video file, a camera index (V4L2), or a GStreamer pipeline
 * string such as a Jetson CSI camera's {@code nvarguscamerasrc ! ... ! appsink}. OpenCV's natives
 * come inside the openpnp jar and are loaded once.
 */
public final class OpenCvSource implements FrameSource {

    private static volatile boolean loaded;

    private final VideoCapture capture;
    private final String what;
    private final Mat mat = new Mat();
    private final Mat bgr = new Mat();
    private long index;

    /** Loads OpenCV's native library from the jar (idempotent). */
    public static synchronized void loadNative() {
        if (!loaded) {
            nu.pattern.OpenCV.loadLocally();
            loaded = true;
        }
    }

    private OpenCvSource(VideoCapture capture, String what) {
        this.capture = capture;
        this.what = what;
        if (!capture.isOpened()) {
            capture.release();
            throw new IllegalArgumentException(what + ": OpenCV cannot open it (missing file, busy camera, or a "
                    + "backend this OpenCV build lacks)");
        }
    }

    public static OpenCvSource video(String file) {
        loadNative();
        return new OpenCvSource(new VideoCapture(file), "video " + file);
    }

    public static OpenCvSource camera(int index) {
        loadNative();
        return new OpenCvSource(new VideoCapture(index), "camera " + index);
    }

    public static OpenCvSource gstreamer(String pipeline) {
        loadNative();
        return new OpenCvSource(new VideoCapture(pipeline, Videoio.CAP_GSTREAMER), "gstreamer '" + pipeline + "'");
    }

    @Override
    public Frame next() {
        if (!capture.read(mat) || mat.empty()) {
            return null;
        }
        long t = System.nanoTime();
        Mat m = mat;
        if (mat.type() != CvType.CV_8UC3) {
            Imgproc.cvtColor(mat, bgr, mat.channels() == 1 ? Imgproc.COLOR_GRAY2BGR : Imgproc.COLOR_BGRA2BGR);
            m = bgr;
        }
        byte[] data = new byte[(int) (m.total() * m.channels())];
        m.get(0, 0, data);
        long i = index++;
        return new Frame(i, "frame-" + i, m.cols(), m.rows(), data, t);
    }

    @Override
    public String describe() {
        return what;
    }

    @Override
    public void close() {
        capture.release();
        mat.release();
        bgr.release();
    }
}
