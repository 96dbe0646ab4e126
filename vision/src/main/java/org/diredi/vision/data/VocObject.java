package org.diredi.vision.data;

import org.diredi.vision.box.Box;

/** One annotated object of a VOC image. {@code classId} indexes the dataset's {@link ClassList}. */
public record VocObject(int classId, Box box, boolean difficult, boolean truncated) {}
