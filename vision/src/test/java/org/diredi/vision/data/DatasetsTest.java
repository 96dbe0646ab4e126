package org.diredi.vision.data;

import static org.diredi.vision.data.VocDatasetTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.vision.box.Box;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Picking the format by what a folder holds, and VOC exports without ImageSets/. */
class DatasetsTest {

    @TempDir
    Path root;

    /** A labelme-style VOC export: Annotations/ and JPEGImages/, no ImageSets/, names with spaces and slashes. */
    private Path labelmeExport() throws IOException {
        Path voc = root.resolve("export");
        Files.createDirectories(voc.resolve("Annotations"));
        TestImages.write(voc.resolve("JPEGImages/img2.jpg"), 48, 32);
        TestImages.write(voc.resolve("JPEGImages/img1.jpg"), 20, 60);
        Files.writeString(voc.resolve("Annotations/img2.xml"), """
                <annotation><filename>img2.jpg</filename><size><width>48</width><height>32</height></size>
                  <object><name>potted plant</name><difficult>1</difficult>
                    <bndbox><xmin>1</xmin><ymin>2</ymin><xmax>10</xmax><ymax>20</ymax></bndbox></object>
                </annotation>""");
        Files.writeString(voc.resolve("Annotations/img1.xml"), """
                <annotation><size><width>20</width><height>60</height></size>
                  <object><name>tv/monitor</name>
                    <bndbox><xmin>3</xmin><ymin>4</ymin><xmax>20</xmax><ymax>60</ymax></bndbox></object>
                </annotation>""");
        return voc;
    }

    @Test
    void vocWithoutImageSetsIsTheSplitAll() throws IOException {
        Path voc = labelmeExport();
        assertEquals(DatasetFormat.VOC, Datasets.detect(voc));
        assertEquals(List.of("all"), Datasets.splits(voc));
        assertTrue(Datasets.hasSplit(voc, "all"));
        assertFalse(Datasets.hasSplit(voc, "train"));
        VocDataset ds = Datasets.load(voc, "all", ClassList.VOC);
        assertEquals(List.of("img1", "img2"), ds.images().stream().map(VocImage::id).toList()); // name order
        VocObject tv = ds.images().get(0).objects().get(0);
        assertEquals(new VocObject(ClassList.VOC.indexOf("tvmonitor"), new Box(2, 3, 20, 60), false, false), tv);
        VocObject plant = ds.images().get(1).objects().get(0);
        assertEquals(ClassList.VOC.indexOf("pottedplant"), plant.classId());
        assertTrue(plant.difficult());
        assertMessage(assertThrows(DataException.class, () -> Datasets.load(voc, "train", ClassList.VOC)),
                "export", "no split 'train'", "'all'");
    }

    @Test
    void vocWithImageSetsListsItsSplitFilesNotThePerClassOnes() throws IOException {
        Path voc = labelmeExport();
        Files.createDirectories(voc.resolve("ImageSets/Main"));
        Files.writeString(voc.resolve("ImageSets/Main/train.txt"), "img1\n");
        Files.writeString(voc.resolve("ImageSets/Main/tvmonitor_train.txt"), "img1  1\n");
        assertEquals(List.of("train"), Datasets.splits(voc));
        assertEquals(1, Datasets.load(voc, "train", ClassList.VOC).size());
        assertEquals(2, Datasets.load(voc, "all", ClassList.VOC).size()); // every annotation still answers to 'all'
        assertTrue(Datasets.hasSplit(voc, "all"));
    }

    @Test
    void aFolderOrFileThatIsNoDatasetIsNamed() throws IOException {
        Path empty = Files.createDirectories(root.resolve("nothing"));
        assertMessage(assertThrows(DataException.class, () -> Datasets.detect(empty)), "nothing",
                "expected Pascal VOC (Annotations/*.xml), COCO (annotations/*.json) or YOLO (data.yaml)");
        Path run = Files.createDirectories(root.resolve("run"));
        Files.writeString(run.resolve("eval.json"), "{}");
        assertMessage(assertThrows(DataException.class, () -> Datasets.detect(run)), "run", "no dataset here");
        Path txt = Files.writeString(root.resolve("notes.txt"), "hello");
        assertMessage(assertThrows(DataException.class, () -> Datasets.detect(txt)), "notes.txt", "not a dataset");
        assertMessage(assertThrows(DataException.class, () -> Datasets.detect(root.resolve("missing"))), "missing",
                "not found");
    }
}
