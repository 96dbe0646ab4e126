package org.diredi.vision.scenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.geom.Rectangle2D;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.DataException;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapeScenesTest {

    static final FashionScenesConfig SMALL = FashionScenesTest.SMALL;

    @TempDir
    static Path tmp;

    static Path out;
    static FashionScenes.Summary summary;

    @BeforeAll
    static void generate() {
        out = tmp.resolve("shapes");
        summary = FashionScenes.generate(SceneDomain.SHAPES, SMALL, out);
    }

    @Test
    void sameSeedGivesTheSameFilesAndAnotherSeedOthers() throws Exception {
        Path again = tmp.resolve("again");
        FashionScenes.generate(SceneDomain.SHAPES, SMALL, again);
        assertEquals(FashionScenesTest.digest(out), FashionScenesTest.digest(again));
        Path other = tmp.resolve("seed8");
        FashionScenes.generate(SceneDomain.SHAPES, SMALL.withSeed(8), other);
        assertNotEquals(Files.readString(out.resolve("Annotations/train_000000.xml")),
                Files.readString(other.resolve("Annotations/train_000000.xml")));
    }

    @Test
    void readsBackAsVocWithTheShapeClassesAndCountsOfTheSummary() throws Exception {
        assertEquals(ClassList.SHAPES, ClassList.read(out.resolve("classes.txt")));
        for (String split : FashionScenes.SPLITS) {
            VocDataset ds = VocDataset.load(out, split, ClassList.SHAPES);
            FashionScenes.SplitSummary s = summary.splits().get(split);
            assertEquals(s.images(), ds.size());
            assertEquals(s.objects(), ds.objectCount());
            assertEquals(s.perClass(), ds.countsPerClass());
        }
        assertTrue(summary.splits().get("train").objects() >= 60 * 2);
        JsonNode json = new ObjectMapper().readTree(out.resolve("shape-scenes.json").toFile());
        assertEquals("ShapeScenes", json.get("dataset").asText());
        List<String> classes = new java.util.ArrayList<>();
        json.get("classes").forEach(n -> classes.add(n.asText()));
        assertEquals(ClassList.SHAPES.names(), classes);
        assertFalse(Files.exists(out.resolve("fashion-scenes.json")));
        assertFalse(Files.exists(out.resolve(FashionMnist.LICENSE)), "no Fashion-MNIST data in ShapeScenes");
        assertTrue(summary.format().startsWith("ShapeScenes in") && summary.format().contains("hexagon"));
    }

    @Test
    void splitsDrawDisjointObjectsAndOnlyTheirOwnBackgrounds() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            FashionScenes.SplitSummary s = summary.splits().get(FashionScenes.SPLITS.get(i));
            assertEquals("shapes", s.cropSource());
            assertEquals(FashionScenes.T10K_RANGES[i][0], s.cropFrom());
            assertEquals(FashionScenes.T10K_RANGES[i][1], s.cropTo());
            for (int c : s.cropIndices()) {
                assertTrue(c >= s.cropFrom() && c < s.cropTo(), s.split() + " used object " + c);
                assertTrue(seen.add(c), "object " + c + " drawn in two splits");
            }
            assertEquals(List.of(), s.photos());
        }
        Set<String> kinds = new HashSet<>();
        for (FashionScenesTest.Row r : FashionScenesTest.provenance(out)) {
            assertEquals(ShapeObjects.CATALOGUE.label(r.crop()), r.label());
            assertEquals(ClassList.SHAPES.name(r.label()), r.cls());
            kinds.add(r.background());
        }
        // Every background kind occurs, and none is FashionScenes'.
        assertEquals(Set.of("procedural:tiles", "procedural:cells", "procedural:blobs", "procedural:clutter"), kinds);
    }

    @Test
    void boxesAreInsideTheImagesAndMatchTheAnnotations() throws Exception {
        Map<String, VocImage> byId = new java.util.HashMap<>();
        for (String split : FashionScenes.SPLITS) {
            VocDataset.load(out, split, ClassList.SHAPES).images().forEach(i -> byId.put(i.id(), i));
        }
        for (FashionScenesTest.Row r : FashionScenesTest.provenance(out)) {
            Box b = r.box();
            assertTrue(b.x1() >= 0 && b.y1() >= 0 && b.x2() <= 96 && b.y2() <= 96, "outside: " + r);
            assertTrue(b.width() >= 4 && b.height() >= 4, "degenerate: " + r);
            // The box lies in the frame the shape was fitted to, and spans it in at least one direction.
            assertTrue(b.x1() >= r.px() && b.y1() >= r.py() && b.x2() <= r.px() + r.pw() && b.y2() <= r.py() + r.ph(),
                    r.toString());
            assertTrue(b.width() >= r.pw() - 2 || b.height() >= r.ph() - 2, "not fitted: " + r);
            assertEquals(b, byId.get(r.image()).objects().get(r.object()).box());
        }
    }

    /** Known answer: the mask's extent is the drawn polygon's exact bounds, to within a pixel. */
    @Test
    void everyShapesMaskIsTightAroundItsGeometry() {
        for (int index = 0; index < 200; index++) {
            int w = 20 + index % 41;
            int h = 20 + (index * 7) % 41;
            long variant = index * 31L;
            Rectangle2D g = ShapeObjects.outline(index, variant, w, h).getBounds2D();
            // Fitted: centred, touching two opposite sides of the frame.
            assertTrue(Math.abs(g.getWidth() - w) < 1e-6 || Math.abs(g.getHeight() - h) < 1e-6, index + ": " + g);
            assertEquals(w / 2.0, g.getCenterX(), 1e-6);
            assertEquals(h / 2.0, g.getCenterY(), 1e-6);
            float[] alpha = ShapeObjects.mask(index, variant, w, h);
            int[] e = SceneRenderer.extent(alpha, w, h);
            String at = "shape " + index + " (" + ClassList.SHAPES.name(index % 10) + ") " + g + " extent "
                    + java.util.Arrays.toString(e);
            assertTrue(e[0] >= Math.floor(g.getMinX()) && e[0] <= g.getMinX() + 1, at);
            assertTrue(e[1] >= Math.floor(g.getMinY()) && e[1] <= g.getMinY() + 1, at);
            assertTrue(e[2] <= Math.ceil(g.getMaxX()) && e[2] >= g.getMaxX() - 1, at);
            assertTrue(e[3] <= Math.ceil(g.getMaxY()) && e[3] >= g.getMaxY() - 1, at);
            for (float a : alpha) {
                assertTrue(a >= 0 && a <= 1, at);
            }
        }
    }

    /**
     * On a flat background without clutter, the pixels a pasted shape changed span its box, to within
     * the faint antialiased fringe (one pixel) on either side of the alpha threshold.
     */
    @Test
    void theBoxIsTightAroundTheDrawnPixels() {
        FashionScenesConfig one = SMALL.withObjects(1, 1);
        Scenery flat = (rnd, r, g, b) -> {
            java.util.Arrays.fill(r, 0.1f);
            java.util.Arrays.fill(g, 0.1f);
            java.util.Arrays.fill(b, 0.1f);
            return "flat";
        };
        SceneRenderer renderer = new SceneRenderer(one, flat);
        int grey = (int) (0.1f * 255f + 0.5f);
        for (int i = 0; i < 100; i++) {
            SceneRenderer.Scene scene = renderer.render(i, ShapeObjects.CATALOGUE, new int[] {i * 13});
            assertEquals(1, scene.objects().size());
            Box box = scene.objects().get(0).box();
            int x0 = 96;
            int y0 = 96;
            int x1 = 0;
            int y1 = 0;
            for (int p = 0; p < scene.rgb().length; p++) {
                int v = scene.rgb()[p];
                int d = Math.max(Math.abs(((v >> 16) & 0xFF) - grey),
                        Math.max(Math.abs(((v >> 8) & 0xFF) - grey), Math.abs((v & 0xFF) - grey)));
                if (d > 1) {
                    x0 = Math.min(x0, p % 96);
                    y0 = Math.min(y0, p / 96);
                    x1 = Math.max(x1, p % 96 + 1);
                    y1 = Math.max(y1, p / 96 + 1);
                }
            }
            String at = "scene " + i + ": box " + box + ", changed pixels " + x0 + "," + y0 + "-" + x1 + "," + y1;
            assertTrue(Math.abs(box.x1() - x0) <= 1 && Math.abs(box.y1() - y0) <= 1, at);
            assertTrue(Math.abs(box.x2() - x1) <= 1 && Math.abs(box.y2() - y1) <= 1, at);
        }
    }

    @Test
    void classesAreRoughlyBalanced() {
        FashionScenesConfig c = FashionScenesConfig.DEFAULT.withImageSize(64).withObjectSize(16, 32)
                .withImages(400, 1, 1);
        FashionScenes.Summary s = FashionScenes.generate(SceneDomain.SHAPES, c, tmp.resolve("balance"));
        Map<String, Integer> perClass = s.splits().get("train").perClass();
        double mean = s.splits().get("train").objects() / 10.0;
        assertTrue(mean > 80, "objects per class: " + mean);
        perClass.forEach((name, n) -> assertTrue(n > 0.75 * mean && n < 1.25 * mean,
                name + ": " + n + " objects against a mean of " + mean + " " + perClass));
    }

    @Test
    void domainsAreChosenByNameAndKeepToTheirOwnOutput() throws Exception {
        assertEquals(SceneDomain.SHAPES, SceneDomain.parse("shapes"));
        assertEquals(SceneDomain.FASHION, SceneDomain.parse("Fashion"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SceneDomain.parse("cubes"));
        assertTrue(e.getMessage().contains("'cubes'") && e.getMessage().contains("fashion, shapes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FashionScenes.generate(SceneDomain.SHAPES,
                SMALL.withExtraTrainDir(tmp.resolve("fmnist")), tmp.resolve("never")));
        assertFalse(Files.exists(tmp.resolve("never")));
        // A FashionScenes folder is not replaced by ShapeScenes (nor the other way round).
        Path fashion = tmp.resolve("fashion");
        FashionScenes.generate(SMALL.withImages(1, 1, 1), fashion);
        DataException d = assertThrows(DataException.class,
                () -> FashionScenes.generate(SceneDomain.SHAPES, SMALL.withImages(1, 1, 1), fashion));
        assertTrue(d.getMessage().contains("shape-scenes.json"), d.getMessage());
        assertThrows(DataException.class, () -> FashionScenes.generate(SMALL.withImages(1, 1, 1), out));
        // ensure() generates the named domain only where there is no dataset.
        FashionScenes.ensure(fashion, SceneDomain.SHAPES);
        assertEquals(ClassList.FASHION, ClassList.read(fashion.resolve("classes.txt")));
    }

    @Test
    void aPasteDrawsItsVariationFromTheScenesRandomStream() {
        float[] a = ShapeObjects.CATALOGUE.alpha(5, 40, 40, new Random(1));
        float[] b = ShapeObjects.CATALOGUE.alpha(5, 40, 40, new Random(1));
        float[] c = ShapeObjects.CATALOGUE.alpha(5, 40, 40, new Random(2));
        assertTrue(java.util.Arrays.equals(a, b));
        assertFalse(java.util.Arrays.equals(a, c));
    }
}
