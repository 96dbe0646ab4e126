package org.diredi.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.diredi.core.checkpoint.Bundle;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.provenance.Provenance;
import org.diredi.vision.config.ConfigFiles;

/**
 * The provenance any DiReDi artifact carries: a checkpoint, a knowledge delta, an export (its
 * {@code .onnx}, its manifest or its folder), or a release (its {@code .provenance.json}, or the signed
 * update beside it). Null: the artifact was written before provenance was recorded.
 */
public final class ProvenanceFiles {

    private static final String SIGNED = ".signed.json";
    private static final String RELEASE = ".provenance.json";

    private ProvenanceFiles() {}

    /** Where the release of {@code artifact} keeps its provenance: {@code <artifact>.provenance.json}. */
    public static Path releasePathFor(Path artifact) {
        return artifact.resolveSibling(artifact.getFileName() + RELEASE);
    }

    /**
     * Reads the provenance of {@code file}.
     *
     * @throws ExportException naming the file, when it is none of those artifacts or cannot be read
     */
    public static Provenance read(Path file) {
        String n = file.getFileName().toString();
        try {
            if (Files.isDirectory(file)) {
                return read(onlyModel(file));
            }
            if (!Files.isRegularFile(file)) {
                throw new ExportException(file + ": no such file");
            }
            if (n.endsWith(".ckpt")) {
                return Checkpoint.read(file).manifest().provenance();
            }
            if (n.endsWith(".delta")) {
                return KnowledgeDelta.read(file).manifest().lineage();
            }
            if (n.endsWith(".onnx")) {
                return ExportManifest.read(ExportManifest.pathFor(file)).provenance();
            }
            if (n.endsWith(SIGNED)) {
                Path release = releasePathFor(file.resolveSibling(n.substring(0, n.length() - SIGNED.length())));
                if (!Files.exists(release)) {
                    throw new ExportException(file + ": no release provenance beside it (" + release.getFileName()
                            + "); released before provenance was recorded?");
                }
                return read(release);
            }
            if (n.endsWith(RELEASE)) {
                return ConfigFiles.JSON.readValue(Files.readAllBytes(file), Provenance.class);
            }
            if (n.endsWith(".json")) {
                return ExportManifest.read(file).provenance();
            }
        } catch (Bundle.BundleException e) {
            throw new ExportException(e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            throw new ExportException(file + ": unreadable provenance (" + e.getMessage() + ")", e);
        }
        throw new ExportException(file + ": not a DiReDi artifact (expected a .ckpt, a .delta, an export's .onnx,"
                + " its .json or its folder, a release's .provenance.json or its .signed.json)");
    }

    /** The one exported model in an export folder. */
    private static Path onlyModel(Path dir) throws IOException {
        List<Path> models;
        try (Stream<Path> s = Files.list(dir)) {
            models = s.filter(f -> f.getFileName().toString().endsWith(".onnx")).sorted().toList();
        }
        if (models.isEmpty()) {
            throw new ExportException(dir + ": no exported model (.onnx) in this folder");
        }
        // an int8 export nests the FP32 one it was quantized from: it holds the longer chain
        return models.stream().filter(f -> f.getFileName().toString().endsWith("-int8.onnx")).findFirst()
                .orElse(models.get(0));
    }
}
