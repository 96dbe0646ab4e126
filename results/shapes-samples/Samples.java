import java.awt.image.BufferedImage;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.nio.file.*;
import java.util.*;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.*;
import org.diredi.vision.report.DetectionPainter;

public class Samples {
    public static void main(String[] a) throws Exception {
        Path data = Path.of(a[0]);
        Path out = Path.of(a[1]);
        int scale = Integer.parseInt(a[2]);
        ClassList classes = ClassList.read(data.resolve("classes.txt"));
        VocDataset ds = VocDataset.load(data, a[3], classes);
        Files.createDirectories(out);
        for (int k = 4; k < a.length; k++) {
            VocImage img = ds.images().get(Integer.parseInt(a[k]));
            BufferedImage src = javax.imageio.ImageIO.read(data.resolve("JPEGImages").resolve(img.id() + ".jpg").toFile());
            int w = src.getWidth() * scale, h = src.getHeight() * scale;
            BufferedImage big = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = big.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(src, 0, 0, w, h, null);
            g.dispose();
            List<org.diredi.vision.box.Detection> dets = new ArrayList<>();
            for (VocObject o : img.objects()) {
                Box b = o.box();
                dets.add(new org.diredi.vision.box.Detection(o.classId(), 1f, new Box(b.x1() * scale, b.y1() * scale, b.x2() * scale, b.y2() * scale)));
            }
            DetectionPainter.writePng(DetectionPainter.draw(big, dets, classes, null), out.resolve(img.id() + ".png"));
        }
    }
}
