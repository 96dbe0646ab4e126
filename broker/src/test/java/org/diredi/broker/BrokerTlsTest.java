package org.diredi.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.diredi.messaging.MessagingException;
import org.diredi.messaging.MqttLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optional TLS listener: a client that pins the broker's certificate connects; one that does not, cannot. */
class BrokerTlsTest {

    @TempDir
    Path dir;

    @Test
    void aClientPinningTheBrokersCertificateConnectsOverTls() throws Exception {
        Path keystore = dir.resolve("broker.p12");
        Path pem = dir.resolve("broker.crt");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "store-pw", "-keypass", "store-pw");
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", "store-pw",
                "-file", pem.toString());
        Files.writeString(dir.resolve("pw"), "store-pw\n");
        BrokerConfig c = TestBroker.config(dir.resolve("broker")).withTls(new BrokerConfig.Tls("127.0.0.1", 0,
                keystore.toString(), dir.resolve("pw").toString()));
        try (EmbeddedBroker b = EmbeddedBroker.start(c)) {
            assertTrue(b.tlsPort() > 0 && b.tlsPort() != b.port(), b.tlsPort() + " / " + b.port());
            assertEquals("ssl://127.0.0.1:" + b.tlsPort(), b.tlsUri());
            try (MqttLink cam = new MqttLink(tls(b, "cam-01").withCaCertificate(pem))) {
                cam.connect();
                assertTrue(cam.isConnected());
            }
            try (MqttLink plain = TestBroker.connect(b, "cam-02", "cam-02")) {
                assertTrue(plain.isConnected(), "the plain listener stays");
            }
            try (MqttLink stranger = new MqttLink(tls(b, "cam-01.x").withAutomaticReconnect(false))) {
                assertThrows(MessagingException.class, stranger::connect, "the JVM's CAs do not know this certificate");
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    b.root().resolve("conf/config.xml"))), "the generated config holds the keystore password");
        }
    }

    private static MqttLink.Options tls(EmbeddedBroker b, String clientId) {
        String user = clientId.contains(".") ? clientId.substring(0, clientId.indexOf('.')) : clientId;
        return MqttLink.Options.of(b.tlsUri(), clientId).withCredentials(user, TestBroker.password(user))
                .withTimeouts(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10),
                        java.time.Duration.ofSeconds(1));
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }
}
