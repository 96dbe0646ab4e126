package org.diredi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.export.DeviceExport;
import org.diredi.export.OnnxExporter;
import org.diredi.profiles.Profiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Exports a checkpoint for a device profile and checks the result against it. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a checkpoint as ONNX (static 1x3xSxS input 'images'; outputs cls_logits (1, L, C),",
            "box_distances in input pixels (1, L, 4), centerness (1, L), before NMS; decode with the project's",
            "FcosDecoder) plus a JSON manifest, then check it against the device profile (exit 1 on any",
            "violation). All or nothing: the output is built beside --out and replaces it only when it fits",
            "the profile; an export that does not fit is kept in OUT.rejected and --out is left as it was.",
            "For an INT8 profile (imx500) or with --int8, the model is quantized to QDQ form",
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
        DeviceExport.Request r = DeviceExport.Request.of(checkpoint, Profiles.resolve(profile)).withOpset(opset)
                .withInt8(int8).withReduceRange(reduceRange);
        if (calibration != null) {
            r = r.withCalibration(DeviceExport.calibrationImages(calibration, calibrationSplit, calibrationImages));
        }
        DeviceExport.Result x = DeviceExport.run(r, out);
        x.lines().forEach(System.out::println);
        System.out.println(x.report());
        if (!x.fits()) {
            System.out.println(out + " left as it was; the export that does not fit is in " + x.folder());
        }
        return x.fits() ? 0 : 1;
    }
}
