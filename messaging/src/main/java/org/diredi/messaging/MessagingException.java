package org.diredi.messaging;

/** A messaging failure (broker, key file, envelope, transfer) with a message that names what failed. */
public class MessagingException extends RuntimeException {

    public MessagingException(String message) {
        super(message);
    }

    public MessagingException(String message, Throwable cause) {
        super(message, cause);
    }
}
