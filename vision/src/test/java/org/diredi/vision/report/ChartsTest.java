package org.diredi.vision.report;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static BufferedImage read(Path png) throws IOException {
        assertTrue(Files.isRegularFile(png), png + " exists");
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "decodes as an image");
        return img;
    }

    private static int count(BufferedImage img, Color c) {
        int rgb = c.getRGB() & 0xffffff;
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    private static long nonWhite(BufferedImage img) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) != 0xffffff) {
                    n++;
                }
            }
        }
        return n;
    }

    private static void onlyTheFile(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(name), s.map(p -> p.getFileName().toString()).toList(), "no temp file left");
        }
    }

    @Test
    void lineChartWithGapsAndIsolatedPoints(@TempDir Path dir) throws IOException {
        int n = 50;
        double[] x = new double[n];
        double[] train = new double[n];
        double[] val = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
            train[i] = 2.0 * Math.exp(-i / 12.0) + 0.1;
            val[i] = i % 5 == 4 ? 2.2 * Math.exp(-i / 14.0) + 0.15 : Double.NaN; // only every 5th epoch
        }
        train[20] = Double.NaN; // a gap in the middle
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("train loss", new double[][] {x, train});
        series.put("val loss", new double[][] {x, val});
        Path png = dir.resolve("loss.png");
        Charts.lineChart("Teacher loss", "epoch", "loss", series, Charts.Options.DEFAULT.withSize(800, 450), png);

        BufferedImage img = read(png);
        assertEquals(800, img.getWidth());
        assertEquals(450, img.getHeight());
        // Legend swatches alone are 18x4 = 72 px; the curves add far more.
        assertTrue(count(img, Charts.seriesColor(0)) > 300, "train line drawn");
        assertTrue(count(img, Charts.seriesColor(1)) > 100, "val points drawn");
        assertTrue(nonWhite(img) > 10_000);
        onlyTheFile(dir, "loss.png");
    }

    @Test
    void logScaleSkipsNonPositiveValues(@TempDir Path dir) throws IOException {
        double[] x = {0, 1, 2, 3, 4, 5};
        double[] y = {10, 1, 0.1, 0, -1, 0.001};
        Path png = dir.resolve("log.png");
        Charts.lineChart("lr", "step", "learning rate", Map.of("lr", new double[][] {x, y}),
                Charts.Options.DEFAULT.withLogY(true), png);
        BufferedImage img = read(png);
        assertEquals(960, img.getWidth());
        assertEquals(540, img.getHeight());
        assertTrue(count(img, Charts.seriesColor(0)) > 150);
    }

    @Test
    void emptyAndDegenerateSeriesStillRender(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("empty.png");
        Charts.lineChart("nothing yet", "epoch", "loss", Map.of(), png);
        assertTrue(nonWhite(read(png)) > 500, "axes, title and 'no data'");
        Path one = dir.resolve("one.png");
        Charts.lineChart("one point", "epoch", "loss", Map.of("a", new double[][] {{3}, {0.5}}), one);
        assertTrue(count(read(one), Charts.seriesColor(0)) > 72, "an isolated point is drawn as a dot");
    }

    @Test
    void rejectsMalformedSeries(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> Charts.lineChart("t", "x", "y",
                Map.of("bad", new double[][] {{1, 2}, {1}}), dir.resolve("x.png")));
        assertThrows(IllegalArgumentException.class, () -> Charts.groupedBarChart("t", List.of("a", "b"),
                Map.of("bad", new double[] {1}), "AP", dir.resolve("y.png")));
        assertThrows(IllegalArgumentException.class, () -> Charts.Options.DEFAULT.withSize(10, 10));
    }

    @Test
    void groupedBarChartBeforeAfter(@TempDir Path dir) throws IOException {
        List<String> classes = List.of("tshirt", "trouser", "pullover", "dress", "coat",
                "sandal", "shirt", "sneaker", "bag", "boot");
        Map<String, double[]> values = new LinkedHashMap<>();
        values.put("before", new double[] {0.61, 0.9, 0.42, 0.55, 0.5, 0.7, 0.3, 0.8, 0.85, Double.NaN});
        values.put("after", new double[] {0.72, 0.93, 0.58, 0.6, 0.66, 0.75, 0.41, 0.86, 0.9, 0.77});
        values.put("teacher", new double[] {0.8, 0.95, 0.7, 0.7, 0.7, 0.8, 0.5, 0.9, 0.92, 0.85});
        Path png = dir.resolve("ap.png");
        Charts.groupedBarChart("Per-class AP@0.5", classes, values, "AP", Charts.Options.DEFAULT.withSize(1000, 500), png);
        BufferedImage img = read(png);
        assertEquals(1000, img.getWidth());
        assertEquals(500, img.getHeight());
        for (int s = 0; s < 3; s++) {
            assertTrue(count(img, Charts.seriesColor(s)) > 2000, "bars of series " + s);
        }
        onlyTheFile(dir, "ap.png");
    }

    @Test
    void barChartOutsideUnitRangeAndLongNames(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("ms.png");
        Charts.groupedBarChart("Latency", List.of("a-very-long-category-name", "another-long-one", "x"),
                Map.of("ms", new double[] {12.5, -3, 140}), "milliseconds", png);
        BufferedImage img = read(png);
        assertTrue(count(img, Charts.seriesColor(0)) > 2000);
    }

    @Test
    void aLongLegendWrapsInsteadOfRunningOffTheImage(@TempDir Path dir) throws IOException {
        // seven series with report-length names (the experiment's Table III rows); the last has no bars,
        // so its colour can only come from its legend swatch
        Map<String, double[]> values = new LinkedHashMap<>();
        for (int s = 0; s < 6; s++) {
            values.put("Updated edge-AI model, variant " + s, new double[] {0.2 + 0.1 * s, 0.5});
        }
        values.put("Updated edge-AI model (Training)", new double[] {Double.NaN, Double.NaN});
        BufferedImage img = Charts.renderGroupedBarChart("Per-class AP", List.of("boot", "bag"), values, "AP",
                Charts.Options.DEFAULT);
        assertTrue(count(img, Charts.seriesColor(6)) > 20, "the seventh legend entry is drawn inside the image");
    }
}
