package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.diredi.core.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input gives one clear line naming the file and the problem, and exit code 2. */
class BadInputTest {

    @TempDir
    static Path tmp;

    static Path data;

    @BeforeAll
    static void scenes() {
        data = tmp.resolve("scenes");
        TestData.scenes(data, 4);
    }

    record Outcome(int code, String err, String out) {}

    static Outcome run(String... args) {
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int code = Diredi.run(args);
            return new Outcome(code, err.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }

    /** A copy of the scenes with one file replaced, so each case breaks one thing. */
    static Path copyWith(String name, String relative, byte[] content) throws IOException {
        Path dst = tmp.resolve(name);
        try (var files = Files.walk(data)) {
            for (Path p : files.toList()) {
                Path q = dst.resolve(data.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
        Files.write(dst.resolve(relative), content);
        return dst;
    }

    static String firstTrainId() throws IOException {
        return Files.readAllLines(data.resolve("ImageSets/Main/train.txt")).get(0).strip();
    }

    private static void assertUserError(Outcome o, String... fragments) {
        assertEquals(2, o.code(), "exit code; stderr: " + o.err());
        assertTrue(o.err().startsWith("error: "), o.err());
        for (String f : fragments) {
            assertTrue(o.err().contains(f), "'" + f + "' missing from: " + o.err());
        }
    }

    @Test
    void sceneDomainsAreChosenByNameAndAMistakeIsOneLine() throws IOException {
        Path shapes = tmp.resolve("shape-scenes");
        Outcome ok = run("data", "scenes", "--domain", "shapes", "--image-size", "64", "--train", "2", "--val", "1",
                "--test", "1", "--out", shapes.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().startsWith("ShapeScenes in"), ok.out());
        assertEquals(org.diredi.vision.data.ClassList.SHAPES,
                org.diredi.vision.data.ClassList.read(shapes.resolve("classes.txt")));
        assertUserError(run("data", "scenes", "--domain", "cubes", "--out", tmp.resolve("cubes").toString()),
                "'cubes'", "fashion, shapes");
        assertUserError(run("data", "scenes", "--domain", "shapes", "--fashion-mnist-dir", tmp.toString(), "--out",
                tmp.resolve("mixed").toString()), "--fashion-mnist-dir", "fashion");
        assertTrue(Files.notExists(tmp.resolve("cubes")) && Files.notExists(tmp.resolve("mixed")));
    }

    @Test
    void malformedXmlNamesTheFile() throws IOException {
        String id = firstTrainId();
        Path d = copyWith("badxml", "Annotations/" + id + ".xml", "<annotation><size>".getBytes());
        assertUserError(run("train", "--data", d.toString(), "--out", tmp.resolve("r1").toString(), "--epochs", "1"),
                id + ".xml");
    }

    @Test
    void corruptImageNamesTheFile() throws IOException {
        String id = firstTrainId();
        Path d = copyWith("badjpg", "JPEGImages/" + id + ".jpg", "not a jpeg".getBytes());
        assertUserError(run("eval", "--checkpoint", tmp.resolve("none.ckpt").toString(), "--data", d.toString()),
                "none.ckpt", "not found");
        Outcome o = run("train", "--data", d.toString(), "--out", tmp.resolve("r2").toString(), "--epochs", "1",
                "--val-split", "none", "--preset", "edge");
        assertUserError(o, id + ".jpg");
    }

    @Test
    void unknownClassAndEmptySplitAreReported() throws IOException {
        String id = firstTrainId();
        String xml = Files.readString(data.resolve("Annotations/" + id + ".xml"));
        String first = xml.substring(xml.indexOf("<name>") + 6, xml.indexOf("</name>"));
        Path d = copyWith("badclass", "Annotations/" + id + ".xml", xml.replace("<name>" + first, "<name>unicorn")
                .getBytes());
        assertUserError(run("train", "--data", d.toString(), "--out", tmp.resolve("r3").toString()), "unicorn",
                id + ".xml");
        Path e = copyWith("emptysplit", "ImageSets/Main/train.txt", new byte[0]);
        assertUserError(run("train", "--data", e.toString(), "--out", tmp.resolve("r4").toString()), "train.txt");
        assertUserError(run("train", "--data", data.toString(), "--classes", "tshirt,unicorn", "--out",
                tmp.resolve("r5").toString()), "unicorn", "known:");
    }

    @Test
    void boxesOutsideTheImageOrInvertedAreReported() throws IOException {
        String id = firstTrainId();
        String xml = Files.readString(data.resolve("Annotations/" + id + ".xml"));
        String xmax = xml.substring(xml.indexOf("<xmax>") + 6, xml.indexOf("</xmax>"));
        Path d = copyWith("outside", "Annotations/" + id + ".xml",
                xml.replaceFirst("<xmax>" + xmax + "</xmax>", "<xmax>500</xmax>").getBytes());
        assertUserError(run("train", "--data", d.toString(), "--out", tmp.resolve("r6").toString()), id + ".xml");
        Path inv = copyWith("inverted", "Annotations/" + id + ".xml",
                xml.replaceFirst("<xmax>" + xmax + "</xmax>", "<xmax>1</xmax>").getBytes());
        assertUserError(run("train", "--data", inv.toString(), "--out", tmp.resolve("r7").toString()), id + ".xml");
    }

    @Test
    void truncatedOrMismatchedCheckpointsAreRefused() throws IOException {
        Path run = tmp.resolve("tiny-run");
        Outcome ok = run("train", "--data", data.toString(), "--preset", "edge", "--epochs", "1", "--val-split", "none",
                "--out", run.toString());
        assertEquals(0, ok.code(), ok.err());
        Path ckpt = run.resolve("model.ckpt");
        byte[] bytes = Files.readAllBytes(ckpt);
        Path cut = tmp.resolve("cut.ckpt");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
        assertUserError(run("eval", "--checkpoint", cut.toString(), "--data", data.toString()), "cut.ckpt",
                "truncated or corrupt");
        Path classes = tmp.resolve("two-classes.txt");
        Files.writeString(classes, "cat\ndog\n");
        assertUserError(run("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--class-list",
                classes.toString()), "model.ckpt", "classes");
        // the good checkpoint still evaluates, and resuming a finished run without --resume is refused
        assertEquals(0, run("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--split", "test").code());
        assertUserError(run("train", "--data", data.toString(), "--preset", "edge", "--epochs", "1", "--out",
                run.toString()), "--resume");
    }

    @Test
    void badConfigurationFileNamesTheFileAndTheSetting() throws IOException {
        Path cfg = tmp.resolve("train.yaml");
        Files.writeString(cfg, "epochs: 0\n");
        assertUserError(run("train", "--data", data.toString(), "--config", cfg.toString(), "--out",
                tmp.resolve("r8").toString()), "train.yaml", "epochs");
        Files.writeString(cfg, "epochz: 3\n");
        assertUserError(run("train", "--data", data.toString(), "--config", cfg.toString(), "--out",
                tmp.resolve("r9").toString()), "train.yaml", "epochz");
    }

    @Test
    void distillRefusesMissingMismatchedOrUnalignableTeachers() throws IOException {
        assertUserError(run("distill", "--teacher", tmp.resolve("no-teacher.ckpt").toString(), "--student-preset", "edge",
                "--data", data.toString(), "--out", tmp.resolve("d1").toString()), "no-teacher.ckpt", "not found");
        assertUserError(run("distill", "--teacher", tmp.resolve("no-teacher.ckpt").toString(), "--student-preset", "edge",
                "--distillation", "pkd+kd", "--data", data.toString(), "--out", tmp.resolve("d0").toString()),
                "--distillation", "unknown distillation method 'kd'", "known are none, fgd, pkd, logits");
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            var catsDogs = new org.diredi.vision.data.ClassList(java.util.List.of("cat", "dog"));
            var other = new org.diredi.core.model.FcosDetector(TestData.SMALL, catsDogs).init(m);
            Path otherCk = tmp.resolve("cats-dogs.ckpt");
            org.diredi.core.checkpoint.Checkpoint.write(otherCk, manifest(TestData.SMALL, catsDogs),
                    org.diredi.core.checkpoint.ModelWeights.snapshot(other), null);
            assertUserError(run("distill", "--teacher", otherCk.toString(), "--student-preset", "edge", "--data",
                    data.toString(), "--out", tmp.resolve("d2").toString()), "cats-dogs.ckpt", "classes");
            var small = new org.diredi.core.model.FcosDetector(TestData.SMALL, org.diredi.vision.data.ClassList.FASHION)
                    .init(m);
            Path smallCk = tmp.resolve("small-96px.ckpt");
            org.diredi.core.checkpoint.Checkpoint.write(smallCk,
                    manifest(TestData.SMALL, org.diredi.vision.data.ClassList.FASHION),
                    org.diredi.core.checkpoint.ModelWeights.snapshot(small), null);
            // a 96 px teacher cannot be aligned with the 160 px edge preset
            assertUserError(run("distill", "--teacher", smallCk.toString(), "--student-preset", "edge", "--data",
                    data.toString(), "--out", tmp.resolve("d3").toString()), "aligned");
        }
    }

    private static org.diredi.core.checkpoint.Manifest manifest(org.diredi.core.model.ModelConfig mc,
                                                                org.diredi.vision.data.ClassList classes) {
        return new org.diredi.core.checkpoint.Manifest(null, null, null, "tutor", mc, classes.names(), null,
                org.diredi.core.train.TrainConfig.DEFAULTS, null, null,
                new org.diredi.core.checkpoint.Manifest.Progress(1, 1, 1), null, java.util.Map.of(), null);
    }
}
