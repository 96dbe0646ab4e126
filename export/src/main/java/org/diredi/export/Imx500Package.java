package org.diredi.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diredi.vision.io.AtomicFiles;

/**
 * What goes to the Sony IMX500 next to the int8 ONNX file. The sensor's binary is made by Sony's own
 * tools, which this project cannot run (Python, not on Maven Central): Sony's IMX500 converter
 * ({@code imxconv-pt}) reads models quantized by Sony's Model Compression Toolkit (MCT), and MCT
 * quantizes PyTorch or Keras models. So the package holds the float graph (batch norm folded, the
 * source for MCT), the QDQ int8 graph (the same quantization scheme, to measure int8 accuracy and
 * memory here with ONNX Runtime), the calibration image list, the memory report and a README with
 * the steps that remain.
 */
public final class Imx500Package {

    public static final String README = "README-imx500.md";
    public static final String CALIBRATION = "calibration.txt";

    private Imx500Package() {}

    /**
     * @param fp32         the float export (source for Sony's quantizer)
     * @param int8         the QDQ export beside it
     * @param memory       the int8 file's memory report (written beside it by QdqQuantizer.write)
     * @param calibration  the images the int8 file was calibrated on, in order
     * @return the README's path
     */
    public static Path write(Path fp32, ExportManifest fp32Manifest, Path int8, ExportManifest int8Manifest,
                             MemoryReport memory, List<Path> calibration) throws IOException {
        Path dir = int8.toAbsolutePath().getParent();
        AtomicFiles.writeString(dir.resolve(CALIBRATION),
                String.join("\n", calibration.stream().map(Path::toString).toList()) + "\n");
        List<String> readme = new ArrayList<>();
        readme.addAll(files(fp32, fp32Manifest, int8, int8Manifest, memory));
        readme.addAll(nextSteps(fp32.getFileName().toString()));
        readme.addAll(inputAndOutputs(fp32Manifest));
        Path out = dir.resolve(README);
        AtomicFiles.writeString(out, String.join("\n", readme));
        return out;
    }

    /** The README's title and its table of the package's files. */
    private static List<String> files(Path fp32, ExportManifest fp32Manifest, Path int8, ExportManifest int8Manifest,
                                      MemoryReport memory) {
        String f = fp32.getFileName().toString();
        String q = int8.getFileName().toString();
        return List.of(
                "# DiReDi edge model for the Sony IMX500",
                "",
                "| file | what it is |",
                "|---|---|",
                "| `" + q + "` | int8 QDQ graph: 8-bit symmetric per-channel weights, 8-bit activations with"
                        + " power-of-two scales calibrated on the images in `" + CALIBRATION + "`; sha256 `"
                        + int8Manifest.onnxSha256() + "` |",
                "| `" + f + "` | the float graph it was made from (batch norm folded, opset " + fp32Manifest.opset()
                        + "); sha256 `" + fp32Manifest.onnxSha256() + "` |",
                "| `" + ExportManifest.pathFor(int8).getFileName() + "`, `" + ExportManifest.pathFor(fp32).getFileName()
                        + "` | what the model is, its classes and how to decode it |",
                "| `" + q.replaceAll("\\.onnx$", "") + ".memory.json` | weights + peak activations against the sensor's 8 MB: "
                        + memory + " |",
                "");
    }

    /** The steps with Sony's tools that turn the float graph {@code f} into the sensor's package. */
    private static List<String> nextSteps(String f) {
        return List.of(
                "## What to run next (Sony's tools, outside this project)",
                "",
                "The on-sensor binary is made by Sony's toolchain. Its converter reads models quantized by",
                "Sony's Model Compression Toolkit (MCT), and MCT works on PyTorch or Keras models, so the",
                "int8 file here is this project's measurement of the same scheme, not the converter's input.",
                "",
                "1. On a Linux PC with Python and Java: install Sony's Edge-MDT (MCT and the IMX500",
                "   converter), for PyTorch: `pip install edge-mdt[pt]`.",
                "2. Load `" + f + "` into PyTorch (for example with onnx2torch: the graph is plain Conv, Relu,",
                "   Clip, Add, Resize, Concat, Reshape and Transpose).",
                "3. Quantize it with MCT's post-training quantization for the IMX500, feeding the images in",
                "   `" + CALIBRATION + "` preprocessed as below as the representative dataset, and export",
                "   MCT's ONNX.",
                "4. Convert: `imxconv-pt -i model_mct.onnx -o imx500-out --no-input-persistency`, which writes",
                "   `imx500-out/packerOut.zip`.",
                "5. On the Raspberry Pi with the AI camera: `sudo apt install imx500-tools`, then",
                "   `imx500-package -i packerOut.zip -o pkg`, which writes `pkg/network.rpk` for picamera2 or",
                "   rpicam-apps.",
                "6. Compare the sensor's outputs on a few frames with this folder's int8 file through ONNX",
                "   Runtime (same inputs): they use the same quantization scheme, so large differences point",
                "   at a conversion problem.",
                "");
    }

    /** What the model takes and returns, and how to decode it on the host. */
    private static List<String> inputAndOutputs(ExportManifest fp32Manifest) {
        int s = fp32Manifest.inputSize();
        return List.of(
                "## Input and outputs",
                "",
                "- Input `images`: 1x3x" + s + "x" + s + ", RGB, resized without letterbox, pixel / 255, then"
                        + " normalised with the mean and std in the manifest.",
                "- Outputs before NMS: `cls_logits` (1, L, C), `box_distances` (1, L, 4) in input pixels"
                        + " (l, t, r, b), `centerness` (1, L); locations level by level over strides "
                        + fp32Manifest.strides() + ", row-major.",
                "- Decode and run class-wise NMS on the host: " + fp32Manifest.decoding(),
                "",
                "Check the operator list against your converter version's documentation: this project's",
                "`imx500` device profile is a conservative reading of it (`diredi profiles show imx500`).",
                "");
    }
}
