package org.diredi.edge.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.edge.model.HealthCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.videoio.VideoWriter;

class FrameSourcesTest {

    @TempDir
    Path dir;

    @Test
    void aFolderSourceSkipsUnreadableFilesAndLoops() throws Exception {
        BufferedImage img = HealthCheck.sampleFrame().image();
        javax.imageio.ImageIO.write(img, "png", dir.resolve("a.png").toFile());
        Files.writeString(dir.resolve("b.jpg"), "not a jpeg");
        javax.imageio.ImageIO.write(img, "png", dir.resolve("c.png").toFile());
        try (FolderSource once = new FolderSource(dir, false)) {
            assertEquals("a.png", once.next().name());
            assertEquals("c.png", once.next().name(), "the corrupt b.jpg is skipped");
            assertNull(once.next());
        }
        try (FolderSource loop = new FolderSource(dir, true)) {
            for (int i = 0; i < 5; i++) {
                assertNotNull(loop.next());
            }
        }
        var missing = assertThrows(IllegalArgumentException.class, () -> new FolderSource(dir.resolve("nope"), false));
        assertTrue(missing.getMessage().contains("nope") && missing.getMessage().contains("no such"), missing.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        var empty = assertThrows(IllegalArgumentException.class, () -> new FolderSource(dir.resolve("empty"), false));
        assertTrue(empty.getMessage().contains("no .jpg"), empty.getMessage());
    }

    @Test
    void aVideoFileIsReadFrameByFrameThroughOpenCv() {
        OpenCvSource.loadNative();
        Frame sample = HealthCheck.sampleFrame();
        Path video = dir.resolve("clip.avi");
        // OpenCV's built-in MJPEG writer/reader: no FFmpeg needed, so this works on any build.
        VideoWriter w = new VideoWriter(video.toString(), VideoWriter.fourcc('M', 'J', 'P', 'G'), 10,
                new Size(sample.width(), sample.height()));
        assertTrue(w.isOpened());
        Mat m = new Mat(sample.height(), sample.width(), org.opencv.core.CvType.CV_8UC3);
        m.put(0, 0, sample.bgr());
        for (int i = 0; i < 12; i++) {
            w.write(m);
        }
        w.release();
        int n = 0;
        double meanAbs = 0;
        try (OpenCvSource src = OpenCvSource.video(video.toString())) {
            for (Frame f = src.next(); f != null; f = src.next()) {
                assertEquals(sample.width(), f.width());
                assertEquals(sample.height(), f.height());
                for (int i = 0; i < f.bgr().length; i++) {
                    meanAbs += Math.abs((f.bgr()[i] & 0xFF) - (sample.bgr()[i] & 0xFF));
                }
                n++;
            }
        }
        assertEquals(12, n);
        meanAbs /= 12.0 * sample.bgr().length;
        assertTrue(meanAbs < 6, "MJPEG round trip stays close to the frame: mean |diff| " + meanAbs);
        var e = assertThrows(IllegalArgumentException.class, () -> OpenCvSource.video(dir.resolve("none.avi").toString()));
        assertTrue(e.getMessage().contains("none.avi"), e.getMessage());
    }
}
