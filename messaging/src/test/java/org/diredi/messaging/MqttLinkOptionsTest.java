package org.diredi.messaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttLinkOptionsTest {

    @Test
    void resumedSessionNeedsAnExpiryInterval() {
        MqttLink.Options o = MqttLink.Options.of("tcp://127.0.0.1:1", "dev");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.withSession(false, 0));
        assertTrue(e.getMessage().contains("sessionExpirySeconds > 0"), e.getMessage());
        assertFalse(o.withSession(false, 60).cleanStart());
    }

    @Test
    void toStringNeverShowsThePassword() {
        String s = MqttLink.Options.of("tcp://127.0.0.1:1", "dev").withCredentials("cam", "hunter2").toString();
        assertFalse(s.contains("hunter2"), s);
        assertTrue(s.contains("cam"), s);
    }

    @Test
    void connectingToNothingFailsWithTheAddressAndUsesTheGivenPersistenceFolder(@TempDir Path dir) throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nobody listens there
        }
        MqttLink.Options o = MqttLink.Options.of("tcp://127.0.0.1:" + port, "nobody")
                .withPersistenceDir(dir.resolve("paho"))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(1));
        try (MqttLink link = new MqttLink(o)) {
            MessagingException e = assertThrows(MessagingException.class, link::connect);
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            assertFalse(e instanceof RejectedByBroker);
            assertFalse(link.isConnected());
            assertThrows(MessagingException.class, () -> link.publish("a", new byte[0], 1, false, null));
        }
        // Paho's file persistence creates its folder when the connect starts (and removes the
        // per-client subfolder again when empty): the folder must be the one we gave.
        assertTrue(java.nio.file.Files.isDirectory(dir.resolve("paho")), "persistence in the given folder");
    }
}
