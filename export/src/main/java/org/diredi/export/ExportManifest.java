package org.diredi.export;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.provenance.Provenance;

/**
 * What an exported {@code .onnx} file is, written next to it as JSON ({@link #pathFor}): where the
 * weights came from, the architecture and label space, the exact input contract (size, layout,
 * normalisation), the outputs and how to decode them, and the file's SHA-256, so the edge runtime,
 * packaging and OTA signing can all verify they hold the file this manifest describes.
 *
 * @param format         {@code diredi-onnx/1}
 * @param created        ISO-8601 time of export
 * @param onnxFile       file name of the model, relative to this manifest
 * @param onnxSha256     SHA-256 of the model file
 * @param onnxBytes      size of the model file
 * @param precision      {@code fp32} (quantized exports will say {@code int8})
 * @param opset          default-domain ONNX opset
 * @param irVersion      ONNX IR version
 * @param checkpoint     the checkpoint exported, or null for a model exported from memory
 * @param preset         model preset name, e.g. {@code cpu/edge}
 * @param model          the full architecture
 * @param classes        class names, in the order of the class-logit channels
 * @param inputSize      square input side in pixels
 * @param input          the one input
 * @param outputs        the three outputs, in order
 * @param strides        FPN strides of the levels, in location order
 * @param normalisation  how to turn an image into the input tensor
 * @param decoding       how to turn the outputs into detections (done on the host)
 * @param foldedBatchNorms batch norms folded into their convolutions
 * @param operators      operator counts of the graph
 * @param provenance     the chain back to the data: the export settings, the checkpoint's (or the FP32
 *                       export's) provenance nested; null in a manifest written before it was recorded
 */
public record ExportManifest(
        String format,
        String created,
        String onnxFile,
        String onnxSha256,
        long onnxBytes,
        String precision,
        int opset,
        long irVersion,
        Source checkpoint,
        String preset,
        ModelConfig model,
        List<String> classes,
        int inputSize,
        Tensor input,
        List<Tensor> outputs,
        List<Integer> strides,
        Normalisation normalisation,
        String decoding,
        int foldedBatchNorms,
        Map<String, Integer> operators,
        Provenance provenance) {

    public static final String FORMAT = "diredi-onnx/1";

    /** A manifest without provenance (unknown), as written before it was recorded. */
    public ExportManifest(String format, String created, String onnxFile, String onnxSha256, long onnxBytes,
                          String precision, int opset, long irVersion, Source checkpoint, String preset,
                          ModelConfig model, List<String> classes, int inputSize, Tensor input, List<Tensor> outputs,
                          List<Integer> strides, Normalisation normalisation, String decoding, int foldedBatchNorms,
                          Map<String, Integer> operators) {
        this(format, created, onnxFile, onnxSha256, onnxBytes, precision, opset, irVersion, checkpoint, preset, model,
                classes, inputSize, input, outputs, strides, normalisation, decoding, foldedBatchNorms, operators,
                null);
    }

    /** This manifest with another provenance. */
    public ExportManifest withProvenance(Provenance p) {
        return new ExportManifest(format, created, onnxFile, onnxSha256, onnxBytes, precision, opset, irVersion,
                checkpoint, preset, model, classes, inputSize, input, outputs, strides, normalisation, decoding,
                foldedBatchNorms, operators, p);
    }

    /** This export as the parent of another artifact (an int8 export, a release), its provenance nested. */
    public Provenance.Parent asParent(String relation) {
        return new Provenance.Parent(relation, onnxSha256 == null ? null : onnxSha256.substring(0, 16), onnxSha256,
                provenance);
    }

    /** The checkpoint a model came from. */
    public record Source(String id, String path, String role) {}

    /** A named tensor, its static shape and what it holds. */
    public record Tensor(String name, List<Long> shape, String meaning) {}

    /**
     * Input preprocessing: {@code (pixel / 255 - mean[c]) / std[c]} per RGB channel after a
     * bilinear resize of the whole image to {@code inputSize} squared (no letterbox).
     */
    public record Normalisation(String layout, String resize, float scale, List<Float> mean, List<Float> std) {}

    /** {@code model.onnx} -> {@code model.json}; any other name gets {@code .json} appended. */
    public static Path pathFor(Path onnx) {
        String n = onnx.getFileName().toString();
        String base = n.endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
        return onnx.resolveSibling(base + ".json");
    }

    /** Reads a manifest written by the exporter. */
    public static ExportManifest read(Path file) {
        try {
            return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(java.nio.file.Files.readAllBytes(file), ExportManifest.class);
        } catch (NoSuchFileException e) {
            throw new ExportException(file + ": export manifest not found");
        } catch (IOException e) {
            throw new ExportException(file + ": unreadable export manifest (" + e.getMessage() + ")", e);
        }
    }
}
