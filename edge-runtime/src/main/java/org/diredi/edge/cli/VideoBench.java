package org.diredi.edge.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diredi.edge.EdgeDevice;
import org.diredi.edge.EdgeRuntime;
import org.diredi.edge.capture.Frame;
import org.diredi.edge.capture.OpenCvSource;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.inference.Latencies;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.image.Images;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.MachineFacts;
import org.diredi.vision.report.MarkdownTable;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.videoio.VideoWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The whole edge pipeline on a video file, FP32 against int8, with the time share of each part. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"The edge runtime end to end on a video file (OpenCV decode, preprocess, ONNX Runtime,",
            "decode + NMS) for each exported model: frames per second, frame latency p50 / p99 and the share",
            "of each part. The video is made from the dataset's test images (MJPEG AVI). Writes edge.md / edge.json."})
final class VideoBench implements Callable<Integer> {

    @Option(names = "--onnx", split = ",", required = true, paramLabel = "FILE",
            description = "exported models (FP32 and int8 .onnx from 'diredi export')")
    List<Path> onnx;

    @Option(names = "--data", paramLabel = "DIR", description = "FashionScenes / VOC root (default: ${DEFAULT-VALUE})")
    Path data = Path.of("work/fashion-scenes");

    @Option(names = "--frames", description = "frames per model (default: ${DEFAULT-VALUE})")
    int frames = 500;

    @Option(names = "--warmup", description = "frames run first and not counted (default: ${DEFAULT-VALUE})")
    int warmup = 50;

    @Option(names = "--threads", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE})")
    int threads = 2;

    @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/bench-edge");

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        Path video = out.resolve("clip.avi");
        int[] size = writeVideo(video);
        Map<String, Object> json = new LinkedHashMap<>();
        MarkdownTable t = new MarkdownTable("model", "fps", "frame p50 ms", "frame p99 ms", "video decode", "preprocess",
                "inference", "decode + NMS", "fps vs first");
        double firstFps = 0;
        for (Path model : onnx) {
            String name = (model.getParent() == null ? "" : model.getParent().getFileName() + "/") + model.getFileName();
            Path store = out.resolve("store-" + json.size());
            AtomicFiles.deleteTree(store);
            EdgeConfig d = EdgeConfig.DEFAULTS;
            EdgeConfig c = new EdgeConfig(d.device(), "cpu", store.toString(), model.toString(),
                    new EdgeConfig.Source("video", video.toString(), 0, null, false, 0),
                    EdgeConfig.Mqtt.disabled(), null, d.decode(), d.annotate(),
                    d.gpio(), 10, threads, 0);
            EdgeRuntime.Stats s;
            try (EdgeDevice dev = EdgeDevice.open(c, Clock.systemUTC())) {
                int n = -warmup;
                while (n < frames) { // replay the clip until enough frames went through
                    try (OpenCvSource src = OpenCvSource.video(video.toString())) {
                        long t0 = System.nanoTime();
                        for (Frame f = src.next(); f != null && n < frames; f = src.next(), n++) {
                            if (n == 0) {
                                dev.runtime().resetStats();
                            }
                            dev.runtime().process(f, t0);
                            t0 = System.nanoTime();
                        }
                    }
                }
                s = dev.runtime().stats();
            }
            double total = s.capture.meanMs() + s.preprocess.meanMs() + s.inference.meanMs() + s.decode.meanMs();
            firstFps = firstFps == 0 ? s.fps() : firstFps;
            t.row(name, f1(s.fps()), f2(s.frame.p50()), f2(s.frame.p99()), share(s.capture, total),
                    share(s.preprocess, total), share(s.inference, total), share(s.decode, total),
                    String.format(Locale.ROOT, "%.2fx", s.fps() / firstFps));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("fps", s.fps());
            r.put("frameMs", Map.of("p50", s.frame.p50(), "p99", s.frame.p99()));
            for (Map.Entry<String, Latencies> e : Map.of("videoDecode", s.capture, "preprocess", s.preprocess,
                    "inference", s.inference, "decodeNms", s.decode).entrySet()) {
                r.put(e.getKey() + "Ms", Map.of("mean", e.getValue().meanMs(), "p50", e.getValue().p50(),
                        "p99", e.getValue().p99()));
            }
            r.put("frames", s.frames());
            json.put(name, r);
        }
        String md = "## Edge runtime on a video file\n\n" + MachineFacts.describe(MachineFacts.cpu()) + "; ONNX Runtime " + threads
                + " threads; " + frames + " frames per model (after " + warmup + " warm-up frames) from a " + size[0] + "x" + size[1] + " MJPEG clip of "
                + size[2] + " FashionScenes test images; score threshold 0.3; shares are of the mean frame time.\n\n"
                + t + "\n";
        AtomicFiles.writeString(out.resolve("edge.md"), md);
        AtomicFiles.writeJson(out.resolve("edge.json"), Map.of("machine", MachineFacts.cpu(), "results", json));
        System.out.println(md);
        return 0;
    }

    /** An MJPEG AVI of the test images (OpenCV's built-in writer: no FFmpeg needed). */
    private int[] writeVideo(Path video) {
        OpenCvSource.loadNative();
        if (!Files.exists(data.resolve("classes.txt"))) {
            throw new IllegalArgumentException(data + ": no VOC dataset (make one with 'diredi data fashion-scenes')");
        }
        VocDataset ds = VocDataset.load(data, "test", ClassList.read(data.resolve("classes.txt")));
        int n = Math.min(100, ds.size());
        List<Frame> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(Frame.of(i, "f" + i, Images.read(ds.images().get(i).imagePath())));
        }
        int w = fs.get(0).width();
        int h = fs.get(0).height();
        VideoWriter vw = new VideoWriter(video.toString(), VideoWriter.fourcc('M', 'J', 'P', 'G'), 25, new Size(w, h));
        if (!vw.isOpened()) {
            throw new IllegalStateException(video + ": OpenCV cannot write an MJPEG AVI here");
        }
        Mat m = new Mat(h, w, CvType.CV_8UC3);
        for (Frame f : fs) {
            if (f.width() != w || f.height() != h) {
                continue; // a clip has one frame size
            }
            m.put(0, 0, f.bgr());
            vw.write(m);
        }
        vw.release();
        m.release();
        return new int[] {w, h, n};
    }


    private static String share(Latencies l, double total) {
        return String.format(Locale.ROOT, "%.2f ms (%.0f%%)", l.meanMs(), 100 * l.meanMs() / total);
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
