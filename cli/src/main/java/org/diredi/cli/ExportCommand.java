package org.diredi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.export.ExportManifest;
import org.diredi.export.OnnxExporter;
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
            "violation). FP32 today; the int8 QDQ path for the IMX500 is not built yet."})
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
        List<Violation> v = ProfileChecker.check(onnx, p);
        System.out.println(ProfileChecker.report(p, v));
        return v.isEmpty() ? 0 : 1;
    }
}
