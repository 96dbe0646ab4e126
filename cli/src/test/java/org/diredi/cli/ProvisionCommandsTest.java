package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.MqttLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manufacturer's server from the command line: keys init, enrolment and its refusals (one line, exit
 * 2, nothing changed), and broker serve as its own process that takes a camera enrolled while it runs
 * and stops cleanly on SIGTERM.
 */
class ProvisionCommandsTest {

    @TempDir
    Path tmp;

    /** A fleet.yaml in {@code tmp} for a broker at {@code brokerUri}, with the manufacturer's models as files. */
    private Path fleetYaml(String brokerUri) throws Exception {
        Files.createDirectories(tmp.resolve("models"));
        Files.writeString(tmp.resolve("models/tutor.ckpt"), "t");
        Files.writeString(tmp.resolve("models/edge.ckpt"), "e");
        return Files.writeString(tmp.resolve("fleet.yaml"), String.join("\n",
                "registry: " + tmp.resolve("fleet/registry.json"), "accountStore: " + tmp.resolve("broker/accounts.yaml"),
                "mosquittoDir: " + tmp.resolve("fleet/mosquitto"), "machines: " + tmp.resolve("fleet/machines"),
                "keys: " + tmp.resolve("keys"), "brokerUri: " + brokerUri,
                "models: {tutor: " + tmp.resolve("models/tutor.ckpt") + ", edge: " + tmp.resolve("models/edge.ckpt")
                        + ", edgePreset: tiny/edge}", ""));
    }

    private static BadInputTest.Outcome ok(String... args) {
        BadInputTest.Outcome o = BadInputTest.run(args);
        assertEquals(0, o.code(), String.join(" ", args) + ": " + o.err());
        return o;
    }

    private static void refused(BadInputTest.Outcome o, String... fragments) {
        UserMistakesTest.assertOneLine(o, fragments);
        assertEquals(1, o.err().lines().count(), o.err());
    }

    @Test
    void keysInitRefusesToOverwriteAKey() throws Exception {
        String keys = tmp.resolve("keys").toString();
        assertTrue(ok("keys", "init", "--out", keys).out().contains("key id "));
        String hash = Hashes.sha256Hex(tmp.resolve("keys/manufacturer.key.pem"));
        refused(BadInputTest.run("keys", "init", "--out", keys), "manufacturer.key.pem: a key already exists");
        assertEquals(hash, Hashes.sha256Hex(tmp.resolve("keys/manufacturer.key.pem")));
    }

    @Test
    void enrolmentMistakesAreOneLineAndChangeNothing() throws Exception {
        String cfg = fleetYaml("tcp://127.0.0.1:1884").toString();
        refused(BadInputTest.run("fleet", "add-cloud", "--config", cfg), "manufacturer.pub.pem", "diredi keys init");
        ok("keys", "init", "--out", tmp.resolve("keys").toString());
        ok("fleet", "add-customer", "acme", "--config", cfg);
        BadInputTest.Outcome cam = ok("fleet", "add-device", "acme", "cam-01", "--profile", "cpu", "--config", cfg);
        String password = Files.readString(tmp.resolve("fleet/machines/acme-cam-01/broker.password"));
        assertFalse(cam.out().contains(password) || cam.err().contains(password), "no secret printed");
        Map<Path, String> before = snapshot();
        refused(BadInputTest.run("fleet", "add-device", "globex", "cam-01", "--profile", "cpu", "--config", cfg),
                "unknown customer 'globex'");
        refused(BadInputTest.run("fleet", "add-device", "acme", "cam-02", "--profile", "toaster", "--config", cfg),
                "--profile toaster: unknown device profile");
        refused(BadInputTest.run("fleet", "add-device", "acme", "cam-01", "--profile", "cpu", "--config", cfg),
                "already has a device 'cam-01'");
        refused(BadInputTest.run("fleet", "add-device", "acme", "cam/02", "--profile", "cpu", "--config", cfg),
                "invalid device id 'cam/02'");
        assertEquals(before, snapshot());
        Files.writeString(tmp.resolve("broker/accounts.yaml"), "users: [{username: cam-01, role: root}]\n");
        before = snapshot();
        refused(BadInputTest.run("fleet", "add-device", "acme", "cam-02", "--profile", "cpu", "--config", cfg),
                tmp.resolve("broker/accounts.yaml") + ": user cam-01: password hash must look like");
        Files.writeString(tmp.resolve("fleet/registry.json"), "{\"customers\": {\"acme\": {\"version\": \"v1\"}}}");
        refused(BadInputTest.run("fleet", "add-device", "acme", "cam-02", "--profile", "cpu", "--config", cfg),
                tmp.resolve("fleet/registry.json") + ": line 1: customers.acme.version: expected a whole number");
        before.put(tmp.resolve("fleet/registry.json"), Hashes.sha256Hex(tmp.resolve("fleet/registry.json")));
        assertEquals(before, snapshot());
    }

    @Test
    void fleetCommandsReadConfigsFleetYamlOfTheFolderTheyRunInWithoutConfig() throws Exception {
        Path yaml = fleetYaml("tcp://127.0.0.1:1884");
        Files.createDirectories(tmp.resolve("configs"));
        Files.move(yaml, tmp.resolve("configs/fleet.yaml")); // where the README has the user edit it
        try (DeployProcesses p = new DeployProcesses(tmp.resolve("logs"))) {
            p.ok("add-customer", tmp, "fleet", "add-customer", "acme");
        }
        assertTrue(Files.readString(tmp.resolve("fleet/registry.json")).contains("\"acme\""),
                "the registry named in configs/fleet.yaml, not the built-in work/fleet/registry.json");
        assertFalse(Files.exists(tmp.resolve("work/fleet/registry.json")));
    }

    @Test
    void brokerServeTakesACameraEnrolledWhileItRunsAndStopsOnSigterm() throws Exception {
        Path brokerYaml = Files.writeString(tmp.resolve("broker.yaml"), "port: 0\ndataDir: " + tmp.resolve("broker")
                + "\naccountStore: " + tmp.resolve("broker/accounts.yaml") + "\n");
        Path log = tmp.resolve("broker.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", Diredi.class.getName(), "broker", "serve", "--config", brokerYaml.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path")); // too long for a command line
        Process broker = pb.start();
        try {
            String uri = awaitListening(broker, log);
            String cfg = fleetYaml(uri).toString();
            ok("keys", "init", "--out", tmp.resolve("keys").toString());
            ok("fleet", "add-customer", "acme", "--config", cfg);
            ok("fleet", "add-device", "acme", "cam-01", "--profile", "cpu", "--config", cfg);
            String password = Files.readString(tmp.resolve("fleet/machines/acme-cam-01/broker.password"));
            try (MqttLink cam = new MqttLink(MqttLink.Options.of(uri, "acme-cam-01")
                    .withCredentials("acme-cam-01", password).withAutomaticReconnect(false)
                    .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(1)))) {
                cam.connect();
                assertTrue(cam.isConnected(), Files.readString(log));
            }
        } finally {
            broker.destroy(); // SIGTERM
            assertTrue(broker.waitFor(60, TimeUnit.SECONDS), "the broker stops on SIGTERM");
        }
        String out = Files.readString(log);
        assertTrue(out.contains("re-read: 1 account(s)") && out.contains("broker: stopped"), out);
        assertFalse(out.contains("Exception"), out);
    }

    /** The URI of the "broker: listening on tcp://..." line, once the broker printed it. */
    private static String awaitListening(Process p, Path log) throws Exception {
        Pattern listening = Pattern.compile("broker: listening on (tcp://[0-9.]+:[0-9]+)");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end && p.isAlive()) {
            Matcher m = listening.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("broker serve did not start: " + (Files.exists(log) ? Files.readString(log) : ""));
    }

    private Map<Path, String> snapshot() throws Exception {
        Map<Path, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(tmp)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(p, Hashes.sha256Hex(p));
            }
        }
        return m;
    }

    @Test
    void theCommandsAreListed() {
        String help = BadInputTest.run("--help").out();
        for (String c : List.of("keys", "broker", "fleet")) {
            assertTrue(help.contains("  " + c + " "), help);
        }
    }
}
