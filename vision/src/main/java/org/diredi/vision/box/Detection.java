package org.diredi.vision.box;

/** One detection: a class index into the deployment's global {@code ClassList}, a score, a box. */
public record Detection(int classId, float score, Box box) {}
