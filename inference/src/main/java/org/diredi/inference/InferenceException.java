package org.diredi.inference;

/** A model that cannot be loaded or run; the message names the file and the reason. */
public final class InferenceException extends RuntimeException {

    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
