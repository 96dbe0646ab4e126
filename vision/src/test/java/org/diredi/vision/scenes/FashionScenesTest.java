package org.diredi.vision.scenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.DataException;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionScenesTest {

    static final FashionScenesConfig SMALL = FashionScenesConfig.DEFAULT
            .withImageSize(96).withImages(60, 6, 6).withObjectSize(20, 44);

    @TempDir
    static Path tmp;

    static Path out;
    static FashionScenes.Summary summary;

    @BeforeAll
    static void generate() {
        out = tmp.resolve("a");
        summary = FashionScenes.generate(SMALL, out);
    }

    /** One provenance.csv row. */
    record Row(String split, String image, int object, String source, int crop, int label, String cls,
            Box box, int px, int py, int pw, int ph, String background) {}

    static List<Row> provenance(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("provenance.csv"));
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            rows.add(new Row(f[0], f[1], Integer.parseInt(f[2]), f[3], Integer.parseInt(f[4]),
                    Integer.parseInt(f[5]), f[6], new Box(Integer.parseInt(f[7]), Integer.parseInt(f[8]),
                    Integer.parseInt(f[9]), Integer.parseInt(f[10])), Integer.parseInt(f[11]),
                    Integer.parseInt(f[12]), Integer.parseInt(f[13]), Integer.parseInt(f[14]), f[15]));
        }
        return rows;
    }

    @Test
    void sameSeedGivesByteIdenticalOutput() throws IOException {
        Path again = tmp.resolve("b");
        FashionScenes.generate(SMALL, again);
        List<Path> files;
        try (Stream<Path> s = Files.walk(out)) {
            files = s.filter(Files::isRegularFile).map(out::relativize).sorted().toList();
        }
        try (Stream<Path> s = Files.walk(again)) {
            assertEquals(files, s.filter(Files::isRegularFile).map(again::relativize).sorted().toList());
        }
        assertEquals(60 + 6 + 6, files.stream().filter(p -> p.toString().endsWith(".xml")).count());
        for (Path rel : files) {
            assertArrayEquals(Files.readAllBytes(out.resolve(rel)), Files.readAllBytes(again.resolve(rel)),
                    "differs: " + rel);
        }
    }

    /**
     * The default domain's output is pinned: SHA-256 over every file's relative path and bytes, recorded
     * when the renderer learnt a second domain, so no later change to the shared code alters FashionScenes.
     */
    @Test
    void fashionOutputIsUnchangedForTheSameSeed() throws Exception {
        assertEquals("cb3cb868885b4105df4ae2bf0af1c1f0961a3db49d0c949943ec99a2432d70a7", digest(out));
    }

    static String digest(Path dir) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
        }
        for (Path rel : files) {
            md.update(rel.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(dir.resolve(rel)));
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    @Test
    void otherSeedGivesOtherScenes() throws IOException {
        Path other = tmp.resolve("seed8");
        FashionScenes.generate(SMALL.withSeed(8), other);
        assertNotEquals(Files.readString(out.resolve("Annotations/train_000000.xml")),
                Files.readString(other.resolve("Annotations/train_000000.xml")));
    }

    @Test
    void readsBackAsVocWithCountsMatchingTheSummary() throws IOException {
        assertEquals(ClassList.FASHION, ClassList.read(out.resolve("classes.txt")));
        for (String split : FashionScenes.SPLITS) {
            VocDataset ds = VocDataset.load(out, split, ClassList.FASHION);
            FashionScenes.SplitSummary s = summary.splits().get(split);
            assertEquals(s.images(), ds.size());
            assertEquals(s.objects(), ds.objectCount());
            assertEquals(s.perClass(), ds.countsPerClass());
            for (VocImage img : ds.images()) {
                assertEquals(96, img.width());
                assertFalse(img.objects().size() > SMALL.maxObjects());
                assertTrue(img.id().startsWith(split + "_"));
            }
        }
        // Up to 4 attempted per image: most must be placed (placement gives up only rarely).
        int objects = summary.splits().get("train").objects();
        assertTrue(objects >= 60 * 2, "too few objects placed: " + objects);
        assertTrue(Files.isRegularFile(out.resolve("LICENSE-fashion-mnist")));
        assertTrue(Files.readString(out.resolve("SOURCES-backgrounds.md")).contains("CC0"));
        assertFalse(Files.exists(out.resolve(FashionScenes.IN_PROGRESS)));
    }

    @Test
    void boxesAreInsideTightAndMatchTheAnnotations() throws IOException {
        FashionMnist t10k = FashionMnist.t10k();
        Map<String, VocImage> byId = new java.util.HashMap<>();
        for (String split : FashionScenes.SPLITS) {
            VocDataset.load(out, split, ClassList.FASHION).images().forEach(i -> byId.put(i.id(), i));
        }
        List<Row> rows = provenance(out);
        assertEquals(summary.objects(), rows.size());
        for (Row r : rows) {
            Box b = r.box();
            assertTrue(b.x1() >= 0 && b.y1() >= 0 && b.x2() <= 96 && b.y2() <= 96, "outside: " + r);
            assertTrue(b.width() >= 2 && b.height() >= 2, "degenerate: " + r);
            // The frame a 28x28 crop was scaled to respects the size range (aspect jitter +-10 %).
            assertTrue(Math.max(r.pw(), r.ph()) <= 44 * 1.1 + 1 && Math.min(r.pw(), r.ph()) >= 20 * 0.9 - 1, r.toString());
            assertEquals(t10k.label(r.crop()), r.label());
            assertEquals(ClassList.FASHION.name(r.label()), r.cls());

            VocObject ann = byId.get(r.image()).objects().get(r.object());
            assertEquals(b, ann.box());
            assertEquals(r.label(), ann.classId());

            // Tightness: re-render the paste alpha; the box rows/cols hold alpha > threshold and the
            // ones just outside do not.
            float[] alpha = SceneRenderer.alphaMask(t10k.images(), r.crop(), r.pw(), r.ph());
            int x0 = (int) b.x1() - r.px();
            int y0 = (int) b.y1() - r.py();
            int x1 = (int) b.x2() - r.px();
            int y1 = (int) b.y2() - r.py();
            assertTrue(maxAlphaCol(alpha, r.pw(), r.ph(), x0) > SceneRenderer.BOX_THRESHOLD, r.toString());
            assertTrue(maxAlphaCol(alpha, r.pw(), r.ph(), x1 - 1) > SceneRenderer.BOX_THRESHOLD, r.toString());
            assertTrue(maxAlphaRow(alpha, r.pw(), y0) > SceneRenderer.BOX_THRESHOLD, r.toString());
            assertTrue(maxAlphaRow(alpha, r.pw(), y1 - 1) > SceneRenderer.BOX_THRESHOLD, r.toString());
            assertTrue(maxAlphaCol(alpha, r.pw(), r.ph(), x0 - 1) <= SceneRenderer.BOX_THRESHOLD, r.toString());
            assertTrue(maxAlphaCol(alpha, r.pw(), r.ph(), x1) <= SceneRenderer.BOX_THRESHOLD, r.toString());
            assertTrue(maxAlphaRow(alpha, r.pw(), y0 - 1) <= SceneRenderer.BOX_THRESHOLD, r.toString());
            assertTrue(maxAlphaRow(alpha, r.pw(), y1) <= SceneRenderer.BOX_THRESHOLD, r.toString());
        }
    }

    /** Largest alpha in column x of a w x h mask (0 outside the mask). */
    static float maxAlphaCol(float[] alpha, int w, int h, int x) {
        float m = 0;
        if (x >= 0 && x < w) {
            for (int y = 0; y < h; y++) {
                m = Math.max(m, alpha[y * w + x]);
            }
        }
        return m;
    }

    static float maxAlphaRow(float[] alpha, int w, int y) {
        float m = 0;
        if (y >= 0 && y < alpha.length / w) {
            for (int x = 0; x < w; x++) {
                m = Math.max(m, alpha[y * w + x]);
            }
        }
        return m;
    }

    @Test
    void splitsUseDisjointCropsAndPhotos() throws IOException {
        int[][] ranges = {{0, 7000}, {7000, 8000}, {8000, 10000}};
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            FashionScenes.SplitSummary s = summary.splits().get(FashionScenes.SPLITS.get(i));
            assertEquals("t10k", s.cropSource());
            assertEquals(ranges[i][0], s.cropFrom());
            assertEquals(ranges[i][1], s.cropTo());
            for (int c : s.cropIndices()) {
                assertTrue(c >= ranges[i][0] && c < ranges[i][1], s.split() + " used crop " + c);
                assertTrue(seen.add(c), "crop " + c + " used by two splits");
            }
        }
        for (Row r : provenance(out)) {
            assertTrue(summary.splits().get(r.split()).cropIndices().contains(r.crop()));
            Set<String> allowed = r.split().equals("train")
                    ? Set.of("photo:brick.png", "photo:grass.png", "photo:coffee.png")
                    : Set.of("photo:gravel.png", "photo:rocket.jpg");
            assertTrue(r.background().startsWith("procedural:") || allowed.contains(r.background()), r.toString());
        }
        // Both kinds of background occur.
        List<Row> rows = provenance(out);
        assertTrue(rows.stream().anyMatch(r -> r.background().startsWith("photo:")));
        assertTrue(rows.stream().anyMatch(r -> r.background().startsWith("procedural:")));
    }

    @Test
    void allTenClassesOccurInTrain() {
        Map<String, Integer> perClass = summary.splits().get("train").perClass();
        assertEquals(ClassList.FASHION.names(), List.copyOf(perClass.keySet()));
        perClass.forEach((c, n) -> assertTrue(n > 0, "class " + c + " missing from train"));
    }

    @Test
    void metadataRecordsConfigCountsAndLicences() throws IOException {
        JsonNode json = new ObjectMapper().readTree(out.resolve("fashion-scenes.json").toFile());
        assertEquals(96, json.at("/config/imageSize").asInt());
        assertEquals(7, json.at("/config/seed").asLong());
        assertEquals(0.3, json.at("/config/maxOverlap").asDouble());
        assertTrue(json.at("/config/extraTrainDir").isNull());
        for (String split : FashionScenes.SPLITS) {
            FashionScenes.SplitSummary s = summary.splits().get(split);
            assertEquals(s.images(), json.at("/splits/" + split + "/images").asInt());
            for (String c : ClassList.FASHION.names()) {
                assertEquals((int) s.perClass().get(c), json.at("/splits/" + split + "/perClass/" + c).asInt());
            }
        }
        assertEquals(10, json.get("classes").size());
        String licences = json.get("licences").toString();
        assertTrue(licences.contains("MIT") && licences.contains("CC0"), licences);
        assertTrue(summary.format().contains("train") && summary.format().contains("boot"));
        assertTrue(summary.seconds() > 0);
    }

    @Test
    void regeneratesOverEarlierOutputButNotOverForeignFiles() throws IOException {
        Path dir = tmp.resolve("regen");
        FashionScenes.generate(SMALL.withImages(5, 2, 2), dir);
        FashionScenes.generate(SMALL.withImages(3, 1, 1), dir);
        try (Stream<Path> s = Files.list(dir.resolve("JPEGImages"))) {
            assertEquals(5, s.count()); // the earlier run's extra images are gone
        }
        assertEquals(3, VocDataset.load(dir, "train", ClassList.FASHION).size());

        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("thesis.tex"), "precious");
        DataException e = assertThrows(DataException.class,
                () -> FashionScenes.generate(SMALL.withImages(1, 1, 1), foreign));
        assertTrue(e.getMessage().contains("foreign") && e.getMessage().contains("not empty"), e.getMessage());
        assertEquals("precious", Files.readString(foreign.resolve("thesis.tex")));
    }

    @Test
    void configIsValidated() {
        FashionScenesConfig d = FashionScenesConfig.DEFAULT;
        assertEquals(160, d.imageSize());
        assertEquals(2000, d.trainImages());
        assertEquals(300, d.valImages());
        assertEquals(500, d.testImages());
        assertEquals(7, d.seed());
        assertThrows(IllegalArgumentException.class, () -> d.withObjects(3, 2));
        assertThrows(IllegalArgumentException.class, () -> d.withObjectSize(30, 200));
        assertThrows(IllegalArgumentException.class, () -> d.withImages(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxOverlap(1.5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.withImageSize(16));
        assertTrue(e.getMessage().contains("imageSize"), e.getMessage());
    }

    @Test
    void missingExtraTrainDirIsADataError() {
        Path nowhere = tmp.resolve("no-fashion-mnist");
        DataException e = assertThrows(DataException.class,
                () -> FashionScenes.generate(SMALL.withExtraTrainDir(nowhere), tmp.resolve("x")));
        assertTrue(e.getMessage().contains("no-fashion-mnist"), e.getMessage());
    }

    @Test
    void tintContrastsWithTheBackground() {
        for (double bg : new double[] {0, 0.2, 0.5, 0.51, 0.8, 1}) {
            for (double hue = 0; hue < 1; hue += 0.07) {
                for (double draw : new double[] {0, 0.5, 1}) {
                    double[] c = SceneRenderer.tint(hue, 1.0, bg, draw);
                    double lum = SceneRenderer.luminance(c[0], c[1], c[2]);
                    assertTrue(Math.abs(lum - bg) >= SceneRenderer.MIN_CONTRAST - 1e-6,
                            "bg " + bg + " hue " + hue + " lum " + lum);
                    for (double v : c) {
                        assertTrue(v >= 0 && v <= 1 + 1e-9);
                    }
                }
            }
        }
    }
}
