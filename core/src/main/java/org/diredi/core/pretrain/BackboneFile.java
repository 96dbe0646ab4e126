package org.diredi.core.pretrain;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.model.FcosDetector;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * A pretrained backbone on disk: {@code FILE}, a {@link TensorFile} of the backbone parameters
 * under the detector's own names ({@code 01backbone_...}), and {@code FILE.json}, its
 * {@link BackboneManifest}. Both are written atomically, tensors first: a kill between the two
 * leaves a manifest whose SHA-256 does not match, which {@link #read} refuses.
 */
public final class BackboneFile {

    /** A backbone read and verified. */
    public record Loaded(Path file, BackboneManifest manifest, List<TensorFile.Tensor> tensors) {}

    private BackboneFile() {}

    /** The manifest beside {@code file}. */
    public static Path manifestOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".json");
    }

    /** Writes tensors and manifest; {@code id}, {@code created} and the SHA-256 are filled in and returned. */
    public static BackboneManifest write(Path file, BackboneManifest m, List<TensorFile.Tensor> tensors)
            throws IOException {
        byte[] bytes = TensorFile.toBytes(tensors, TensorFile.FLOAT32);
        String sha = TensorFile.sha256(bytes);
        BackboneManifest full = new BackboneManifest(BackboneManifest.FORMAT, sha.substring(0, 16),
                java.time.Instant.now().toString(), m.model(), m.data(), m.training(), m.history(), m.valAccuracy(),
                sha);
        AtomicFiles.writeBytes(file, bytes);
        AtomicFiles.writeJson(manifestOf(file), full);
        return full;
    }

    /** Reads and verifies a backbone; every problem is a {@link Checkpoint.CheckpointException} naming the file. */
    public static Loaded read(Path file) {
        Path mf = manifestOf(file);
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (!Files.exists(mf)) {
                throw new Checkpoint.CheckpointException(file + ": no manifest " + mf.getFileName()
                        + " beside it (not a finished 'diredi pretrain' output)");
            }
            BackboneManifest m = ConfigFiles.JSON.readValue(mf.toFile(), BackboneManifest.class);
            if (!BackboneManifest.FORMAT.equals(m.format())) {
                throw new Checkpoint.CheckpointException(mf + ": not a backbone manifest (format '" + m.format()
                        + "')");
            }
            if (!TensorFile.sha256(bytes).equals(m.tensorsSha256())) {
                throw new Checkpoint.CheckpointException(file + ": tensors do not match the SHA-256 in "
                        + mf.getFileName() + " (corrupt, or an interrupted write)");
            }
            return new Loaded(file, m, TensorFile.read(new ByteArrayInputStream(bytes), file.toString()));
        } catch (NoSuchFileException e) {
            throw new Checkpoint.CheckpointException(file + ": backbone file not found");
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new Checkpoint.CheckpointException(mf + ": unreadable backbone manifest (" + e.getOriginalMessage()
                    + ")");
        } catch (IOException e) {
            throw new Checkpoint.CheckpointException(e.getMessage().startsWith(file.toString()) ? e.getMessage()
                    : file + ": " + e.getMessage());
        }
    }

    /**
     * Loads a pretrained backbone into a freshly initialised detector: every backbone parameter of
     * the detector must be in the file with its shape (a backbone of another architecture is refused
     * before anything is written); neck and head keep their weights.
     *
     * @return the reference a checkpoint manifest records (relation {@code backbone})
     */
    public static Manifest.Reference restore(FcosDetector model, Path file) {
        Loaded b = read(file);
        String source = file + " (a backbone pretrained for " + b.manifest().model().name() + ", this model is "
                + model.config().name() + ")";
        Set<String> missing = new TreeSet<>(model.parameters(n -> n.startsWith(FcosDetector.BACKBONE + "_")).keys());
        missing.removeAll(TensorFile.byName(b.tensors()).keySet());
        try {
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(source + ": " + missing.size() + " backbone parameters of this "
                        + "model are not in the file, e.g. " + missing.iterator().next());
            }
            List<String> outside = b.tensors().stream().map(TensorFile.Tensor::name)
                    .filter(n -> !n.startsWith(FcosDetector.BACKBONE + "_")).toList();
            if (!outside.isEmpty()) {
                throw new IllegalArgumentException(source + ": " + outside.size() + " tensors are not backbone "
                        + "parameters, e.g. " + outside.get(0));
            }
            ModelWeights.restore(model, b.tensors(), false, source);
        } catch (IllegalArgumentException e) {
            throw new Checkpoint.CheckpointException(e.getMessage());
        }
        return new Manifest.Reference(b.manifest().id(), file.toString(), "backbone");
    }

    /**
     * The pretrained backbone file for {@code model} in {@code dir} ({@code <family>-<role>.backbone}, as
     * {@code diredi pretrain} names them), or null when {@code dir} is null or has none.
     */
    public static java.nio.file.Path pretrainedFor(java.nio.file.Path dir, org.diredi.core.model.ModelConfig model) {
        if (dir == null) {
            return null;
        }
        java.nio.file.Path f = dir.resolve(model.name().replace('/', '-') + ".backbone");
        return java.nio.file.Files.exists(f) ? f : null;
    }
}
