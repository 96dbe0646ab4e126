package org.diredi.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.diredi.messaging.MqttLink;

/** Users and client options shared by the broker tests (cheap hashes: 1000 PBKDF2 rounds). */
final class TestBroker {

    static final String CUSTOMER = "acme";

    private TestBroker() {}

    static String password(String user) {
        return user + "-pw";
    }

    static BrokerConfig config(Path dir) {
        return BrokerConfig.defaults().withPort(0).withDataDir(dir).withUsers(List.of(
                user("cam-01", BrokerConfig.DEVICE, CUSTOMER, "cam-01"),
                user("cam-02", BrokerConfig.DEVICE, CUSTOMER, "cam-02"),
                profiled("acme-cpu-1", CUSTOMER, "cpu-1", "cpu"),
                profiled("acme-cpu-2", CUSTOMER, "cpu-2", "cpu"),
                profiled("acme-imx-1", CUSTOMER, "imx-1", "imx500"),
                profiled("globex-cpu-1", "globex", "cpu-1", "cpu"),
                user("acme-onprem", BrokerConfig.ONPREM, CUSTOMER, null),
                user("cloud", BrokerConfig.CLOUD, null, null)));
    }

    static BrokerConfig.User user(String name, String role, String customer, String device) {
        return new BrokerConfig.User(name, Passwords.hash(password(name).toCharArray(), 1000), role, customer, device);
    }

    /** A camera account with a device profile: it may read its customer's fan-out updates for that profile. */
    static BrokerConfig.User profiled(String name, String customer, String device, String profile) {
        return new BrokerConfig.User(name, Passwords.hash(password(name).toCharArray(), 1000), BrokerConfig.DEVICE,
                customer, device, profile);
    }

    /** Short timeouts and a 1 s reconnect cap so failures show quickly. */
    static MqttLink.Options options(EmbeddedBroker b, String user, String clientId) {
        return MqttLink.Options.of(b.serverUri(), clientId)
                .withCredentials(user, password(user))
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1));
    }

    static MqttLink connect(EmbeddedBroker b, String user, String clientId) {
        MqttLink link = new MqttLink(options(b, user, clientId));
        link.connect();
        return link;
    }
}
