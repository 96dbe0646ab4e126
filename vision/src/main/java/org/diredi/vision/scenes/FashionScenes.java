package org.diredi.vision.scenes;

import org.diredi.vision.data.Seeds;
import org.diredi.vision.io.AtomicFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.DataException;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.data.VocWriter;

/**
 * FashionScenes: a reproducible detection benchmark in the Pascal VOC layout, and the generator of
 * every {@link SceneDomain} (ShapeScenes: {@link ShapeObjects} on {@link ShapeScenery}, its objects
 * drawn from disjoint catalogue ranges per split as the crops below). Real Fashion-MNIST
 * crops are tinted, scaled and pasted onto real photos or procedural textures; each box is the
 * pasted crop's visible extent. Splits {@code train}, {@code val}, {@code test} are disjoint in
 * both crops (t10k indices [0,7000), [7000,8000), [8000,10000), or the full training files for
 * train) and photos (train: brick, grass, coffee; val/test: gravel, rocket).
 *
 * <p>Output is a pure function of the config: every image has its own seed derived from the
 * master seed, so the images can be rendered in parallel and still come out byte-identical.
 */
public final class FashionScenes {

    /** Generates the default FashionScenes into {@code data} unless it is there already. */
    public static void ensure(Path data) {
        ensure(data, SceneDomain.FASHION);
    }

    /** Generates the domain's scenes at the default config into {@code data} unless it holds a dataset already. */
    public static void ensure(Path data, SceneDomain domain) {
        if (!Files.exists(data.resolve("classes.txt"))) {
            System.out.println("generating " + domain.title() + " in " + data);
            System.out.print(generate(domain, FashionScenesConfig.DEFAULT, data).format());
        }
    }

    public static final List<String> SPLITS = List.of("train", "val", "test");
    static final List<String> TRAIN_PHOTOS = List.of("brick.png", "grass.png", "coffee.png");
    static final List<String> EVAL_PHOTOS = List.of("gravel.png", "rocket.jpg");
    static final String METADATA = "fashion-scenes.json";
    static final String PROVENANCE = "provenance.csv";
    /** Present while a generation runs, so a crashed run's directory can still be replaced. */
    static final String IN_PROGRESS = ".fashion-scenes-in-progress";
    static final String BACKGROUND_SOURCES = "SOURCES-backgrounds.md";
    /** t10k crop pools of train, val, test; {@link FashionObjects} pretrains on the train pool only. */
    static final int[][] T10K_RANGES = {{0, 7000}, {7000, 8000}, {8000, 10000}};

    /**
     * What one split holds.
     *
     * @param cropSource  {@code t10k} or {@code train} (the Fashion-MNIST file the crops came from)
     * @param cropFrom    first crop index of the split's pool
     * @param cropTo      end (exclusive) of the split's pool
     * @param cropIndices the distinct crop indices actually pasted, ascending
     * @param photos      the background photos this split may use
     */
    public record SplitSummary(String split, int images, int objects, Map<String, Integer> perClass,
            String cropSource, int cropFrom, int cropTo, List<Integer> cropIndices,
            List<String> photos) {}

    /** Result of {@link #generate}: where, what domain and config, per-split counts, wall time. */
    public record Summary(Path outDir, SceneDomain domain, FashionScenesConfig config, Map<String, SplitSummary> splits,
            double seconds) {

        public int images() {
            return splits.values().stream().mapToInt(SplitSummary::images).sum();
        }

        public int objects() {
            return splits.values().stream().mapToInt(SplitSummary::objects).sum();
        }

        /** A short human-readable table for the CLI. */
        public String format() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%s in %s: %d images, %d objects, %.1f s%n",
                    domain.title(), outDir, images(), objects(), seconds));
            sb.append(String.format(Locale.ROOT, "%-8s %6s %7s", "split", "images", "objects"));
            for (String c : domain.classes().names()) {
                sb.append(String.format(Locale.ROOT, " %8s", c));
            }
            sb.append(System.lineSeparator());
            for (SplitSummary s : splits.values()) {
                sb.append(String.format(Locale.ROOT, "%-8s %6d %7d", s.split(), s.images(), s.objects()));
                for (int v : s.perClass().values()) {
                    sb.append(String.format(Locale.ROOT, " %8d", v));
                }
                sb.append(System.lineSeparator());
            }
            return sb.toString();
        }
    }

    private record Rendered(String id, String background, List<SceneRenderer.Placed> objects) {}

    private FashionScenes() {}

    /**
     * Generates the dataset into {@code outDir}: VOC layout with splits train/val/test,
     * {@code classes.txt}, {@code fashion-scenes.json} (config, counts, licences),
     * {@code provenance.csv} (crop index and paste frame of every object) and the licence files.
     * {@code outDir} must be absent, empty, or an earlier FashionScenes output (replaced).
     */
    public static Summary generate(FashionScenesConfig config, Path outDir) {
        return generate(SceneDomain.FASHION, config, outDir);
    }

    /**
     * Generates the scenes of {@code domain} as {@link #generate(FashionScenesConfig, Path)} does; its
     * metadata file is the domain's ({@link SceneDomain#metadataFile()}), and only an earlier output of
     * the same domain is replaced.
     */
    public static Summary generate(SceneDomain domain, FashionScenesConfig config, Path outDir) {
        long start = System.nanoTime();
        List<SplitPlan> plans = IntStream.range(0, SPLITS.size())
                .mapToObj(si -> SplitPlan.of(config, si, domain.source(config, si))).toList();
        prepare(outDir, domain);
        VocWriter writer = new VocWriter(outDir, domain.classes(), domain.title());

        Map<String, SplitSummary> summaries = new LinkedHashMap<>();
        StringBuilder provenance = new StringBuilder(
                "split,image,object,source,crop,label,class,x1,y1,x2,y2,paste_x,paste_y,paste_w,paste_h,background\n");
        for (SplitPlan plan : plans) {
            Rendered[] rendered = renderSplit(config, plan, writer);
            summaries.put(plan.split(), summarise(plan, rendered, writer, provenance, domain.classes()));
        }
        finish(outDir, domain, config, summaries, provenance);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Summary(outDir, domain, config, summaries, seconds);
    }

    /**
     * One split's images, object pool [{@code from}, {@code to}) of {@code source}, and scenery.
     *
     * @param index position in {@link #SPLITS}, part of every seed of the split
     */
    private record SplitPlan(int index, String split, int count, SceneObjects source, int from, int to,
                             Scenery scenery, List<String> photos) {

        static SplitPlan of(FashionScenesConfig config, int si, SceneDomain.Source s) {
            int count = si == 0 ? config.trainImages() : si == 1 ? config.valImages() : config.testImages();
            return new SplitPlan(si, SPLITS.get(si), count, s.objects(), s.from(), s.to(), s.scenery(), s.photos());
        }
    }

    /** Renders and writes the split's images in parallel; returns what each holds, in image order. */
    private static Rendered[] renderSplit(FashionScenesConfig config, SplitPlan plan, VocWriter writer) {
        SceneRenderer renderer = new SceneRenderer(config, plan.scenery());
        int count = plan.count();
        // Fix every image's crops up front (a seeded permutation of the split's pool, dealt in
        // image order) so parallel rendering cannot change which crop goes where.
        long[] seeds = new long[count];
        int[] firstCrop = new int[count + 1];
        for (int i = 0; i < count; i++) {
            seeds[i] = Seeds.mix(config.seed(), plan.index() + 1, i, 0x1A6EL);
            firstCrop[i + 1] = firstCrop[i] + SceneRenderer.objectCount(config, seeds[i]);
        }
        int[] pool = Seeds.permutation(plan.to() - plan.from(), Seeds.mix(config.seed(), plan.index() + 1, 0xC409L));
        Rendered[] rendered = new Rendered[count];
        IntStream.range(0, count).parallel().forEach(i -> {
            int[] crops = new int[firstCrop[i + 1] - firstCrop[i]];
            for (int k = 0; k < crops.length; k++) {
                // Cycles through the pool again only if a split needs more crops than it has.
                crops[k] = plan.from() + pool[(firstCrop[i] + k) % pool.length];
            }
            SceneRenderer.Scene scene = renderer.render(seeds[i], plan.source(), crops);
            rendered[i] = write(writer, plan.split(), i, config.imageSize(), scene);
        });
        return rendered;
    }

    /** Writes image {@code i} of the split and its annotation. */
    private static Rendered write(VocWriter writer, String split, int i, int size, SceneRenderer.Scene scene) {
        String id = String.format(Locale.ROOT, "%s_%06d", split, i);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        img.getRaster().setDataElements(0, 0, size, size, scene.rgb()); // bulk, no colour model
        List<VocObject> objects = scene.objects().stream()
                .map(p -> new VocObject(p.label(), p.box(), false, false)).toList();
        writer.write(id, img, objects);
        return new Rendered(id, scene.background(), scene.objects());
    }

    /** Writes the split's image list, appends its objects to {@code provenance} and counts them. */
    private static SplitSummary summarise(SplitPlan plan, Rendered[] rendered, VocWriter writer,
                                          StringBuilder provenance, ClassList classes) {
        List<String> ids = new ArrayList<>(rendered.length);
        int[] perClass = new int[classes.size()];
        TreeSet<Integer> used = new TreeSet<>();
        int objects = 0;
        for (Rendered r : rendered) {
            ids.add(r.id());
            for (int k = 0; k < r.objects().size(); k++) {
                SceneRenderer.Placed p = r.objects().get(k);
                perClass[p.label()]++;
                used.add(p.cropIndex());
                objects++;
                provenance.append(provenanceRow(plan, r, k, classes)).append('\n');
            }
        }
        writer.writeSplit(plan.split(), ids);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int c = 0; c < perClass.length; c++) {
            counts.put(classes.name(c), perClass[c]);
        }
        return new SplitSummary(plan.split(), plan.count(), objects, counts, plan.source().name(), plan.from(),
                plan.to(), List.copyOf(used), plan.photos());
    }

    /** Object {@code k} of image {@code r}: crop index, box, paste frame, background. */
    private static String provenanceRow(SplitPlan plan, Rendered r, int k, ClassList classes) {
        SceneRenderer.Placed p = r.objects().get(k);
        Box b = p.box();
        return String.join(",", plan.split(), r.id(), Integer.toString(k),
                plan.source().name(), Integer.toString(p.cropIndex()), Integer.toString(p.label()),
                classes.name(p.label()), Integer.toString((int) b.x1()),
                Integer.toString((int) b.y1()), Integer.toString((int) b.x2()),
                Integer.toString((int) b.y2()), Integer.toString(p.pasteX()),
                Integer.toString(p.pasteY()), Integer.toString(p.width()),
                Integer.toString(p.height()), r.background());
    }

    /** The dataset-wide files; removing the in-progress marker last marks the output complete. */
    private static void finish(Path outDir, SceneDomain domain, FashionScenesConfig config,
                               Map<String, SplitSummary> summaries, StringBuilder provenance) {
        domain.classes().write(outDir.resolve("classes.txt"));
        AtomicFiles.string(outDir.resolve(PROVENANCE), provenance.toString());
        domain.copyFiles(outDir);
        AtomicFiles.string(outDir.resolve(domain.metadataFile()), metadata(domain, config, summaries));
        try {
            Files.deleteIfExists(outDir.resolve(IN_PROGRESS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + IN_PROGRESS, e);
        }
    }

    private static String metadata(SceneDomain domain, FashionScenesConfig config, Map<String, SplitSummary> splits) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("imageSize", config.imageSize());
        cfg.put("trainImages", config.trainImages());
        cfg.put("valImages", config.valImages());
        cfg.put("testImages", config.testImages());
        cfg.put("minObjects", config.minObjects());
        cfg.put("maxObjects", config.maxObjects());
        cfg.put("minObjectSize", config.minObjectSize());
        cfg.put("maxObjectSize", config.maxObjectSize());
        cfg.put("maxOverlap", config.maxOverlap());
        cfg.put("seed", config.seed());
        cfg.put("extraTrainDir", config.extraTrain().map(Path::toString).orElse(null));

        Map<String, Object> splitJson = new LinkedHashMap<>();
        for (SplitSummary s : splits.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("images", s.images());
            m.put("objects", s.objects());
            m.put("perClass", s.perClass());
            m.put("crops", ordered("source", domain.objectsDescription(s.cropSource()), "from", s.cropFrom(),
                    "to", s.cropTo(), "distinctUsed", s.cropIndices().size()));
            m.put("photos", s.photos());
            m.put("procedural", domain.procedural());
            splitJson.put(s.split(), m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("dataset", domain.title());
        root.put("generator", FashionScenes.class.getName());
        root.put("layout", "Pascal VOC: Annotations/, JPEGImages/, ImageSets/Main/{train,val,test}.txt");
        root.put("classes", domain.classes().names());
        root.put("config", cfg);
        root.put("splits", splitJson);
        root.put("rendering", ordered(
                "alpha", domain.alphaRule(),
                "box", "extent of pasted pixels with alpha > " + SceneRenderer.BOX_THRESHOLD,
                "placement", "IoU between boxes <= maxOverlap, a later object covers <= "
                        + SceneRenderer.MAX_COVER + " of an earlier box, " + SceneRenderer.PLACE_ATTEMPTS
                        + " tries per object"));
        root.put("provenance", PROVENANCE + " (one row per object: crop index, box, paste frame, background)");
        root.put("licences", domain.licences());
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Map.of would iterate in a per-JVM random order and break byte-identical metadata. */
    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Creates {@code outDir}, or clears an earlier output of the domain; refuses anything else. */
    private static void prepare(Path outDir, SceneDomain domain) {
        String metadata = domain.metadataFile();
        try {
            if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
                throw new DataException(outDir, "output path exists and is not a directory");
            }
            if (Files.isDirectory(outDir)) {
                boolean empty;
                try (Stream<Path> s = Files.list(outDir)) {
                    empty = s.findAny().isEmpty();
                }
                if (!empty) {
                    if (!Files.isRegularFile(outDir.resolve(metadata))
                            && !Files.isRegularFile(outDir.resolve(IN_PROGRESS))) {
                        throw new DataException(outDir, "output directory is not empty and is not an"
                                + " earlier " + domain.title() + " output (no " + metadata + "); refusing to"
                                + " overwrite it");
                    }
                    Files.deleteIfExists(outDir.resolve(metadata));
                    // Stale images of a larger earlier run would otherwise linger beside the new ones.
                    for (String sub : List.of("Annotations", "JPEGImages", "ImageSets")) {
                        AtomicFiles.deleteTree(outDir.resolve(sub));
                    }
                }
            }
            Files.createDirectories(outDir);
            Files.write(outDir.resolve(IN_PROGRESS), new byte[0]);
        } catch (IOException e) {
            throw new DataException(outDir, "cannot prepare output directory: " + e.getMessage(), e);
        }
    }
}
