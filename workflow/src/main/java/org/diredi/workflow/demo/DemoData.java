package org.diredi.workflow.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diredi.cloud.update.AddedClassKnowledge;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocWriter;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.scenes.FashionScenes;

/**
 * The bundled scenes, split the way the demo's parties hold them: of the first {@code images} training
 * scenes the manufacturer owns 70% and the customer 30% (disjoint); the customer's validation split comes
 * from the training scenes after those. Unless the settings' addedClassKnowledge is {@code labels}, the
 * manufacturer's folder holds no label of the added class (its files as the cloud's loader would leave them).
 *
 * @param scenes           the whole FashionScenes benchmark (its test split scores the models)
 * @param presumedData     the manufacturer's scenes without the added class: what it trains on
 * @param presumedShare    part of the presumed data, handed to the customer with the tutor (RD B's data and
 *                         the presumed half of RD A's); never the customer's images
 * @param customerData     the customer's private scenes, where the added class is labelled: {@code train} and
 *                         {@code val} (onprem.yaml's privateValidationSplit, measured for the signed figures)
 * @param manufacturerData the cloud's own data: the manufacturer's training scenes and the validation split
 */
record DemoData(Path scenes, ClassList classes, VocDataset presumedData, Path presumedShare, Path customerData,
                Path manufacturerData) {

    /** The customer's validation split: a quarter of its training images, at least this many. */
    static final int MIN_CUSTOMER_VAL = 40;

    static DemoData prepare(DemoSettings s) throws IOException {
        Path data = s.out().resolve("fashion-scenes");
        FashionScenes.ensure(data);
        ClassList classes = ClassList.read(data.resolve("classes.txt"));
        classes.ids(s.presumed());
        classes.ids(List.of(s.added()));
        VocDataset all = VocDataset.load(data, "train", classes);
        if (s.images() < 10 || s.images() > all.size() - MIN_CUSTOMER_VAL) {
            throw new IllegalArgumentException("--images must be between 10 and " + (all.size() - MIN_CUSTOMER_VAL)
                    + " (the customer's validation split takes scenes after them), got " + s.images());
        }
        List<VocImage> train = all.images().subList(0, s.images());
        int cut = (int) Math.round(s.images() * 0.7);
        VocDataset manufacturer = VocDataset.of(data, "train", classes, train.subList(0, cut));
        List<VocImage> customerImages = train.subList(cut, s.images());
        Path customerData = s.out().resolve("customer-data");
        writeSplit(customerData, "train", customerImages, classes);
        int val = Math.min(all.size() - s.images(), Math.max(MIN_CUSTOMER_VAL, customerImages.size() / 4));
        writeSplit(customerData, "val", all.images().subList(s.images(), s.images() + val), classes);
        // presumed data lacks the new class: images showing it are not part of it
        VocDataset presumedData = manufacturer.withoutImagesOf(List.of(s.added())).restrictTo(s.presumed());
        Path presumedShare = s.out().resolve("presumed-data");
        writeSplit(presumedShare, "train", presumedData.images().subList(0,
                Math.min(customerImages.size(), presumedData.size())), classes);
        Path manufacturerData = s.out().resolve("manufacturer-data");
        List<String> added = List.of(s.added());
        AddedClassKnowledge knows = s.addedClassKnowledge();
        writeSplit(manufacturerData, "train", knows.apply(manufacturer, added).images(), classes);
        writeSplit(manufacturerData, "val", knows.apply(VocDataset.load(data, "val", classes), added).images(),
                classes);
        return new DemoData(data, classes, presumedData, presumedShare, customerData, manufacturerData);
    }

    /**
     * A VOC folder holding only {@code images}: each image copied (kept when already there), its annotation
     * written from the objects {@code images} hold (so a label left out there is absent from the file too).
     */
    private static void writeSplit(Path root, String split, List<VocImage> images, ClassList classes)
            throws IOException {
        VocWriter voc = new VocWriter(root, classes);
        Files.createDirectories(root.resolve("ImageSets/Main"));
        Files.createDirectories(root.resolve("Annotations"));
        Files.createDirectories(root.resolve("JPEGImages"));
        List<String> ids = new ArrayList<>();
        for (VocImage i : images) {
            ids.add(i.id());
            Path img = root.resolve("JPEGImages").resolve(i.imagePath().getFileName());
            AtomicFiles.writeString(voc.annotationPath(i.id()), voc.annotationXml(img.getFileName().toString(),
                    i.width(), i.height(), i.objects()));
            if (!Files.exists(img)) {
                Files.copy(i.imagePath(), img);
            }
        }
        voc.writeSplit(split, ids);
        classes.write(root.resolve("classes.txt"));
    }
}
