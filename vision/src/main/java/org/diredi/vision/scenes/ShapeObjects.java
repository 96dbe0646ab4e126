package org.diredi.vision.scenes;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Random;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.Seeds;

/**
 * ShapeScenes' objects: a fixed catalogue of procedurally drawn shapes of the ten classes of
 * {@link ClassList#SHAPES}, object {@code i} of class {@code i mod 10}. Each catalogue entry has its
 * own geometry (star points and depth, ring hole, arrow head, key teeth, ...), stretch and filled or
 * outlined style, a pure function of its index, as a Fashion-MNIST crop is fixed; every paste adds
 * a random rotation and texture. The splits draw from disjoint index ranges, so no test object was
 * seen in training.
 *
 * <p>Shapes are flattened to polygons before they are drawn, so their bounds are exact and the
 * antialiased mask (Java2D) fills the frame's fitted rectangle to within a pixel.
 */
final class ShapeObjects implements SceneObjects {

    /** The catalogue the splits draw from (the same size as Fashion-MNIST's t10k, split the same way). */
    static final ShapeObjects CATALOGUE = new ShapeObjects(10_000);
    /** The lowest texture factor on a shape's alpha, so a textured shape stays well above the box threshold. */
    static final float MIN_TEXTURE = 0.45f;
    private static final double FLATNESS = 0.01;
    private static final long SALT = 0x5A4E5L;
    private static final int CLASSES = ClassList.SHAPES.size();

    private final int count;

    private ShapeObjects(int count) {
        this.count = count;
    }

    @Override
    public String name() {
        return "shapes";
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public int label(int index) {
        return index % CLASSES;
    }

    @Override
    public float[] alpha(int index, int w, int h, Random rnd) {
        return mask(index, rnd.nextLong(), w, h);
    }

    /** Object {@code index} with rotation and texture of {@code variant}, as alpha at {@code w x h}. */
    static float[] mask(int index, long variant, int w, int h) {
        float[] alpha = coverage(outline(index, variant, w, h), w, h);
        texture(alpha, w, h, new Random(Seeds.mix(variant, 0x7E47L)));
        return alpha;
    }

    /**
     * Object {@code index} rotated by {@code variant}'s angle and scaled uniformly to the largest size
     * that fits {@code w x h}, centred: its bounds touch two opposite sides of the frame.
     */
    static Shape outline(int index, long variant, int w, int h) {
        Random inst = new Random(Seeds.mix(SALT, index));
        Shape unit = unitShape(index % CLASSES, inst);
        double stretch = 0.8 + 0.45 * inst.nextDouble(); // aspect 0.64 to 1.56
        boolean outlined = inst.nextDouble() < 0.25;
        double strokeWidth = 0.16 + 0.12 * inst.nextDouble();
        double angle = 2 * Math.PI * new Random(variant).nextDouble();
        AffineTransform t = AffineTransform.getRotateInstance(angle);
        t.scale(stretch, 1 / stretch);
        Shape shape = flatten(t.createTransformedShape(unit));
        if (outlined) {
            shape = flatten(new BasicStroke((float) strokeWidth, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND)
                    .createStrokedShape(shape));
        }
        Rectangle2D b = shape.getBounds2D();
        double k = Math.min(w / b.getWidth(), h / b.getHeight());
        AffineTransform fit = AffineTransform.getTranslateInstance(
                (w - k * b.getWidth()) / 2 - k * b.getX(), (h - k * b.getHeight()) / 2 - k * b.getY());
        fit.scale(k, k);
        return flatten(fit.createTransformedShape(shape));
    }

    /** A polygon version of {@code s} (same winding rule), whose bounds are exact. */
    private static Shape flatten(Shape s) {
        var it = s.getPathIterator(null, FLATNESS);
        Path2D.Double p = new Path2D.Double(it.getWindingRule());
        p.append(it, false);
        return p;
    }

    /** The class's shape around the origin, about 2 units across, with this instance's proportions. */
    private static Shape unitShape(int cls, Random r) {
        return switch (cls) {
            case 0 -> star(5 + r.nextInt(4), 0.38 + 0.22 * r.nextDouble(), r.nextDouble());
            case 1 -> ring(0.45 + 0.3 * r.nextDouble(), 0.08 * (r.nextDouble() - 0.5));
            case 2 -> polygon(-1, 0.8 + 0.2 * r.nextDouble(), 1, 0.8 + 0.2 * r.nextDouble(),
                    -0.6 + 1.2 * r.nextDouble(), -1);
            case 3 -> cross(0.28 + 0.22 * r.nextDouble(), -0.35 * r.nextDouble(), 0.8 + 0.2 * r.nextDouble());
            case 4 -> arrow(0.18 + 0.2 * r.nextDouble(), 0.5 + 0.35 * r.nextDouble(), 0.55 + 0.4 * r.nextDouble());
            case 5 -> crescent(0.75 + 0.2 * r.nextDouble(), r.nextDouble());
            case 6 -> heart(0.2 * (r.nextDouble() - 0.5), 0.75 + 0.3 * r.nextDouble());
            case 7 -> hexagon(r);
            case 8 -> bolt(r);
            default -> key(0.18 + 0.08 * r.nextDouble(), 0.14 + 0.08 * r.nextDouble(), 1 + r.nextInt(3), r);
        };
    }

    private static Shape star(int points, double inner, double twist) {
        double[] xy = new double[4 * points];
        for (int k = 0; k < 2 * points; k++) {
            double radius = k % 2 == 0 ? 1 : inner;
            double a = Math.PI * (k + 0.3 * twist * (k % 2)) / points - Math.PI / 2;
            xy[2 * k] = radius * StrictMath.cos(a);
            xy[2 * k + 1] = radius * StrictMath.sin(a);
        }
        return polygon(xy);
    }

    private static Shape ring(double hole, double offset) {
        Area a = new Area(new Ellipse2D.Double(-1, -1, 2, 2));
        a.subtract(new Area(new Ellipse2D.Double(offset - hole, -offset - hole, 2 * hole, 2 * hole)));
        return a;
    }

    private static Shape cross(double thickness, double barOffset, double armLength) {
        Area a = new Area(new Rectangle2D.Double(-armLength, barOffset - thickness / 2, 2 * armLength, thickness));
        a.add(new Area(new Rectangle2D.Double(-thickness / 2, -1, thickness, 2)));
        return a;
    }

    private static Shape arrow(double shaft, double headLength, double headHalfWidth) {
        double neck = 1 - headLength;
        return polygon(-1, -shaft / 2, neck, -shaft / 2, neck, -headHalfWidth, 1, 0,
                neck, headHalfWidth, neck, shaft / 2, -1, shaft / 2);
    }

    /** A disc minus a disc that always pokes out of it, so the shape opens (never a ring). */
    private static Shape crescent(double bite, double u) {
        double offset = Math.max(0.3 + 0.3 * u, 1.1 - bite);
        Area a = new Area(new Ellipse2D.Double(-1, -1, 2, 2));
        a.subtract(new Area(new Ellipse2D.Double(offset - bite, -bite, 2 * bite, 2 * bite)));
        return a;
    }

    private static Shape heart(double cleft, double tip) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(0, tip);
        p.curveTo(-0.2, tip - 0.3, -1, 0.25, -1, -0.25);
        p.curveTo(-1, -0.75, -0.35, -0.95, 0, -0.55 + cleft);
        p.curveTo(0.35, -0.95, 1, -0.75, 1, -0.25);
        p.curveTo(1, 0.25, 0.2, tip - 0.3, 0, tip);
        p.closePath();
        return p;
    }

    private static Shape hexagon(Random r) {
        double[] xy = new double[12];
        for (int k = 0; k < 6; k++) {
            double radius = 1 + 0.12 * (r.nextDouble() - 0.5);
            double a = Math.PI * k / 3;
            xy[2 * k] = radius * StrictMath.cos(a);
            xy[2 * k + 1] = radius * StrictMath.sin(a);
        }
        return polygon(xy);
    }

    private static Shape bolt(Random r) {
        double[] xy = {-0.1, -1, 0.45, -1, 0.1, -0.15, 0.5, -0.15, -0.35, 1, -0.05, 0.15, -0.45, 0.15};
        for (int i = 0; i < xy.length; i++) {
            xy[i] += 0.12 * (r.nextDouble() - 0.5);
        }
        return polygon(xy);
    }

    /** A round bow with a hole, a shaft and one to three teeth. */
    private static Shape key(double hole, double shaft, int teeth, Random r) {
        Area a = new Area(new Ellipse2D.Double(-1, -0.42, 0.84, 0.84));
        a.add(new Area(new Rectangle2D.Double(-0.3, -shaft / 2, 1.3, shaft)));
        for (int k = 0; k < teeth; k++) {
            double depth = 0.15 + 0.2 * r.nextDouble();
            a.add(new Area(new Rectangle2D.Double(0.85 - 0.22 * k, 0, 0.12, shaft / 2 + depth)));
        }
        a.subtract(new Area(new Ellipse2D.Double(-0.58 - hole, -hole, 2 * hole, 2 * hole)));
        return a;
    }

    private static Shape polygon(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }

    /** Antialiased coverage of {@code s} per pixel, in [0, 1]. */
    static float[] coverage(Shape s, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.WHITE);
        g.fill(s);
        g.dispose();
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        float[] out = new float[w * h];
        for (int i = 0; i < out.length; i++) {
            out[i] = (px[i] >>> 24) / 255f;
        }
        return out;
    }

    /** Multiplies alpha by a texture in [MIN_TEXTURE, 1]: none, stripes, checks, dots or grain. */
    private static void texture(float[] alpha, int w, int h, Random r) {
        int kind = r.nextInt(5);
        float lo = MIN_TEXTURE + (1 - MIN_TEXTURE) * 0.6f * r.nextFloat();
        double period = 3 + 5 * r.nextDouble();
        double a = Math.PI * r.nextDouble();
        double cos = StrictMath.cos(a);
        double sin = StrictMath.sin(a);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double u = (x * cos + y * sin) / period;
                double v = (-x * sin + y * cos) / period;
                float t = switch (kind) {
                    case 0 -> 1f;
                    case 1 -> (float) (0.5 + 0.5 * StrictMath.cos(2 * Math.PI * u));
                    case 2 -> (((int) Math.floor(u) + (int) Math.floor(v)) & 1) == 0 ? 1f : 0f;
                    case 3 -> (float) (sq(u - Math.rint(u)) + sq(v - Math.rint(v)) < 0.09 ? 0 : 1);
                    default -> r.nextFloat();
                };
                alpha[y * w + x] *= lo + (1 - lo) * t;
            }
        }
    }

    private static double sq(double v) {
        return v * v;
    }
}
