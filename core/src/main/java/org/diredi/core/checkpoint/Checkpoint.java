package org.diredi.core.checkpoint;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;

/**
 * A checkpoint file ({@code .ckpt}): a zip of {@code manifest.json}, {@code model.tensors} and,
 * for resumable training, {@code optimizer.tensors}. Written to a temporary file and renamed, so a
 * kill never leaves a half-written checkpoint in place of a good one; read with every problem
 * (missing, truncated, corrupt, tampered, wrong model) reported by file name.
 */
public final class Checkpoint {

    private static final String MANIFEST = "manifest.json";
    private static final String WEIGHTS = "model.tensors";
    private static final String OPTIMIZER = "optimizer.tensors";
    private static final String OBJECTIVE = "objective.tensors";

    private final Path file;
    private final Manifest manifest;
    private final List<TensorFile.Tensor> weights;
    private final List<TensorFile.Tensor> optimizer;
    private final List<TensorFile.Tensor> objective;

    private Checkpoint(Path file, Manifest manifest, List<TensorFile.Tensor> weights,
                       List<TensorFile.Tensor> optimizer, List<TensorFile.Tensor> objective) {
        this.file = file;
        this.manifest = manifest;
        this.weights = weights;
        this.optimizer = optimizer;
        this.objective = objective;
    }

    public Path file() {
        return file;
    }

    public Manifest manifest() {
        return manifest;
    }

    public List<TensorFile.Tensor> weights() {
        return weights;
    }

    /** Optimizer state, or null for an inference-only checkpoint. */
    public List<TensorFile.Tensor> optimizer() {
        return optimizer;
    }

    /** Parameters of the training objective (distillation align convs, GcBlocks), or null. */
    public List<TensorFile.Tensor> objective() {
        return objective;
    }

    public ClassList classes() {
        return new ClassList(manifest.classes());
    }

    /** Serialised weights and their SHA-256 (the manifest's weightsSha256 and id come from it). */
    public static String hash(List<TensorFile.Tensor> weights) {
        return TensorFile.sha256(TensorFile.toBytes(weights, TensorFile.FLOAT32));
    }

    /**
     * Writes atomically. The manifest's {@code id} and {@code weightsSha256} are filled from the
     * weights; the returned manifest is the one written. Optimizer and objective state (for
     * resuming) may be null.
     */
    public static Manifest write(Path target, Manifest m, List<TensorFile.Tensor> weights,
                                 List<TensorFile.Tensor> optimizerState) throws IOException {
        return write(target, m, weights, optimizerState, null);
    }

    public static Manifest write(Path target, Manifest m, List<TensorFile.Tensor> weights,
                                 List<TensorFile.Tensor> optimizerState, List<TensorFile.Tensor> objectiveState)
            throws IOException {
        byte[] w = TensorFile.toBytes(weights, TensorFile.FLOAT32);
        String sha = TensorFile.sha256(w);
        Manifest full = m.withIdentity(sha.substring(0, 16), java.time.Instant.now().toString(), sha);
        byte[] opt = optimizerState == null ? null : TensorFile.toBytes(optimizerState, TensorFile.FLOAT32);
        byte[] obj = objectiveState == null ? null : TensorFile.toBytes(objectiveState, TensorFile.FLOAT32);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(MANIFEST, ConfigFiles.toJson(full).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        entries.put(WEIGHTS, w);
        if (opt != null) {
            entries.put(OPTIMIZER, opt);
        }
        if (obj != null) {
            entries.put(OBJECTIVE, obj);
        }
        Bundle.write(target, entries);
        return full;
    }

    /** Reads and validates a checkpoint. */
    public static Checkpoint read(Path file) {
        Map<String, byte[]> entries;
        try {
            entries = Bundle.read(file, "checkpoint");
        } catch (Bundle.BundleException e) {
            throw new CheckpointException(e.getMessage());
        }
        if (!entries.containsKey(MANIFEST) || !entries.containsKey(WEIGHTS)) {
            throw new CheckpointException(file + ": truncated or corrupt checkpoint (no "
                    + (entries.containsKey(MANIFEST) ? WEIGHTS : MANIFEST) + " inside; is this a DiReDi .ckpt?)");
        }
        Manifest m;
        try {
            m = ConfigFiles.JSON.readValue(entries.get(MANIFEST), Manifest.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointException(file + ": unreadable manifest (" + e.getMessage() + ")");
        }
        if (!Manifest.FORMAT.equals(m.format())) {
            throw new CheckpointException(file + ": unsupported checkpoint format '" + m.format() + "'");
        }
        byte[] w = entries.get(WEIGHTS);
        String sha = TensorFile.sha256(w);
        if (!sha.equals(m.weightsSha256())) {
            throw new CheckpointException(file + ": weights do not match the manifest's SHA-256 (tampered or corrupt)");
        }
        try {
            List<TensorFile.Tensor> weights = TensorFile.read(new ByteArrayInputStream(w), file + "!" + WEIGHTS);
            List<TensorFile.Tensor> opt = entries.containsKey(OPTIMIZER)
                    ? TensorFile.read(new ByteArrayInputStream(entries.get(OPTIMIZER)), file + "!" + OPTIMIZER)
                    : null;
            List<TensorFile.Tensor> obj = entries.containsKey(OBJECTIVE)
                    ? TensorFile.read(new ByteArrayInputStream(entries.get(OBJECTIVE)), file + "!" + OBJECTIVE)
                    : null;
            return new Checkpoint(file, m, weights, opt, obj);
        } catch (IOException e) {
            throw new CheckpointException(e.getMessage());
        }
    }

    /** Refuses a checkpoint whose architecture or label space differs from what the caller needs. */
    public Checkpoint requireCompatible(ModelConfig model, ClassList classes) {
        if (model != null && !model.equals(manifest.model())) {
            throw new CheckpointException(file + ": checkpoint holds " + manifest.model() + ", expected " + model);
        }
        if (classes != null && !classes.names().equals(manifest.classes())) {
            throw new CheckpointException(file + ": checkpoint classes [" + String.join(",", manifest.classes())
                    + "] differ from [" + classes + "]");
        }
        return this;
    }

    /** Builds the detector the manifest describes and loads these weights into it. */
    public FcosDetector toModel(NDManager manager) {
        FcosDetector d = new FcosDetector(manifest.model(), classes()).init(manager);
        try {
            ModelWeights.restore(d, weights, true, file.toString());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage());
        }
        return d;
    }

    /** A checkpoint that cannot be used, with the file and the reason in the message. */
    public static final class CheckpointException extends Bundle.BundleException {
        public CheckpointException(String message) {
            super(message);
        }
    }
}
