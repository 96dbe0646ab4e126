package org.diredi.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.diredi.messaging.MessagingException;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MqttLink against the real broker: reason codes, user properties, handler isolation. */
@ExtendWith(SharedBroker.class)
class MqttLinkBehaviourTest {

    @Test
    void throwingHandlerDoesNotKillTheLinkAndPropertiesArrive() throws Exception {
        String topic = Topics.status(TestBroker.CUSTOMER, "cam-01");
        BlockingQueue<Object> seen = new ArrayBlockingQueue<>(10);
        try (MqttLink cloud = TestBroker.connect(broker(), "cloud", "cloud.handler");
             MqttLink cam = TestBroker.connect(broker(), "cam-01", "cam-01.status")) {
            cloud.subscribe(Topics.PREFIX + "/customers/+/devices/+/status", 1, (t, p, u) -> {
                String s = new String(p, StandardCharsets.UTF_8);
                if (s.equals("boom")) {
                    throw new IllegalStateException("handler bug");
                }
                seen.add(s);
                seen.add(u);
            });
            cam.publish(topic, "boom".getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
            cam.publish(topic, "online".getBytes(StandardCharsets.UTF_8), 1, false, Map.of("fw", "1.2", "uptime", "7"));
            assertEquals("online", seen.poll(10, TimeUnit.SECONDS), "the message after the failing one arrives");
            assertEquals(Map.of("fw", "1.2", "uptime", "7"), seen.poll(1, TimeUnit.SECONDS));
            assertTrue(cloud.isConnected());
        }
    }

    @Test
    void noMatchingSubscribersIsNotAnError() {
        // HiveMQ answers PUBACK 0x10 (no matching subscribers): a success code, below 0x80.
        try (MqttLink cam = TestBroker.connect(broker(), "cam-01", "cam-01.lonely")) {
            cam.publish(Topics.otaReport(TestBroker.CUSTOMER, "cam-01"), new byte[] {1}, 1, false, null);
            assertTrue(cam.isConnected());
        }
    }

    @Test
    void closedLinkRefusesWorkAndCloseIsIdempotent() {
        MqttLink link = TestBroker.connect(broker(), "cam-01", "cam-01.close");
        link.close();
        link.close();
        assertFalse(link.isConnected());
        assertThrows(MessagingException.class, () -> link.publish("x", new byte[0], 1, false, null));
        assertFalse(link.awaitConnected(java.time.Duration.ofMillis(10)));
    }

    private static EmbeddedBroker broker() {
        return SharedBroker.broker();
    }
}
