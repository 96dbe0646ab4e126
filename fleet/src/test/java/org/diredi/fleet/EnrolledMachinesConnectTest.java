package org.diredi.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.RejectedByBroker;
import org.diredi.messaging.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enrolment against a broker that is already running: the new machines connect with the credentials of
 * their folders, without a restart, and get the grants of their role only.
 */
class EnrolledMachinesConnectTest {

    @TempDir
    Path dir;

    @Test
    void camerasAndTheCloudEnrolledAfterTheBrokerStartedConnectWithTheirGrants() throws Exception {
        FleetConfig config = EnrolmentTest.fleetIn(dir);
        BrokerConfig bc = BrokerConfig.defaults().withPort(0).withDataDir(dir.resolve("broker-data"))
                .withAccountStore(Path.of(config.accountStore()));
        try (EmbeddedBroker broker = EmbeddedBroker.start(bc)) {
            Enrolment fleet = new Enrolment(config.with(java.util.Map.of("brokerUri", broker.serverUri())),
                    new PrintStream(OutputStream.nullOutputStream()));
            fleet.addCustomer("acme", config.models());
            Path cam1 = fleet.addDevice("acme", "cam-01", "cpu").folder();
            Path cam2 = fleet.addDevice("acme", "cam-02", "cpu").folder();
            Path cloud = fleet.addCloud(null).folder();
            assertEquals(3, broker.accounts());

            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            try (MqttLink c = connect(broker, "cloud", cloud); MqttLink a = connect(broker, "acme-cam-01", cam1)) {
                c.subscribe(Topics.PREFIX + "/customers/+/devices/+/status", 1, (t, p, u) -> seen.add(t));
                a.subscribe(Topics.ota("acme", "cam-01") + "/#", 1, (t, p, u) -> {});
                a.publish(Topics.status("acme", "cam-01"), new byte[] {'{', '}'}, 1, false, java.util.Map.of());
                assertEquals(Topics.status("acme", "cam-01"), seen.poll(10, TimeUnit.SECONDS));
                String other = Topics.ota("acme", "cam-02") + "/#";
                RejectedByBroker e = assertThrows(RejectedByBroker.class, () -> a.subscribe(other, 1, (t, p, u) -> {}));
                assertEquals(RejectedByBroker.NOT_AUTHORIZED, e.reasonCode(), "cam-01 cannot read cam-02's updates");
            }
            MqttLink.Options wrong = options(broker, "acme-cam-02", cam1); // cam-01's password for cam-02's account
            try (MqttLink l = new MqttLink(wrong)) {
                assertEquals(RejectedByBroker.BAD_USERNAME_OR_PASSWORD,
                        assertThrows(RejectedByBroker.class, l::connect).reasonCode());
            }
            try (MqttLink b = connect(broker, "acme-cam-02", cam2)) {
                assertTrue(b.isConnected());
            }
        }
    }

    private static MqttLink.Options options(EmbeddedBroker b, String account, Path folder) throws Exception {
        return MqttLink.Options.of(b.serverUri(), account)
                .withCredentials(account, Files.readString(folder.resolve("broker.password")))
                .withAutomaticReconnect(false)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1));
    }

    private static MqttLink connect(EmbeddedBroker b, String account, Path folder) throws Exception {
        MqttLink l = new MqttLink(options(b, account, folder));
        l.connect();
        return l;
    }
}
