package org.diredi.vision.box;

/**
 * An axis-aligned box in pixel coordinates, corners (x1, y1) top-left and (x2, y2) bottom-right.
 * Continuous coordinates (VOC's 1-based integer corners are converted by the reader), so
 * width = x2 - x1.
 */
public record Box(float x1, float y1, float x2, float y2) {

    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    public float area() {
        return Math.max(0f, x2 - x1) * Math.max(0f, y2 - y1);
    }

    /** Intersection over union; 0 when either box is empty. */
    public float iou(Box o) {
        float iw = Math.min(x2, o.x2) - Math.max(x1, o.x1);
        float ih = Math.min(y2, o.y2) - Math.max(y1, o.y1);
        if (iw <= 0 || ih <= 0) {
            return 0f;
        }
        float inter = iw * ih;
        float union = area() + o.area() - inter;
        return union <= 0 ? 0f : inter / union;
    }

    public Box scale(float sx, float sy) {
        return new Box(x1 * sx, y1 * sy, x2 * sx, y2 * sy);
    }

    public Box clip(float w, float h) {
        return new Box(clamp(x1, w), clamp(y1, h), clamp(x2, w), clamp(y2, h));
    }

    private static float clamp(float v, float hi) {
        return Math.max(0f, Math.min(hi, v));
    }
}
