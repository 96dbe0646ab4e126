package org.diredi.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.eval.Predictor;
import org.diredi.core.model.FcosDetector;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.DataException;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.image.Images;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.DetectionPainter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs a checkpoint on images and draws the detections. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Detect objects in an image or a folder of images; writes annotated PNGs and detections.json.")
final class DetectCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "CKPT", description = "model checkpoint (.ckpt)")
    Path checkpoint;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "an image (JPEG/PNG) or a folder of them")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--score-threshold", description = "draw detections above this score (default: ${DEFAULT-VALUE})")
    float score = (float) org.diredi.vision.eval.EvalConfig.DEFAULT.scoreThreshold();

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        Device on = device.device();
        Checkpoint ck = Checkpoint.read(checkpoint);
        List<Path> images = images();
        Files.createDirectories(out);
        FcosDecoder.Config dc = new FcosDecoder.Config(score, 1000, FcosDecoder.Config.EVAL.nmsIou(), 100);
        Map<String, List<Map<String, Object>>> json = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(on)) {
            FcosDetector model = ck.toModel(manager);
            Predictor p = new Predictor(model, manager, dc);
            for (Path img : images) {
                try {
                    json.put(img.getFileName().toString(), detect(p, model.classes(), img));
                } catch (DataException e) {
                    // One unreadable frame must not cost the detections of all the others.
                    skipped.add(e.getMessage());
                    System.out.println("skipped " + e.getMessage());
                }
            }
        }
        if (json.isEmpty()) {
            throw images.size() == 1 ? new DataException(null, skipped.get(0)) : new DataException(input,
                    "none of the " + images.size() + " images could be read, e.g. " + skipped.get(0));
        }
        AtomicFiles.writeJson(out.resolve("detections.json"), json);
        System.out.println("wrote " + json.size() + " annotated PNGs and detections.json to " + out);
        if (!skipped.isEmpty()) {
            System.out.println("skipped " + skipped.size() + " unreadable image(s):");
            skipped.forEach(m -> System.out.println("  " + m));
        }
        return 0;
    }

    /** The images to run on: {@code --input} itself, or the JPEG and PNG files of that folder in name order. */
    private List<Path> images() throws IOException {
        if (!Files.exists(input)) {
            throw new DataException(input, "not found (an image or a folder of images is expected)");
        }
        if (!Files.isDirectory(input)) {
            return List.of(input);
        }
        List<Path> images = new ArrayList<>();
        try (Stream<Path> s = Files.list(input)) {
            s.filter(p -> p.getFileName().toString().matches("(?i).*\\.(jpe?g|png)")).sorted().forEach(images::add);
        }
        if (images.isEmpty()) {
            throw new DataException(input, "no .jpg or .png images in this folder");
        }
        return images;
    }

    /** Detects on one image, writes its annotated PNG and returns its rows of detections.json. */
    private List<Map<String, Object>> detect(Predictor p, ClassList classes, Path img) throws IOException {
        BufferedImage bi = Images.read(img);
        List<Detection> dets = p.predict(bi);
        String name = img.getFileName().toString().replaceAll("\\.[^.]+$", "");
        DetectionPainter.writePng(DetectionPainter.draw(bi, dets, classes, null), out.resolve(name + ".png"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Detection d : dets) {
            rows.add(Map.of("class", classes.name(d.classId()), "score", d.score(),
                    "box", new float[] {d.box().x1(), d.box().y1(), d.box().x2(), d.box().y2()}));
        }
        System.out.printf("%s: %d detections%n", img, dets.size());
        return rows;
    }
}
