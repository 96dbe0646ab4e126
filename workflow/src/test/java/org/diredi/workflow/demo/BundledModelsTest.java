package org.diredi.workflow.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.model.Presets;
import org.diredi.messaging.Hashes;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled manufacturer models: written by the demo's own stages, found again only for the same
 * recipe (a differing setting is named, and the run trains instead), refused when a file is damaged;
 * the on-prem RD stages of other models are cleared; the stage clock adds up.
 */
class BundledModelsTest {

    @TempDir
    static Path dir;
    static DemoSettings settings;
    static DemoData data;
    static ManufacturerStages.Models trained;
    static StageClock clock;

    /** Tiny stages, one epoch each on a few scenes, trained by the demo's manufacturer code. */
    @BeforeAll
    static void trainTinyManufacturer() throws Exception {
        VocDataset scenes = TestData.scenes(dir.resolve("scenes"), 8).restrictTo(List.of("tshirt", "trouser", "bag"));
        settings = DemoSettings.builder().out(dir.resolve("run")).family("tiny").presumed(List.of("tshirt", "trouser",
                "bag")).epochs(new DemoSettings.Epochs(1, 1, 1, 1)).images(8).backbones(dir.resolve("none")).build();
        data = new DemoData(dir.resolve("scenes"), ClassList.FASHION, scenes, null, null, null);
        clock = new StageClock(Instant.now());
        trained = ManufacturerStages.train(settings, data, clock);
    }

    @Test
    void theBundleIsFoundForTheSameRecipeOnly() throws Exception {
        Path bundle = dir.resolve("bundle");
        BundledModels.Contents c = BundledModels.write(bundle, BundledModels.Recipe.of(settings, data), trained,
                settings.commandLine());
        assertEquals("tiny-tutor.ckpt", c.tutor().file());
        assertEquals(Hashes.sha256Hex(trained.edge()), c.edge().sha256(), "a byte-for-byte copy of the stage's model");
        String readme = Files.readString(bundle.resolve("README.md"));
        assertTrue(readme.contains(c.tutor().sha256()) && readme.contains("--epochs 1,1,1,1"), readme);

        BundledModels.Found same = BundledModels.find(bundle, BundledModels.Recipe.of(settings, data));
        assertNull(same.whyNot());
        assertEquals(bundle.resolve("tiny-edge-v0.ckpt"), same.models().edge());

        DemoSettings more = DemoSettings.builder().out(settings.out()).family("tiny").presumed(settings.presumed())
                .epochs(new DemoSettings.Epochs(1, 3, 1, 1)).images(8).backbones(settings.backbones()).build();
        BundledModels.Found other = BundledModels.find(bundle, BundledModels.Recipe.of(more, data));
        assertNull(other.models());
        assertTrue(other.whyNot().contains("edge.train.epochs: bundled 1, this run 3"), other.whyNot());
        assertTrue(BundledModels.find(dir.resolve("nothing"), BundledModels.Recipe.of(settings, data)).whyNot()
                .startsWith("no bundled models in"));

        Path edge = bundle.resolve("tiny-edge-v0.ckpt");
        byte[] b = Files.readAllBytes(edge);
        b[b.length / 2] ^= 1;
        Files.write(edge, b);
        Checkpoint.CheckpointException damaged = assertThrows(Checkpoint.CheckpointException.class,
                () -> BundledModels.find(bundle, BundledModels.Recipe.of(settings, data)));
        assertTrue(damaged.getMessage().contains("tiny-edge-v0.ckpt: its SHA-256 differs")
                && damaged.getMessage().contains("--from-scratch"), damaged.getMessage());
    }

    @Test
    void aStageOfOtherSettingsIsNeverBundled() {
        DemoSettings more = DemoSettings.builder().out(settings.out()).family("tiny").presumed(settings.presumed())
                .epochs(new DemoSettings.Epochs(2, 1, 1, 1)).images(8).backbones(settings.backbones()).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BundledModels.write(
                dir.resolve("bundle2"), BundledModels.Recipe.of(more, data), trained, more.commandLine()));
        assertTrue(e.getMessage().contains("trained with other settings"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("bundle2/manifest.json")));
    }

    /**
     * The bundle in the repository still fits the default demo (presets, training defaults, backbones,
     * loss weights, classes) and its files are the ones its manifest lists; the data part of the recipe is
     * checked by every demo run. Remake it with {@code ./diredi demo --write-bundle models/demo}.
     */
    @Test
    void theRepositorysBundleFitsTheDefaultDemo() throws Exception {
        Path bundle = Path.of("../models/demo");
        JsonNode root = ConfigFiles.JSON.readTree(bundle.resolve(BundledModels.MANIFEST).toFile());
        DemoSettings s = DemoSettings.builder().backbones(Path.of("../models/pretrained")).build();
        DemoData noImages = new DemoData(null, ClassList.FASHION, null, null, null, null);
        List<String> d = new ArrayList<>();
        BundledModels.differences("tutor", tree(BundledModels.StageRecipe.of(ManufacturerStages.tutorStage(s,
                noImages))), root.path("recipe").path("tutor"), d);
        BundledModels.differences("edge", tree(BundledModels.StageRecipe.of(ManufacturerStages.edgeStage(s, noImages,
                Path.of("tutor.ckpt")))), root.path("recipe").path("edge"), d);
        BundledModels.differences("classes", tree(ClassList.FASHION.names()), root.path("recipe").path("classes"), d);
        BundledModels.differences("presumed", tree(s.presumed()), root.path("recipe").path("presumed"), d);
        BundledModels.differences("images", tree(s.images()), root.path("recipe").path("images"), d);
        assertEquals(List.of(), d, "models/demo no longer fits the default demo: ./diredi demo --write-bundle models/demo");
        BundledModels.Contents c = ConfigFiles.JSON.treeToValue(root, BundledModels.Contents.class);
        for (BundledModels.Entry e : List.of(c.tutor(), c.edge())) {
            assertEquals(e.checkpointId(), Checkpoint.read(BundledModels.verified(bundle, e)).manifest().id());
        }
    }

    private static JsonNode tree(Object value) throws Exception {
        return ConfigFiles.JSON.readTree(ConfigFiles.toJson(value));
    }

    @Test
    void differencesNameEachSettingWithBothValues() throws Exception {
        List<String> d = new ArrayList<>();
        BundledModels.differences("", ConfigFiles.JSON.readTree("{\"a\":1,\"b\":{\"c\":\"x\",\"e\":[1,2]}}"),
                ConfigFiles.JSON.readTree("{\"a\":1,\"b\":{\"c\":\"y\",\"e\":[1,2]},\"f\":true}"), d);
        assertEquals(List.of("b.c: bundled y, this run x", "f: bundled true, not a setting of this run"), d);
    }

    @Test
    void rdStagesOfOtherModelsAreCleared() throws Exception {
        Path onprem = dir.resolve("onprem");
        Manifest tutor = Checkpoint.read(trained.tutor()).manifest();
        Manifest edge = Checkpoint.read(trained.edge()).manifest();
        rdStage(onprem, tutor.id(), edge.id());
        assertFalse(PartyEvidence.clearStaleRd(onprem, trained), "made from this run's models: kept");
        assertTrue(Files.exists(onprem.resolve("tutor1-rdB/last.ckpt")));
        rdStage(onprem, "0123456789abcdef", edge.id());
        assertTrue(PartyEvidence.clearStaleRd(onprem, trained));
        assertFalse(Files.exists(onprem));
    }

    @Test
    void theStagesAddUpToTheTotal() throws Exception {
        StageClock c = new StageClock(Instant.now().minusSeconds(100));
        c.lapAt("early", Instant.now().minusSeconds(70), "");
        c.lapAt("cached", Instant.now().minusSeconds(500), "tutor 1");
        c.lapAt("skipped", null, "not run");
        c.lap("late", "");
        List<StageClock.Lap> laps = c.laps();
        assertEquals(Duration.ZERO, laps.get(1).time(), "finished before this run: no time in it");
        assertTrue(laps.get(1).note().startsWith("reused"), laps.get(1).note());
        assertEquals(Duration.ZERO, laps.get(2).time());
        assertEquals(c.total(), laps.stream().map(StageClock.Lap::time).reduce(Duration.ZERO, Duration::plus));
        assertEquals("1:40", StageClock.format(c.total()));
        assertTrue(c.table().toString().contains("| **total** | **1:40** | 100%"), c.table().toString());
        assertTrue(clock.laps().stream().map(StageClock.Lap::stage).toList().equals(List.of("tutor", "Distill B")));
    }

    private static void rdStage(Path onprem, String tutorId, String edgeId) throws Exception {
        Checkpoint edge = Checkpoint.read(trained.edge());
        Files.createDirectories(onprem.resolve("tutor1-rdB"));
        Checkpoint.write(onprem.resolve("tutor1-rdB/last.ckpt"), Manifest.builder("tutor1", Presets.get("tiny/tutor"),
                        ClassList.FASHION.names()).parent(new Manifest.Reference(tutorId, "t", "init"))
                        .teacher(new Manifest.Reference(edgeId, "e", "teacher")).build(), edge.weights(), null);
    }
}
