package org.diredi.messaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Without any broker (the edge tests cover the broker coming back): starting and stopping the retries. */
class MqttLinkStayConnectedTest {

    static boolean retrying(String clientId) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("mqtt-reconnect-" + clientId));
    }

    @Test
    void anUnreachableBrokerIsNotAnErrorTheLinkKeepsTryingUntilClosed() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nobody listens there
        }
        MqttLink link = new MqttLink(MqttLink.Options.of("tcp://127.0.0.1:" + port, "cam-offline")
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertFalse(link.connectAndStayConnected(), "not connected, and no exception");
        assertFalse(link.isConnected());
        assertTrue(retrying("cam-offline"), "a background thread goes on trying");
        Thread.sleep(2500); // a few attempts fail meanwhile, quietly for the caller
        assertTrue(retrying("cam-offline"));
        link.close();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (retrying("cam-offline") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(retrying("cam-offline"), "closing the link stops the retries");
    }
}
