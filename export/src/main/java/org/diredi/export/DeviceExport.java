package org.diredi.export;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diredi.profiles.DeviceProfile;
import org.diredi.profiles.Precision;
import org.diredi.profiles.ProfileChecker;
import org.diredi.profiles.Violation;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.DataException;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.image.Images;
import org.diredi.vision.image.Preprocess;
import org.diredi.vision.io.AtomicFiles;

/**
 * The one path from a checkpoint to what a device runs, used by {@code diredi export} and by the cloud's
 * OTA: the opset from the profile, FP32 or int8 QDQ from the profile's precision (calibrated on the
 * given images), the Jetson or IMX500 package, then the profile check.
 *
 * <p>All or nothing: every option is checked before any work, the whole output is built in a
 * temporary folder beside {@code out} and checked there; only an output that fits its profile replaces
 * {@code out}. One that does not is kept as {@code <out>.rejected} for inspection, and {@code out} is
 * left exactly as it was.
 */
public final class DeviceExport {

    private DeviceExport() {}

    /**
     * What to export.
     *
     * @param checkpoint  the model checkpoint
     * @param profile     the target device
     * @param opset       ONNX opset, or null for the profile's highest the exporter supports
     * @param int8        quantize even for a float profile (an int8 profile always quantizes)
     * @param calibration representative images for int8 calibration (empty for a float export)
     * @param reduceRange 7-bit weights: exact on CPUs without VNNI (ONNX Runtime's int8 kernels)
     * @param name        file-name stem of the artifacts, e.g. {@code edge-v3}
     */
    public record Request(Path checkpoint, DeviceProfile profile, Integer opset, boolean int8,
                          List<Path> calibration, boolean reduceRange, String name) {

        public Request {
            calibration = List.copyOf(calibration);
        }

        /** A float or int8 export as the profile's precision says, at its opset, named after the checkpoint. */
        public static Request of(Path checkpoint, DeviceProfile profile) {
            String stem = checkpoint.getFileName().toString().replaceAll("\\.ckpt$", "");
            return new Request(checkpoint, profile, null, false, List.of(), false, stem);
        }

        public Request withOpset(Integer o) {
            return new Request(checkpoint, profile, o, int8, calibration, reduceRange, name);
        }

        public Request withInt8(boolean q) {
            return new Request(checkpoint, profile, opset, q, calibration, reduceRange, name);
        }

        public Request withCalibration(List<Path> images) {
            return new Request(checkpoint, profile, opset, int8, images, reduceRange, name);
        }

        public Request withReduceRange(boolean r) {
            return new Request(checkpoint, profile, opset, int8, calibration, r, name);
        }

        public Request withName(String n) {
            return new Request(checkpoint, profile, opset, int8, calibration, reduceRange, n);
        }

        /** Whether the artifact is quantized: asked for, or the profile runs int8 only. */
        public boolean quantizes() {
            return int8 || profile.precision() == Precision.INT8;
        }

        /** The opset asked for, or the highest the profile and the exporter share. */
        public int resolvedOpset() {
            if (opset != null) {
                return opset;
            }
            return Math.max(Math.max(profile.opsetMin(), OnnxExporter.MIN_OPSET),
                    Math.min(OnnxExporter.DEFAULT_OPSET, Math.min(profile.opsetMax(), OnnxExporter.MAX_OPSET)));
        }
    }

    /**
     * What was exported.
     *
     * @param folder     where the files are: {@code out} when the artifact fits, else {@code <out>.rejected}
     * @param artifact   the file the device runs (the int8 file for a quantized export)
     * @param manifest   the artifact's manifest
     * @param violations what does not fit the profile (empty: it fits and was swapped in)
     * @param report     the profile check as text
     * @param lines      what was written, for people
     */
    public record Result(Path folder, Path artifact, ExportManifest manifest, List<Violation> violations,
                         String report, List<String> lines) {
        public boolean fits() {
            return violations.isEmpty();
        }
    }

    /** Exports into {@code out} as described in the class comment. */
    public static Result run(Request r, Path out) throws IOException {
        check(r, out);
        recover(out);
        Path tmp = out.resolveSibling("." + out.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        AtomicFiles.deleteTree(tmp);
        Files.createDirectories(tmp);
        try {
            Built b = build(r, tmp);
            List<Violation> v = ProfileChecker.check(b.artifact(), r.profile());
            Path dest = v.isEmpty() ? out : out.resolveSibling(out.getFileName() + ".rejected");
            swapIn(tmp, dest);
            Path artifact = dest.resolve(b.artifact().getFileName());
            return new Result(dest, artifact, b.manifest(), v, ProfileChecker.report(r.profile(), v),
                    b.lines().stream().map(l -> l.replace(tmp.toString(), dest.toString())).toList());
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
    }

    /** Every option, before any work: a mistake must not cost an export or touch {@code out}. */
    private static void check(Request r, Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ExportException(out + " is a file; --out names the folder to export into");
        }
        if (!Files.isRegularFile(r.checkpoint())) {
            throw new ExportException(r.checkpoint() + ": no such checkpoint file");
        }
        int op = r.resolvedOpset();
        if (!r.profile().allowsOpset(op)) {
            throw new ExportException("opset " + op + " is outside profile " + r.profile().name() + "'s range "
                    + r.profile().opsetMin() + "-" + r.profile().opsetMax());
        }
        if (r.quantizes() && r.calibration().isEmpty()) {
            throw new ExportException("an int8 export" + (r.int8() ? "" : " (profile " + r.profile().name()
                    + " runs int8 only)") + " needs representative calibration images (--calibration DIR)");
        }
        if (r.quantizes() && op < QdqQuantizer.MIN_OPSET) {
            throw new ExportException("int8 QDQ needs opset >= " + QdqQuantizer.MIN_OPSET + ", asked for " + op);
        }
        for (Path f : r.calibration()) {
            if (!Files.isRegularFile(f)) {
                throw new ExportException(f + ": calibration image not found");
            }
        }
    }

    private record Built(Path artifact, ExportManifest manifest, List<String> lines) {}

    private static Built build(Request r, Path dir) throws IOException {
        DeviceProfile p = r.profile();
        List<String> lines = new ArrayList<>();
        Path onnx = dir.resolve(r.name() + "-" + p.name() + ".onnx");
        ExportManifest m = OnnxExporter.export(r.checkpoint(), onnx, r.resolvedOpset());
        m = OnnxExporter.withProvenance(onnx, m, m.provenance().parents(), Map.of("profile", p.name()));
        lines.add(String.format("wrote %s (%,d bytes, opset %d, sha256 %s) and %s", onnx, m.onnxBytes(),
                m.opset(), m.onnxSha256().substring(0, 16), ExportManifest.pathFor(onnx)));
        Built b = new Built(onnx, m, lines);
        if (r.quantizes()) {
            b = quantize(r, onnx, m, lines);
        }
        if (p.name().equals("jetson-nano")) {
            lines.add("wrote " + JetsonPackage.write(b.artifact(), b.manifest())
                    + ": run it on the Nano to build the FP16 TensorRT engine (see README-jetson.txt)");
        }
        return b;
    }

    private static Built quantize(Request r, Path onnx, ExportManifest m, List<String> lines) throws IOException {
        DeviceProfile p = r.profile();
        List<float[]> images = new ArrayList<>();
        for (Path f : r.calibration()) {
            images.add(Preprocess.toChw(Images.read(f), m.inputSize(), m.inputSize()));
        }
        QdqQuantizer.Options o = p.precision() == Precision.INT8 ? QdqQuantizer.Options.IMX500
                : QdqQuantizer.Options.DEFAULT;
        if (r.reduceRange()) {
            o = new QdqQuantizer.Options(true, o.powerOfTwoScales(), o.activations());
        }
        QdqQuantizer.Quantized q = QdqQuantizer.quantize(Files.readAllBytes(onnx), images, o);
        Path int8 = onnx.resolveSibling(r.name() + "-" + p.name() + "-int8.onnx");
        ExportManifest qm = QdqQuantizer.write(q, m, int8, p);
        MemoryReport memory = QdqQuantizer.memoryReport(q, p);
        lines.add(String.format("quantized on %d images (%s): wrote %s (%,d bytes, %.1fx smaller)%n%s", images.size(),
                o, int8, qm.onnxBytes(), m.onnxBytes() / (double) qm.onnxBytes(), memory));
        if (p.precision() == Precision.INT8) {
            lines.add("wrote " + Imx500Package.write(onnx, m, int8, qm, memory, r.calibration())
                    + ": the steps that remain with Sony's tools");
        }
        return new Built(int8, qm, lines);
    }

    /**
     * Replaces {@code dest} by {@code built}: the old folder is renamed aside, the new one renamed in, the
     * old one deleted. Between the two renames (microseconds) a crash leaves {@code <dest>.old}, which
     * the next export puts back before it starts.
     */
    private static void swapIn(Path built, Path dest) throws IOException {
        recover(dest);
        Path old = aside(dest);
        AtomicFiles.deleteTree(old);
        if (Files.exists(dest)) {
            move(dest, old);
        }
        move(built, dest);
        AtomicFiles.deleteTree(old);
    }

    /** Puts back a folder that a crash between the swap's two renames left aside. */
    private static void recover(Path dest) throws IOException {
        Path old = aside(dest);
        if (Files.exists(old) && !Files.exists(dest)) {
            move(old, dest);
        }
    }

    private static Path aside(Path dest) {
        return dest.resolveSibling(dest.getFileName() + ".old");
    }

    /**
     * Calibration images: the first {@code limit} of a VOC dataset's {@code split} when {@code source} is one,
     * else of the JPEG / PNG files in the folder, in name order.
     */
    public static List<Path> calibrationImages(Path source, String split, int limit) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.exists(source.resolve("ImageSets/Main/" + split + ".txt"))) {
            VocDataset ds = VocDataset.load(source, split, ClassList.read(source.resolve("classes.txt")));
            ds.images().forEach(i -> files.add(i.imagePath()));
        } else if (Files.isDirectory(source)) {
            try (var s = Files.list(source)) {
                s.filter(f -> f.getFileName().toString().matches("(?i).*\\.(jpe?g|png)")).sorted().forEach(files::add);
            }
        }
        if (files.isEmpty()) {
            throw new DataException(source, "no calibration images (a VOC dataset with split '" + split
                    + "', or a folder of JPEG / PNG files)");
        }
        return List.copyOf(files.subList(0, Math.min(limit, files.size())));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new ExportException("cannot rename " + from + " to " + to + " atomically", e);
        }
    }
}
