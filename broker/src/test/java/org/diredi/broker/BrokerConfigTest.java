package org.diredi.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.vision.config.ConfigFiles.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {

    private static final String HASH = Passwords.hash("pw".toCharArray(), 1000);

    @Test
    void yamlOverDefaults(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("broker.yaml");
        Files.writeString(f, """
                port: 0
                users:
                  - {username: cam-01, passwordHash: "%s", role: device, customer: acme, device: cam-01}
                  - {username: acme-onprem, passwordHash: "%s", role: onprem, customer: acme}
                  - {username: cloud, passwordHash: "%s", role: cloud}
                """.formatted(HASH, HASH, HASH));
        BrokerConfig c = BrokerConfig.load(f);
        assertEquals("127.0.0.1", c.bind(), "default kept");
        assertEquals("work/broker", c.dataDir());
        assertEquals(0, c.port());
        assertEquals(3, c.users().size());
        assertEquals("acme", c.user("cam-01").orElseThrow().customer());
        assertFalse(c.user("nobody").isPresent());
        assertEquals(1883, BrokerConfig.defaults().port());
    }

    @Test
    void mistakesAreNamed(@TempDir Path dir) throws Exception {
        assertProblem(dir, "users: [{username: x, passwordHash: \"" + HASH + "\", role: admin}]", "unknown role 'admin'");
        assertProblem(dir, "users: [{username: cam, passwordHash: \"" + HASH + "\", role: device, device: cam}]",
                "user cam: a customer id is required");
        assertProblem(dir, "users: [{username: c, passwordHash: \"" + HASH + "\", role: cloud, customer: acme}]",
                "makes no sense");
        assertProblem(dir, "users: [{username: d, passwordHash: \"" + HASH + "\", role: device, customer: a/b, device: d}]",
                "invalid customer id 'a/b'");
        assertProblem(dir, "users: [{username: u, passwordHash: plain-text-pw, role: cloud}]", "password hash must look like");
        assertProblem(dir, "users: [{username: u, passwordHash: \"" + HASH + "\", role: cloud},"
                + " {username: u, passwordHash: \"" + HASH + "\", role: cloud}]", "duplicate user name 'u'");
        assertProblem(dir, "port: 70000", "port must be 0..65535");
        assertProblem(dir, "bind: ' '", "bind must be an address");
        assertProblem(dir, "dataDir: ''", "dataDir must be a directory path");
        assertProblem(dir, "maxPacketBytes: 100", "maxPacketBytes must be 1024..268435460, got 100");
        assertProblem(dir, "maxQueuedMessages: 0", "maxQueuedMessages must be >= 1, got 0");
        assertProblem(dir, "users: [null]", "users: empty entry");
        assertProblem(dir, "prot: 1884", "prot");
    }

    @Test
    void passwordHashesAreSaltedAndVerify() {
        String a = Passwords.hash("s3cret".toCharArray(), 1000);
        String b = Passwords.hash("s3cret".toCharArray(), 1000);
        assertNotEquals(a, b, "salted");
        assertTrue(a.startsWith("pbkdf2-sha256$1000$"), a);
        assertTrue(Passwords.verify(a, "s3cret".toCharArray()));
        assertFalse(Passwords.verify(a, "s3cret ".toCharArray()));
        assertFalse(Passwords.verify(a, null));
        assertTrue(BrokerConfig.hashPassword("x".toCharArray()).startsWith("pbkdf2-sha256$" + Passwords.DEFAULT_ITERATIONS + "$"));
        assertThrows(IllegalArgumentException.class, () -> Passwords.hash(new char[0], 1000));
    }

    @Test
    void deviceUserNeedsCustomerAndDevice() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BrokerConfig.User("x", HASH, "device", "acme", null));
        assertTrue(e.getMessage().contains("a device id is required"), e.getMessage());
        assertFalse(new BrokerConfig.User("x", HASH, "device", "acme", "x").toString().contains("pbkdf2"),
                "toString leaves the hash out");
    }

    private static void assertProblem(Path dir, String yaml, String expected) throws Exception {
        Path f = dir.resolve("b.yaml");
        Files.writeString(f, yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.load(f));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(f.toString()), e.getMessage());
    }
}
