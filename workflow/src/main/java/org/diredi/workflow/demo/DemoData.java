package org.diredi.workflow.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocWriter;
import org.diredi.vision.scenes.FashionScenes;

/**
 * The bundled scenes, split the way the demo's parties hold them: of the first {@code images} training
 * scenes the manufacturer owns 70% and the customer 30% (disjoint).
 *
 * @param scenes           the whole FashionScenes benchmark (its test split scores the models)
 * @param presumedData     the manufacturer's scenes without the added class: what it trains on
 * @param presumedShare    part of the presumed data, handed to the customer with the tutor (RD B's data and
 *                         the presumed half of RD A's); never the customer's images
 * @param customerData     the customer's private scenes, where the added class is labelled
 * @param manufacturerData the cloud's own data: the manufacturer's training scenes and the validation split
 */
record DemoData(Path scenes, ClassList classes, VocDataset presumedData, Path presumedShare, Path customerData,
                Path manufacturerData) {

    static DemoData prepare(DemoSettings s) throws IOException {
        Path data = s.out().resolve("fashion-scenes");
        FashionScenes.ensure(data);
        ClassList classes = ClassList.read(data.resolve("classes.txt"));
        classes.ids(s.presumed());
        classes.ids(List.of(s.added()));
        VocDataset all = VocDataset.load(data, "train", classes);
        if (s.images() < 10 || s.images() > all.size()) {
            throw new IllegalArgumentException("--images must be between 10 and " + all.size() + ", got " + s.images());
        }
        List<VocImage> train = all.images().subList(0, s.images());
        int cut = (int) Math.round(s.images() * 0.7);
        VocDataset manufacturer = VocDataset.of(data, "train", classes, train.subList(0, cut));
        List<VocImage> customerImages = train.subList(cut, s.images());
        Path customerData = s.out().resolve("customer-data");
        writeSplit(customerData, data, "train", customerImages, classes);
        // presumed data lacks the new class: images showing it are not part of it
        VocDataset presumedData = manufacturer.withoutImagesOf(List.of(s.added())).restrictTo(s.presumed());
        Path presumedShare = s.out().resolve("presumed-data");
        writeSplit(presumedShare, data, "train", presumedData.images().subList(0,
                Math.min(customerImages.size(), presumedData.size())), classes);
        Path manufacturerData = s.out().resolve("manufacturer-data");
        writeSplit(manufacturerData, data, "train", manufacturer.images(), classes);
        writeSplit(manufacturerData, data, "val", VocDataset.load(data, "val", classes).images(), classes);
        return new DemoData(data, classes, presumedData, presumedShare, customerData, manufacturerData);
    }

    /** A VOC folder holding only {@code images}, copied from {@code source} (kept when already there). */
    private static void writeSplit(Path root, Path source, String split, List<VocImage> images, ClassList classes)
            throws IOException {
        VocWriter voc = new VocWriter(root, classes);
        Files.createDirectories(root.resolve("ImageSets/Main"));
        Files.createDirectories(root.resolve("Annotations"));
        Files.createDirectories(root.resolve("JPEGImages"));
        List<String> ids = new ArrayList<>();
        for (VocImage i : images) {
            ids.add(i.id());
            Path ann = voc.annotationPath(i.id());
            Path img = root.resolve("JPEGImages").resolve(i.imagePath().getFileName());
            if (!Files.exists(ann)) {
                Files.copy(source.resolve("Annotations/" + i.id() + ".xml"), ann);
            }
            if (!Files.exists(img)) {
                Files.copy(i.imagePath(), img);
            }
        }
        voc.writeSplit(split, ids);
        classes.write(root.resolve("classes.txt"));
    }
}
