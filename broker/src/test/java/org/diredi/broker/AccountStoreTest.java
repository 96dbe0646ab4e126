package org.diredi.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.RejectedByBroker;
import org.diredi.messaging.Topics;
import org.diredi.vision.config.ConfigFiles.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The account store: what enrolment writes, and a running broker that picks it up without a restart. */
class AccountStoreTest {

    @TempDir
    Path dir;

    @Test
    void accountsAddedToTheStoreConnectWithoutARestartWithTheirRolesGrants() throws Exception {
        Path store = dir.resolve("accounts.yaml");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        BrokerConfig c = BrokerConfig.defaults().withPort(0).withDataDir(dir.resolve("broker")).withAccountStore(store)
                .withUsers(List.of(TestBroker.user("cloud", BrokerConfig.CLOUD, null, null)));
        try (EmbeddedBroker b = EmbeddedBroker.start(c, log::add)) {
            assertEquals(1, b.accounts(), "no store yet: the configuration's account only");
            try (MqttLink early = new MqttLink(TestBroker.options(b, "cam-07", "cam-07"))) {
                assertEquals(0x86, assertThrows(RejectedByBroker.class, early::connect).reasonCode());
            }
            AccountStore.add(store, TestBroker.user("cam-07", BrokerConfig.DEVICE, "acme", "cam-07"));
            AccountStore.add(store, TestBroker.user("cam-08", BrokerConfig.DEVICE, "acme", "cam-08"));
            try (MqttLink cam = TestBroker.connect(b, "cam-07", "cam-07")) {
                cam.subscribe(Topics.ota("acme", "cam-07") + "/#", 1, (t, p, u) -> {});
                String other = Topics.ota("acme", "cam-08") + "/#";
                RejectedByBroker e = assertThrows(RejectedByBroker.class, () -> cam.subscribe(other, 1, (t, p, u) -> {}));
                assertEquals(RejectedByBroker.NOT_AUTHORIZED, e.reasonCode(), "another device's updates stay closed");
            }
            assertEquals(3, b.accounts());
            assertTrue(log.stream().anyMatch(l -> l.contains(store + " re-read: 3 account(s)")), log.toString());
        }
    }

    @Test
    void aStoreBrokenWhileTheBrokerRunsIsReportedAndTheLastGoodAccountsStay() throws Exception {
        Path store = dir.resolve("accounts.yaml");
        AccountStore.add(store, TestBroker.user("cam-01", BrokerConfig.DEVICE, "acme", "cam-01"));
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        BrokerConfig c = BrokerConfig.defaults().withPort(0).withDataDir(dir.resolve("broker")).withAccountStore(store);
        try (EmbeddedBroker b = EmbeddedBroker.start(c, log::add)) {
            Files.writeString(store, "users: [{username: cam-01, passwordHash: plain, role: device}]\n");
            try (MqttLink cam = TestBroker.connect(b, "cam-01", "cam-01")) {
                assertTrue(cam.isConnected(), "the account read before still works");
            }
            assertTrue(log.stream().anyMatch(l -> l.contains(store.toString()) && l.contains("password hash must look like")
                    && l.contains("keeping the 1 account(s) read before")), log.toString());
        }
    }

    @Test
    void aCorruptStoreStopsTheStartNamingTheFile() throws Exception {
        Path store = dir.resolve("accounts.yaml");
        Files.writeString(store, "users: [{username: cam-01, role: device, customer: acme, device: cam-01\n");
        BrokerConfig c = BrokerConfig.defaults().withPort(0).withDataDir(dir.resolve("broker")).withAccountStore(store);
        ConfigException e = assertThrows(ConfigException.class, () -> EmbeddedBroker.start(c));
        assertTrue(e.getMessage().startsWith(store + ": not valid YAML"), e.getMessage());

        AccountStore.write(store, List.of(TestBroker.user("cloud", BrokerConfig.CLOUD, null, null)));
        BrokerConfig both = c.withUsers(List.of(TestBroker.user("cloud", BrokerConfig.CLOUD, null, null)));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> EmbeddedBroker.start(both));
        assertTrue(twice.getMessage().contains(store + ": account 'cloud' is also in the broker's configuration"),
                twice.getMessage());
    }

    @Test
    void theStoreHoldsHashesOnlyIsOwnerOnlyAndRefusesATakenName() throws Exception {
        Path store = dir.resolve("accounts.yaml");
        BrokerConfig.User cam = TestBroker.user("cam-01", BrokerConfig.DEVICE, "acme", "cam-01");
        AccountStore.add(store, cam);
        String text = Files.readString(store);
        assertFalse(text.contains(TestBroker.password("cam-01")), "no password in the store");
        assertTrue(text.contains(cam.passwordHash()), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
        assertEquals(List.of(cam), AccountStore.read(store));
        byte[] before = Files.readAllBytes(store);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AccountStore.add(store, TestBroker.user("cam-01", BrokerConfig.DEVICE, "acme", "cam-02")));
        assertTrue(e.getMessage().contains(store + ": account 'cam-01' already exists (device of customer acme,"
                + " device cam-01)"), e.getMessage());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(store)), "nothing changed");
        assertEquals(List.of(), AccountStore.read(dir.resolve("none-yet.yaml")), "no store yet: no account");
    }
}
