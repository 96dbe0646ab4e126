package org.diredi.cli;

import static org.diredi.cli.UserMistakesTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diredi.core.TestData;
import org.diredi.core.model.Presets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data convert}, and {@code --data} taking VOC, COCO and YOLO alike. */
class DataFormatsCommandTest {

    @TempDir
    static Path tmp;

    static Path voc;
    static Path coco;
    static Path yolo;
    static Path edgeCk;

    @BeforeAll
    static void setUp() {
        voc = tmp.resolve("scenes");
        TestData.scenes(voc, 4);
        edgeCk = tmp.resolve("tiny-edge.ckpt");
        UserMistakesTest.writeRandom(edgeCk, Presets.get("tiny/edge"));
        coco = tmp.resolve("coco");
        yolo = tmp.resolve("yolo");
        BadInputTest.Outcome c = run("data", "convert", "--from", "voc", "--to", "coco", "--in", voc.toString(), "--out",
                coco.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("converted voc -> coco"), c.out());
        BadInputTest.Outcome y = run("data", "convert", "--to", "yolo", "--in", coco.toString(), "--out", yolo.toString());
        assertEquals(0, y.code(), y.err());
    }

    static BadInputTest.Outcome run(String... args) {
        return BadInputTest.run(args);
    }

    @Test
    void evalReadsEveryFormatAndReportsCocoApBesideVoc() {
        String[] maps = new String[3];
        Path[] data = {voc, coco, yolo};
        for (int i = 0; i < 3; i++) {
            BadInputTest.Outcome o = run("eval", "--checkpoint", edgeCk.toString(), "--data", data[i].toString(),
                    "--split", "test", "--class-list", "fashion", "--out", tmp.resolve("eval" + i).toString());
            assertEquals(0, o.code(), o.err());
            assertTrue(o.out().contains("AP@[.5:.95]") && o.out().contains("**COCO AP@[.5:.95] = "), o.out());
            Matcher m = Pattern.compile("\\*\\*mAP@0\\.5 = ([^*]+)\\*\\*").matcher(o.out());
            assertTrue(m.find(), o.out());
            maps[i] = m.group(1);
        }
        assertEquals(maps[0], maps[1]);
        assertEquals(maps[0], maps[2]);
        assertTrue(Files.isRegularFile(tmp.resolve("eval0/eval.json")));
    }

    @Test
    void trainReadsYolo() {
        BadInputTest.Outcome o = run("train", "--data", yolo.toString(), "--preset", "tiny/edge", "--epochs", "1",
                "--split", "train", "--val-split", "val", "--out", tmp.resolve("train-yolo").toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.isRegularFile(tmp.resolve("train-yolo/model.ckpt")));
    }

    @Test
    void convertMistakesAreOneLine() throws IOException {
        Path taken = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(taken.resolve("keep.txt"), "keep");
        assertOneLine(run("data", "convert", "--to", "coco", "--in", voc.toString(), "--out", taken.toString()),
                "taken", "not empty");
        assertOneLine(run("data", "convert", "--to", "pascal", "--in", voc.toString(), "--out", tmp.resolve("x").toString()),
                "unknown dataset format 'pascal'");
        assertOneLine(run("data", "convert", "--from", "yolo", "--to", "coco", "--in", voc.toString(), "--out",
                tmp.resolve("x").toString()), "holds a voc dataset, not yolo");
        assertOneLine(run("eval", "--checkpoint", edgeCk.toString(), "--data", coco.toString(), "--split", "nope"),
                "no COCO split 'nope'", "its splits: test, train, val");
        assertEquals("keep", Files.readString(taken.resolve("keep.txt")));
    }
}
