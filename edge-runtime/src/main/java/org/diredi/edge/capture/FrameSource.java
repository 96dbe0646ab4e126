package org.diredi.edge.capture;

/** Where frames come from: an image folder, a video file, a camera or a GStreamer pipeline. */
public interface FrameSource extends AutoCloseable {

    /** The next frame, or null at the end of a file source (a camera never ends). */
    Frame next();

    /** What this source reads, for logs and status messages. */
    String describe();

    @Override
    void close();
}
