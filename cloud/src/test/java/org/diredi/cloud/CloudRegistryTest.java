package org.diredi.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.diredi.cloud.registry.FleetRegistry;
import org.diredi.messaging.DeltaDecision;
import org.diredi.messaging.Ed25519;
import org.diredi.vision.config.ConfigFiles.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cloud reads its customers from the fleet registry and sees ones enrolled after it started. */
class CloudRegistryTest {

    @TempDir
    Path dir;

    private static CloudConfig.Customer customer() {
        return new CloudConfig.Customer("t.ckpt", "e.ckpt", "cpu/edge", 0, List.of(), List.of());
    }

    private CloudConfig config(Path registry) {
        KeyPair k = Ed25519.generate();
        Ed25519.writePrivateKey(dir.resolve("k.pem"), k.getPrivate());
        Ed25519.writePublicKey(dir.resolve("k.pub.pem"), k.getPublic());
        return CloudConfig.DEFAULTS.with(Map.of("signingKey", dir.resolve("k.pem").toString(),
                "publicKey", dir.resolve("k.pub.pem").toString(), "workDir", dir.resolve("cloud").toString(),
                "registry", registry.toString()));
    }

    @Test
    void aCustomerEnrolledAfterTheCloudStartedIsServedWithoutARestart() throws Exception {
        FleetRegistry registry = new FleetRegistry(dir.resolve("registry.json"));
        registry.update(r -> r.with("acme", customer()));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BlockingQueue<DeltaDecision> decisions = new LinkedBlockingQueue<>();
        Path junk = Files.writeString(dir.resolve("junk.delta"), "not a delta");
        try (CloudService cloud = new CloudService(config(registry.file()), new PrintStream(log, true,
                StandardCharsets.UTF_8))) {
            cloud.onDecision(decisions::add);
            cloud.enqueue("t1", "newco", junk);
            assertEquals("unknown customer 'newco'", decisions.poll(30, TimeUnit.SECONDS).reason());
            assertTrue(cloud.customer("acme").isPresent());

            registry.update(r -> r.with("newco", customer().withDevice(
                    new CloudConfig.Device("cam-01", "cpu"))));
            assertEquals(List.of(new CloudConfig.Device("cam-01", "cpu")),
                    cloud.customer("newco").orElseThrow().devices(), "the registry was re-read");
            cloud.enqueue("t2", "newco", junk);
            DeltaDecision d = decisions.poll(30, TimeUnit.SECONDS);
            assertEquals("REJECTED", d.status());
            assertFalse(d.reason().contains("unknown customer"), "newco is known now: " + d.reason());
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("re-read: 2 customer(s)"), log.toString());
        }
    }

    @Test
    void anAcceptedUpdateIsWrittenBackAndABrokenRegistryKeepsTheLastGoodOne() throws Exception {
        FleetRegistry registry = new FleetRegistry(dir.resolve("registry.json"));
        registry.update(r -> r.with("acme", customer().withOnprem("acme-onprem")));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RegistryCustomers customers = new RegistryCustomers(registry.file(), new PrintStream(log, true,
                StandardCharsets.UTF_8));
        customers.updated("acme", new CloudService.CustomerState("t2.ckpt", "e2.ckpt", 1));
        CloudConfig.Customer now = registry.read().customers().get("acme");
        assertEquals(List.of("t2.ckpt", "e2.ckpt", "cpu/edge"), List.of(now.tutor(), now.edge(), now.edgePreset()));
        assertEquals(1, now.version());
        assertEquals(List.of("acme-onprem"), now.onprem(), "enrolment's part kept");
        assertEquals(1, customers.state("acme", customers.get("acme").orElseThrow()).version());

        Files.writeString(registry.file(), "{\"customers\": ");
        assertTrue(customers.get("acme").isPresent(), "the last good registry stays in force");
        assertTrue(log.toString(StandardCharsets.UTF_8).contains(registry.file() + ": not valid JSON"), log.toString());
    }

    @Test
    void aCorruptRegistryStopsTheStartNamingTheFile() throws Exception {
        Path f = Files.writeString(dir.resolve("registry.json"), "{\"customers\": {\"acme\": {\"tutor\": 3}}}");
        ConfigException e = assertThrows(ConfigException.class, () -> new CloudService(config(f), System.out));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test
    void customersInCloudYamlAreServedAsGivenAndTheRegistryIsNotRead() throws Exception {
        Path f = Files.writeString(dir.resolve("registry.json"), "corrupt, but not read");
        CloudConfig c = config(f).with(Map.of("customers", Map.of("acme", customer())));
        try (CloudService cloud = new CloudService(c, System.out)) {
            assertTrue(cloud.customer("acme").isPresent());
        }
    }
}
