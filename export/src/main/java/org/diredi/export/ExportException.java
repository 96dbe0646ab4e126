package org.diredi.export;

/** An export that cannot be done or checked; the message names the model or file and the reason. */
public final class ExportException extends RuntimeException {

    public ExportException(String message) {
        super(message);
    }

    public ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
