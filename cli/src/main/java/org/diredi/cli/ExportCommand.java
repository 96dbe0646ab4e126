package org.diredi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.export.ExportManifest;
import org.diredi.export.OnnxExporter;
import org.diredi.export.QdqQuantizer;
import org.diredi.profiles.DeviceProfile;
import org.diredi.profiles.ProfileChecker;
import org.diredi.profiles.Profiles;
import org.diredi.profiles.Violation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Exports a checkpoint for a device profile and checks the result against it. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a checkpoint as ONNX (static 1x3xSxS input 'images'; outputs cls_logits (1, L, C),",
            "box_distances in input pixels (1, L, 4), centerness (1, L), before NMS; decode with the project's",
            "FcosDecoder) plus a JSON manifest, then check it against the device profile (exit 1 on any",
            "violation). For an INT8 profile (imx500) or with --int8, the model is quantized to QDQ form",
            "(per-channel int8 weights, activations calibrated on --calibration images) and a memory report",
            "is written beside it; --reduce-range uses 7-bit weights, exact on CPUs without VNNI."})
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "CKPT", description = "model checkpoint (.ckpt)")
    Path checkpoint;

    @Option(names = "--profile", paramLabel = "NAME|FILE", description = "device profile (default: ${DEFAULT-VALUE})")
    String profile = "cpu";

    @Option(names = "--opset", description = "ONNX opset (default: the profile's highest, at most "
            + OnnxExporter.DEFAULT_OPSET + ")")
    Integer opset;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--int8", description = "quantize even for a float profile")
    boolean int8;

    @Option(names = "--calibration", paramLabel = "DIR",
            description = "a VOC dataset (its --calibration-split) or a folder of images for int8 calibration")
    Path calibration;

    @Option(names = "--calibration-split", description = "split of a VOC calibration set (default: ${DEFAULT-VALUE})")
    String calibrationSplit = "val";

    @Option(names = "--calibration-images", description = "images used to calibrate (default: ${DEFAULT-VALUE})")
    int calibrationImages = 32;

    @Option(names = "--reduce-range", description = "7-bit weights (ONNX Runtime's int8 kernels on CPUs without VNNI)")
    boolean reduceRange;

    @Override
    public Integer call() throws Exception {
        DeviceProfile p = Profiles.resolve(profile);
        int op = opset != null ? opset : Math.min(OnnxExporter.DEFAULT_OPSET, p.opsetMax());
        Files.createDirectories(out);
        String name = checkpoint.getFileName().toString().replaceAll("\\.ckpt$", "");
        Path onnx = out.resolve(name + "-" + p.name() + ".onnx");
        ExportManifest m = OnnxExporter.export(checkpoint, onnx, op);
        System.out.printf("wrote %s (%,d bytes, opset %d, sha256 %s) and %s%n", onnx, m.onnxBytes(), op,
                m.onnxSha256().substring(0, 16), ExportManifest.pathFor(onnx));
        if (int8 || p.precision() == org.diredi.profiles.Precision.INT8) {
            if (calibration == null) {
                throw new IllegalArgumentException("int8 export needs --calibration DIR (representative images)");
            }
            List<Path> calibrationFiles = calibrationFiles();
            List<float[]> images = new java.util.ArrayList<>();
            for (Path f : calibrationFiles) {
                images.add(org.diredi.vision.image.Preprocess.toChw(org.diredi.vision.image.Images.read(f),
                        m.inputSize(), m.inputSize()));
            }
            QdqQuantizer.Options o = p.precision() == org.diredi.profiles.Precision.INT8
                    ? QdqQuantizer.Options.IMX500 : QdqQuantizer.Options.DEFAULT;
            if (reduceRange) {
                o = new QdqQuantizer.Options(true, o.powerOfTwoScales(), o.activations());
            }
            QdqQuantizer.Quantized q = QdqQuantizer.quantize(Files.readAllBytes(onnx), images, o);
            Path int8Path = out.resolve(name + "-" + p.name() + "-int8.onnx");
            ExportManifest qm = QdqQuantizer.write(q, m, int8Path, p);
            System.out.printf("quantized on %d images (%s): wrote %s (%,d bytes, %.1fx smaller)%n%s%n", images.size(), o,
                    int8Path, qm.onnxBytes(), m.onnxBytes() / (double) qm.onnxBytes(), QdqQuantizer.memoryReport(q, p));
            if (p.precision() == org.diredi.profiles.Precision.INT8) {
                System.out.println("wrote " + org.diredi.export.Imx500Package.write(onnx, m, int8Path, qm,
                        QdqQuantizer.memoryReport(q, p), calibrationFiles) + ": the steps that remain with Sony's tools");
            }
            onnx = int8Path;
        }
        if (p.name().equals("jetson-nano")) {
            System.out.println("wrote " + org.diredi.export.JetsonPackage.write(onnx, m)
                    + ": run it on the Nano to build the FP16 TensorRT engine (see README-jetson.txt)");
        }
        List<Violation> v = ProfileChecker.check(onnx, p);
        System.out.println(ProfileChecker.report(p, v));
        return v.isEmpty() ? 0 : 1;
    }

    /** Calibration images: the first of a VOC split, or of a folder (preprocessed as in training by the caller). */
    private List<Path> calibrationFiles() throws java.io.IOException {
        List<Path> files = new java.util.ArrayList<>();
        if (Files.exists(calibration.resolve("ImageSets/Main/" + calibrationSplit + ".txt"))) {
            var ds = org.diredi.vision.data.VocDataset.load(calibration, calibrationSplit,
                    org.diredi.vision.data.ClassList.read(calibration.resolve("classes.txt")));
            ds.images().forEach(i -> files.add(i.imagePath()));
        } else {
            try (var s = Files.list(calibration)) {
                s.filter(f -> f.getFileName().toString().matches("(?i).*\\.(jpe?g|png)")).sorted().forEach(files::add);
            }
        }
        if (files.isEmpty()) {
            throw new org.diredi.vision.data.DataException(calibration, "no calibration images");
        }
        return List.copyOf(files.subList(0, Math.min(calibrationImages, files.size())));
    }
}
