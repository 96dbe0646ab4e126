package org.diredi.vision.data;

import java.nio.file.Path;

/**
 * Bad input data: always names the file and the problem, so the CLI can print it and exit non-zero.
 */
public class DataException extends RuntimeException {

    private final Path file;

    public DataException(Path file, String problem) {
        super((file == null ? "" : file + ": ") + problem);
        this.file = file;
    }

    public DataException(Path file, String problem, Throwable cause) {
        super((file == null ? "" : file + ": ") + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
