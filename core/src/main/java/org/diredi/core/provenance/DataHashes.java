package org.diredi.core.provenance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;

/** The SHA-256 of the lists a model learnt from: the split it trained on and its class list (never images). */
public final class DataHashes {

    private DataHashes() {}

    /** The split and the class list of {@code data}, the labels over {@code classes}. */
    public static List<Provenance.DataHash> of(VocDataset data, ClassList classes) {
        return List.of(split(data), classes(classes));
    }

    /**
     * The split's file ({@code ImageSets/Main/<split>.txt}) when the images are exactly the ones it lists;
     * otherwise (a subset, a union built in memory, COCO or YOLO) the image ids one per line, as such a
     * file would hold them.
     */
    public static Provenance.DataHash split(VocDataset data) {
        List<String> ids = data.images().stream().map(VocImage::id).toList();
        String what = data.split() + " split";
        Path file = VocDataset.splitFile(data.root(), data.split());
        if (Files.isRegularFile(file)) {
            try {
                if (VocDataset.readSplit(file).equals(ids)) {
                    return new Provenance.DataHash(what, "ImageSets/Main/" + data.split() + ".txt", ids.size(),
                            TensorFile.sha256(Files.readAllBytes(file)));
                }
            } catch (IOException | RuntimeException e) {
                // unreadable now: hash the ids the model saw instead
            }
        }
        return new Provenance.DataHash(what, "image ids, one per line", ids.size(), lines(ids));
    }

    /** The class names one per line, the bytes {@link ClassList#write} writes. */
    public static Provenance.DataHash classes(ClassList classes) {
        return new Provenance.DataHash("class list", "class names, one per line", classes.size(),
                lines(classes.names()));
    }

    private static String lines(List<String> lines) {
        return TensorFile.sha256((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
