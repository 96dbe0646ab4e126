package org.diredi.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.diredi.vision.io.AtomicFiles;

/**
 * What goes to a Jetson Nano next to the ONNX file: TensorRT engines are built on the device itself
 * (an engine is tied to the GPU and TensorRT version), so the package holds a build script for
 * JetPack 4.6's trtexec (TensorRT 8.2) and a README on running the engine with NMS on the host
 * (the EfficientNMS plugin needs TensorRT 8.4 or newer).
 */
public final class JetsonPackage {

    public static final String SCRIPT = "build_engine.sh";
    public static final String README = "README-jetson.txt";

    private JetsonPackage() {}

    /** Writes the build script and README beside {@code onnx}; returns the script's path. */
    public static Path write(Path onnx, ExportManifest m) throws IOException {
        String name = onnx.getFileName().toString();
        String engine = name.replaceAll("\\.onnx$", "") + "-fp16.engine";
        String script = String.join("\n",
                "#!/usr/bin/env bash",
                "# Build the FP16 TensorRT engine on the Jetson Nano (JetPack 4.6.x, TensorRT 8.2).",
                "# Engines are specific to the device and TensorRT version: build on the target, never copy one.",
                "set -euo pipefail",
                "cd \"$(dirname \"$0\")\"",
                "echo \"" + m.onnxSha256() + "  " + name + "\" | sha256sum -c -",
                "TRTEXEC=${TRTEXEC:-/usr/src/tensorrt/bin/trtexec}",
                "# static 1x3x" + m.inputSize() + "x" + m.inputSize() + " input; 1 GiB builder workspace"
                        + " of the Nano's ~3.9 GB shared memory",
                "\"$TRTEXEC\" --onnx=" + name + " --saveEngine=" + engine + " --fp16 --workspace=1024",
                "echo \"built " + engine + "\"",
                "");
        String readme = String.join("\n",
                "DiReDi edge model for Jetson Nano",
                "",
                "Files: " + name + " (ONNX opset " + m.opset() + ", sha256 " + m.onnxSha256() + "), "
                        + ExportManifest.pathFor(onnx).getFileName() + " (what the model is and how to decode it),",
                "       " + SCRIPT + " (builds " + engine + " with trtexec).",
                "",
                "1. Copy this folder to the Nano and run ./" + SCRIPT + " (a few minutes; once per model version).",
                "2. Input 'images': 1x3x" + m.inputSize() + "x" + m.inputSize() + " float, RGB, resized without letterbox,"
                        + " pixel / 255 then normalised with the mean and std in the manifest.",
                "3. Outputs before NMS: cls_logits (1, L, C), box_distances (1, L, 4) in input pixels (l, t, r, b),",
                "   centerness (1, L), locations level by level over strides " + m.strides() + ", row-major.",
                "4. Decode and run class-wise NMS on the host (the edge runtime's FcosDecoder does exactly this):",
                "   " + m.decoding(),
                "");
        Path scriptPath = onnx.resolveSibling(SCRIPT);
        AtomicFiles.writeString(scriptPath, script);
        try {
            Files.setPosixFilePermissions(scriptPath, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the user runs it with bash
        }
        AtomicFiles.writeString(onnx.resolveSibling(README), readme);
        return scriptPath;
    }
}
