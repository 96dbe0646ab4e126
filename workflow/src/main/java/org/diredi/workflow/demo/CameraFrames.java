package org.diredi.workflow.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;

/**
 * What the cameras watch: customer scenes that contain the class they do not know yet (test scenes,
 * never trained on), in a folder they loop over, with each frame file's ground truth.
 */
record CameraFrames(Path dir, Map<String, VocImage> truth) {

    /** Up to 40 test scenes showing {@code added}, copied to {@code dir}. */
    static CameraFrames copy(DemoData d, String added, Path dir) throws IOException {
        int id = d.classes().indexOf(added);
        List<VocImage> withNew = VocDataset.load(d.scenes(), "test", d.classes()).images().stream()
                .filter(i -> i.objects().stream().anyMatch(o -> o.classId() == id)).toList();
        Files.createDirectories(dir);
        Map<String, VocImage> truth = new LinkedHashMap<>();
        for (VocImage i : withNew.subList(0, Math.min(40, withNew.size()))) {
            truth.put(i.imagePath().getFileName().toString(), i);
            Files.copy(i.imagePath(), dir.resolve(i.imagePath().getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return new CameraFrames(dir, truth);
    }
}
