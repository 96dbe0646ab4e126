package org.diredi.workflow.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.diredi.cloud.update.AddedClassKnowledge;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.data.VocWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each party's share of the scenes: in the unlabelled setting the manufacturer's folder (what the cloud reads)
 * holds no label of the added class, in its files as in what loads from them, while the customer's train and
 * val splits (disjoint from each other and from the manufacturer's) label it.
 */
class DemoDataTest {

    static final ClassList C = ClassList.FASHION;
    static final int BOOT = C.indexOf("boot");

    @TempDir
    static Path dir;
    static Path scenes;

    /** 80 train and 10 val scenes, scene k showing class k % 10 and a bag, in place of FashionScenes. */
    @BeforeAll
    static void scenes() {
        scenes = dir.resolve("scenes");
        VocWriter voc = new VocWriter(scenes, C);
        for (String split : List.of("train", "val")) {
            List<String> ids = new ArrayList<>();
            for (int k = 0; k < (split.equals("train") ? 80 : 10); k++) {
                String id = split + k;
                voc.write(id, new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), List.of(
                        new VocObject(k % 10, new Box(1, 1, 15, 15), false, false),
                        new VocObject(C.indexOf("bag"), new Box(16, 16, 30, 30), false, false)));
                ids.add(id);
            }
            voc.writeSplit(split, ids);
        }
        C.write(scenes.resolve("classes.txt"));
    }

    private static DemoData prepare(String name, AddedClassKnowledge knows) throws Exception {
        Path out = dir.resolve(name);
        Files.createDirectories(out);
        try (var files = Files.walk(scenes)) { // FashionScenes.ensure keeps a folder that holds a dataset
            for (Path f : files.toList()) {
                Path to = out.resolve("fashion-scenes").resolve(scenes.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        return DemoData.prepare(DemoSettings.builder().out(out).images(20).addedClassKnowledge(knows).build());
    }

    @Test
    void theUnlabelledManufacturerHoldsNoBootWhileTheCustomersTrainAndValDo() throws Exception {
        assertEquals(AddedClassKnowledge.UNLABELLED, DemoSettings.DEFAULTS.addedClassKnowledge(), "the default");
        DemoData d = prepare("unlabelled", AddedClassKnowledge.UNLABELLED);
        VocDataset mTrain = VocDataset.load(d.manufacturerData(), "train", C);
        VocDataset mVal = VocDataset.load(d.manufacturerData(), "val", C);
        assertEquals(14, mTrain.size(), "70% of the 20 scenes; those showing a boot are kept, unlabelled");
        assertEquals(10, mVal.size());
        for (VocDataset m : List.of(mTrain, mVal)) {
            assertEquals(0, bootObjects(m), m.split());
            assertTrue(m.objectCount() > m.size(), "the other labels stay: " + m.split());
            for (VocImage i : m.images()) {
                String xml = Files.readString(d.manufacturerData().resolve("Annotations/" + i.id() + ".xml"));
                assertFalse(xml.contains("<name>boot</name>"), "no boot in the file " + i.id());
            }
        }
        VocDataset cTrain = VocDataset.load(d.customerData(), "train", C);
        VocDataset cVal = VocDataset.load(d.customerData(), "val", C);
        assertEquals(6, cTrain.size());
        assertEquals(DemoData.MIN_CUSTOMER_VAL, cVal.size(), "a quarter of 6 is less than the minimum");
        assertTrue(bootObjects(cTrain) > 0 && bootObjects(cVal) > 0, "the customer labels boot in train and val");
        Set<String> seen = new HashSet<>();
        for (VocDataset part : List.of(mTrain, cTrain, cVal)) {
            part.images().forEach(i -> assertTrue(seen.add(i.id()), "disjoint: " + i.id()));
        }
    }

    @Test
    void withLabelsTheManufacturerKeepsThemAndAbsentDropsTheImagesShowingIt() throws Exception {
        // of the manufacturer's 14 scenes (0-13) only scene 9 shows a boot
        VocDataset labelled = VocDataset.load(prepare("labels", AddedClassKnowledge.LABELS).manufacturerData(),
                "train", C);
        assertEquals(14, labelled.size());
        assertEquals(1, bootObjects(labelled));
        VocDataset absent = VocDataset.load(prepare("absent", AddedClassKnowledge.ABSENT).manufacturerData(),
                "train", C);
        assertEquals(13, absent.size());
        assertFalse(absent.images().stream().anyMatch(i -> i.id().equals("train9")));
    }

    private static long bootObjects(VocDataset d) {
        return d.images().stream().flatMap(i -> i.objects().stream()).filter(o -> o.classId() == BOOT).count();
    }
}
