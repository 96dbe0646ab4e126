package org.diredi.edge.outbox;

import java.util.Objects;

/** One MQTT message on its way out of the camera (a detection event, an OTA report, a status). */
public record Message(String topic, int qos, boolean retained, byte[] payload) {

    public Message {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + qos);
        }
    }

    /** QoS 1, not retained: delivered at least once. */
    public static Message atLeastOnce(String topic, byte[] payload) {
        return new Message(topic, 1, false, payload);
    }
}
