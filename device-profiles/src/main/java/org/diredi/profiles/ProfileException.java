package org.diredi.profiles;

/** A profile that cannot be found or used, or a model file that cannot be read; the message says which. */
public final class ProfileException extends RuntimeException {

    public ProfileException(String message) {
        super(message);
    }

    public ProfileException(String message, Throwable cause) {
        super(message, cause);
    }
}
