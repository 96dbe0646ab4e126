package org.diredi.messaging;

/**
 * The broker answered with an MQTT v5 failure reason code (>= 0x80) in a PUBACK, SUBACK or CONNACK.
 * Callers can tell a refusal (not worth retrying: 0x87 not authorised, 0x86 bad credentials) from
 * a lost connection (a plain {@link MessagingException}).
 */
public class RejectedByBroker extends MessagingException {

    /** MQTT v5: the request was not authorised. */
    public static final int NOT_AUTHORIZED = 0x87;
    /** MQTT v5 CONNACK: bad user name or password. */
    public static final int BAD_USERNAME_OR_PASSWORD = 0x86;

    private final int reasonCode;
    private final String topic;

    public RejectedByBroker(String message, String topic, int reasonCode) {
        super(message);
        this.topic = topic;
        this.reasonCode = reasonCode;
    }

    public int reasonCode() {
        return reasonCode;
    }

    /** The topic or filter concerned; null for a refused connection. */
    public String topic() {
        return topic;
    }

    static String hex(int code) {
        return String.format("0x%02X", code);
    }
}
