package org.diredi.workflow.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.pretrain.BackboneFile;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.messaging.Hashes;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.io.AtomicFiles;

/**
 * The manufacturer's trained tutor and edge model v0 shipped with the project ({@code models/demo}), as
 * the pretrained backbones are: a demo whose manufacturer stages would train exactly these (same
 * {@link Recipe}: settings, presets, training defaults, backbones and presumed data) starts from them.
 * {@code manifest.json} holds the recipe, the command that made them and each file's SHA-256;
 * {@code README.md} says the same in words. They are made by the demo's own stages
 * ({@code diredi demo --write-bundle DIR}), never by hand.
 */
final class BundledModels {

    static final String FORMAT = "diredi-demo-models/1";
    static final String MANIFEST = "manifest.json";

    /** What one manufacturer stage trains with; Distill B's teacher is the tutor of the same recipe. */
    record StageRecipe(String role, ModelConfig model, TrainConfig train, String backboneId, float gtWeight,
                       float featureWeight, FgdConfig fgd) {

        static StageRecipe of(Stages.Stage st) {
            String backbone = st.backbone() == null ? null : BackboneFile.read(st.backbone()).manifest().id();
            return new StageRecipe(st.role(), st.model(), st.train(), backbone, st.gtWeight(),
                    st.teacher() == null ? 0f : st.featureWeight(), st.teacher() == null ? null : st.fgd());
        }
    }

    /**
     * Everything the manufacturer's two stages depend on: the same recipe trains the same models.
     *
     * @param presumedImages the presumed data the stages train on (images, objects, and the SHA-256 of
     *                       every image's bytes and labelled boxes)
     */
    record Recipe(List<String> classes, List<String> presumed, String added, int images, int presumedImages,
                  int presumedObjects, String presumedDataSha256, StageRecipe tutor, StageRecipe edge) {

        static Recipe of(DemoSettings s, DemoData d) throws IOException {
            VocDataset p = d.presumedData();
            return new Recipe(d.classes().names(), s.presumed(), s.added(), s.images(), p.size(), p.objectCount(),
                    fingerprint(p), StageRecipe.of(ManufacturerStages.tutorStage(s, d)),
                    StageRecipe.of(ManufacturerStages.edgeStage(s, d, Path.of("tutor.ckpt"))));
        }
    }

    /** One bundled checkpoint: its file in the bundle, the checkpoint's id, size and SHA-256 of the file. */
    record Entry(String file, String checkpointId, long bytes, String sha256) {}

    /** manifest.json. */
    record Contents(String format, String created, String command, Recipe recipe, Entry tutor, Entry edge) {}

    /** The bundled models for a run, or (models null) why the run trains them instead. */
    record Found(ManufacturerStages.Models models, String whyNot) {}

    private BundledModels() {}

    /**
     * The bundle in {@code dir} when it was made with {@code wanted}; otherwise why not (no bundle, other
     * settings). A bundle that fits but whose files are missing or altered is refused: a damaged copy.
     *
     * @throws Checkpoint.CheckpointException naming the damaged file
     */
    static Found find(Path dir, Recipe wanted) throws IOException {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            return new Found(null, "no bundled models in " + dir);
        }
        JsonNode root = readTree(file);
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new Checkpoint.CheckpointException(file + ": not a bundle of demo models (format '"
                    + root.path("format").asText() + "', expected " + FORMAT + ")");
        }
        List<String> diffs = new ArrayList<>();
        differences("", ConfigFiles.JSON.readTree(ConfigFiles.toJson(wanted)), root.path("recipe"), diffs);
        if (!diffs.isEmpty()) {
            return new Found(null, "the models in " + dir + " were made with other settings ("
                    + String.join("; ", diffs.subList(0, Math.min(3, diffs.size())))
                    + (diffs.size() > 3 ? "; " + (diffs.size() - 3) + " more" : "") + ")");
        }
        Contents c = ConfigFiles.JSON.treeToValue(root, Contents.class);
        return new Found(new ManufacturerStages.Models(verified(dir, c.tutor()), verified(dir, c.edge())), null);
    }

    private static JsonNode readTree(Path file) {
        try {
            return ConfigFiles.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new Checkpoint.CheckpointException(file + ": unreadable (" + e.getMessage() + ")");
        }
    }

    /** The bundled file of {@code e}, after checking it is the one the manifest lists. */
    static Path verified(Path dir, Entry e) throws IOException {
        Path f = dir.resolve(e.file());
        String restore = "; restore the bundle (git checkout " + dir + ") or train with --from-scratch";
        if (!Files.isRegularFile(f)) {
            throw new Checkpoint.CheckpointException(f + ": listed in " + dir.resolve(MANIFEST) + " but missing"
                    + restore);
        }
        if (!Hashes.sha256Hex(f).equals(e.sha256())) {
            throw new Checkpoint.CheckpointException(f + ": its SHA-256 differs from the one in "
                    + dir.resolve(MANIFEST) + " (a damaged or replaced file)" + restore);
        }
        return f;
    }

    /** Leaf by leaf, where {@code want} (this run) and {@code have} (the bundle) differ, as "path: a vs b". */
    static void differences(String path, JsonNode want, JsonNode have, List<String> out) {
        if (want.isObject() && have.isObject()) {
            for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                differences(path.isEmpty() ? k : path + "." + k, want.get(k), have.path(k), out);
            }
            for (Iterator<String> it = have.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!want.has(k)) {
                    out.add((path.isEmpty() ? k : path + "." + k) + ": bundled " + shorten(have.get(k))
                            + ", not a setting of this run");
                }
            }
        } else if (!want.equals(have)) {
            out.add(path + ": bundled " + (have.isMissingNode() ? "(none)" : shorten(have)) + ", this run "
                    + shorten(want));
        }
    }

    private static String shorten(JsonNode n) {
        String s = n.isTextual() ? n.asText() : n.toString();
        return s.matches("[0-9a-f]{40,}") ? s.substring(0, 12) + "..." : s;
    }

    /**
     * SHA-256 over the training images in order: each image's id, bytes and labelled boxes (class,
     * corners, difficult). Equal fingerprints mean the stages saw the same data.
     */
    static String fingerprint(VocDataset data) throws IOException {
        MessageDigest md = Hashes.sha256();
        for (VocImage i : data.images()) {
            md.update((i.id() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(i.imagePath()));
            StringBuilder boxes = new StringBuilder();
            for (VocObject o : i.objects()) {
                boxes.append(data.classes().name(o.classId())).append(' ').append(o.box().x1()).append(' ')
                        .append(o.box().y1()).append(' ').append(o.box().x2()).append(' ').append(o.box().y2())
                        .append(' ').append(o.difficult()).append('\n');
            }
            md.update(boxes.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Writes the bundle: both checkpoints (after checking they were trained as {@code r} says: a folder
     * may hold stages of an earlier run with other settings), then manifest.json and README.md.
     */
    static Contents write(Path dir, Recipe r, ManufacturerStages.Models m, String command) throws IOException {
        requireTrainedAs(m.tutor(), r.tutor(), r, null);
        requireTrainedAs(m.edge(), r.edge(), r, Checkpoint.read(m.tutor()).manifest().id());
        String family = r.tutor().model().name().split("/")[0];
        Entry tutor = copy(m.tutor(), dir.resolve(family + "-tutor.ckpt"));
        Entry edge = copy(m.edge(), dir.resolve(family + "-edge-v0.ckpt"));
        Contents c = new Contents(FORMAT, Instant.now().toString(), command, r, tutor, edge);
        AtomicFiles.writeJson(dir.resolve(MANIFEST), c);
        AtomicFiles.writeString(dir.resolve("README.md"), BundleReadme.text(c));
        return c;
    }

    private static Entry copy(Path from, Path to) throws IOException {
        AtomicFiles.write(to, o -> Files.copy(from, o));
        return new Entry(to.getFileName().toString(), Checkpoint.read(to).manifest().id(), Files.size(to),
                Hashes.sha256Hex(to));
    }

    /** Refuses a checkpoint whose manifest shows other training than {@code st} (or another teacher). */
    private static void requireTrainedAs(Path ckpt, StageRecipe st, Recipe r, String teacherId) {
        Manifest m = Checkpoint.read(ckpt).manifest();
        String parent = m.parent() == null ? null : m.parent().id();
        String teacher = m.teacher() == null ? null : m.teacher().id();
        boolean same = st.model().equals(m.model()) && st.train().equals(m.training())
                && java.util.Objects.equals(st.backboneId(), parent) && java.util.Objects.equals(teacherId, teacher)
                && m.data() != null && m.data().images() == r.presumedImages()
                && m.data().objects() == r.presumedObjects();
        if (!same) {
            throw new IllegalStateException(ckpt + ": trained with other settings or data than this run's "
                    + st.role() + " stage (an earlier run in this folder?); remove its stage folder or use another"
                    + " --out");
        }
    }
}
