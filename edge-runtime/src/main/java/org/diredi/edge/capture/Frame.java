package org.diredi.edge.capture;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import org.diredi.vision.image.Images;

/**
 * One camera frame as OpenCV delivers it: interleaved 8-bit B, G, R. That is also the byte layout of
 * {@link BufferedImage#TYPE_3BYTE_BGR}, so drawing on a frame needs no pixel conversion.
 *
 * @param index  frame number from the source's start
 * @param name   file name or "frame-N"
 * @param nanos  capture time ({@link System#nanoTime()})
 */
public record Frame(long index, String name, int width, int height, byte[] bgr, long nanos) {

    public Frame {
        if (bgr.length != width * height * 3) {
            throw new IllegalArgumentException(name + ": " + width + "x" + height + " BGR frame needs "
                    + (width * height * 3) + " bytes, got " + bgr.length);
        }
    }

    /** A frame from any decoded image (files, tests). */
    public static Frame of(long index, String name, BufferedImage img) {
        BufferedImage bgr = img;
        if (img.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            bgr = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
            bgr.getGraphics().drawImage(Images.toRgb(img), 0, 0, null);
        }
        byte[] data = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        return new Frame(index, name, img.getWidth(), img.getHeight(), data, System.nanoTime());
    }

    /** The frame as an image sharing its bytes (do not modify it while the frame is in use). */
    public BufferedImage image() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(bgr, 0, dst, 0, bgr.length);
        return img;
    }
}
