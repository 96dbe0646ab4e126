package org.diredi.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.diredi.broker.AccountStore;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.Passwords;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.registry.FleetRegistry;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.Hashes;
import org.diredi.onprem.OnPremConfig;
import org.diredi.vision.config.ConfigFiles.ConfigException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each enrolment writes, that no secret leaves the password files, and that a refused one changes nothing. */
class EnrolmentTest {

    @TempDir
    Path dir;
    FleetConfig config;
    ByteArrayOutputStream printed;
    Enrolment fleet;

    /** A fleet in {@code root}: keys made, the manufacturer's models as (empty) files. */
    static FleetConfig fleetIn(Path root) throws Exception {
        ManufacturerKeys.init(root.resolve("keys"));
        Files.createDirectories(root.resolve("models"));
        Files.writeString(root.resolve("models/tutor.ckpt"), "tutor");
        Files.writeString(root.resolve("models/edge.ckpt"), "edge");
        return FleetConfig.DEFAULTS.with(Map.of("registry", root.resolve("fleet/registry.json").toString(),
                "accountStore", root.resolve("broker/accounts.yaml").toString(),
                "mosquittoDir", root.resolve("fleet/mosquitto").toString(),
                "machines", root.resolve("fleet/machines").toString(), "keys", root.resolve("keys").toString(),
                "brokerUri", "tcp://127.0.0.1:1884",
                "models", Map.of("tutor", root.resolve("models/tutor.ckpt").toString(),
                        "edge", root.resolve("models/edge.ckpt").toString(), "edgePreset", "tiny/edge")));
    }

    @BeforeEach
    void setUp() throws Exception {
        config = fleetIn(dir);
        printed = new ByteArrayOutputStream();
        fleet = new Enrolment(config, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @Test
    void keysInitMakesAnOwnerOnlyPrivateKeyAndNeverOverwritesOne() throws Exception {
        ManufacturerKeys k = ManufacturerKeys.in(dir.resolve("keys"));
        assertEquals("rw-------", mode(k.privateKey()));
        byte[] before = Files.readAllBytes(k.privateKey());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ManufacturerKeys.init(dir.resolve("keys")));
        assertTrue(e.getMessage().startsWith(k.privateKey() + ": a key already exists"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(k.privateKey()));
        Files.delete(k.privateKey()); // a public key alone is a key too
        assertThrows(IllegalArgumentException.class, () -> ManufacturerKeys.init(dir.resolve("keys")));
        assertFalse(Files.exists(k.privateKey()));
    }

    @Test
    void aCustomerIsARegistryEntryStartingFromTheManufacturersModels() throws Exception {
        fleet.addCustomer("acme", config.models());
        CloudConfig.Customer c = registry().customers().get("acme");
        assertEquals(dir.resolve("models/tutor.ckpt").toAbsolutePath().toString(), c.tutor());
        assertEquals("tiny/edge", c.edgePreset());
        assertEquals(0, c.version());
        assertEquals(List.of(), c.devices());
    }

    @Test
    void aCustomerCanStartFromOtherModelsThanFleetYamls() throws Exception {
        Files.writeString(dir.resolve("models/other-edge.ckpt"), "edge");
        fleet.addCustomer("acme", config.models().overriddenBy(null, dir.resolve("models/other-edge.ckpt").toString(),
                "cpu/edge"));
        CloudConfig.Customer c = registry().customers().get("acme");
        assertEquals(dir.resolve("models/tutor.ckpt").toAbsolutePath().toString(), c.tutor(), "not given: fleet.yaml's");
        assertEquals(dir.resolve("models/other-edge.ckpt").toAbsolutePath().toString(), c.edge());
        assertEquals("cpu/edge", c.edgePreset());
    }

    @Test
    void aCameraGetsAnAccountARegistryEntryAndAReadyToCopyFolder() throws Exception {
        fleet.addCustomer("acme", config.models());
        Enrolment.Enrolled e = fleet.addDevice("acme", "cam-01", "imx500");
        assertEquals("acme-cam-01", e.account());
        Path folder = e.folder();
        String password = Files.readString(folder.resolve("broker.password"));
        assertTrue(password.length() >= 24, "a long random password");
        assertEquals("rw-------", mode(folder.resolve("broker.password")));

        BrokerConfig.User u = AccountStore.read(Path.of(config.accountStore())).get(0);
        assertEquals(List.of("acme-cam-01", "device", "acme", "cam-01"), List.of(u.username(), u.role(), u.customer(),
                u.device()));
        assertTrue(Passwords.verify(u.passwordHash(), password.toCharArray()), "the store holds the password's hash");
        assertEquals("rw-------", mode(Path.of(config.accountStore())));
        assertEquals(List.of(new CloudConfig.Device("cam-01", "imx500")), registry().customers().get("acme").devices());

        EdgeConfig edge = EdgeConfig.load(folder.resolve("edge.yaml"));
        assertEquals(new EdgeConfig.Device("acme", "cam-01"), edge.device());
        assertEquals("imx500", edge.profile());
        assertEquals(List.of("tcp://127.0.0.1:1884", "acme-cam-01", "broker.password"),
                List.of(edge.mqtt().uri(), edge.mqtt().username(), edge.mqtt().passwordFile()));
        assertEquals("manufacturer.pub.pem", edge.trustedKey(), "relative to the folder the camera runs in");
        assertTrue(Files.readString(folder.resolve("edge.yaml")).contains("diredi/v1/customers/acme/devices/cam-01/ota/#"),
                "its topics are named");
        assertArrayEquals(Files.readAllBytes(dir.resolve("keys/manufacturer.pub.pem")),
                Files.readAllBytes(folder.resolve("manufacturer.pub.pem")), "the manufacturer's key, pinned");

        String passwd = Files.readString(Path.of(config.mosquittoDir(), "passwd"));
        assertTrue(passwd.startsWith("acme-cam-01:$7$101$"), passwd);
        assertTrue(Files.readString(Path.of(config.mosquittoDir(), "acl")).contains(
                "user acme-cam-01\ntopic read diredi/v1/customers/acme/devices/cam-01/ota/#\n"));
        assertNoSecretOutside(folder.resolve("broker.password"), password);
    }

    @Test
    void anOnpremPcAndACloudWorkerGetTheirAccountsAndConfigs() throws Exception {
        fleet.addCustomer("acme", config.models());
        Enrolment.Enrolled o = fleet.addOnprem("acme", null);
        assertEquals("acme-onprem", o.account());
        OnPremConfig on = OnPremConfig.load(o.folder().resolve("onprem.yaml"));
        assertEquals(List.of("acme", "acme-onprem", "broker.password", "tiny/tutor"), List.of(on.customer(),
                on.username(), on.passwordFile(), on.tutorPreset()));
        assertEquals(List.of("acme-onprem"), registry().customers().get("acme").onprem());

        Enrolment.Enrolled c = fleet.addCloud(null);
        CloudConfig cloud = CloudConfig.load(c.folder().resolve("cloud.yaml"));
        assertEquals(Files.readString(c.folder().resolve("broker.password")), cloud.secret(), "an absolute password file");
        assertEquals(Path.of(config.registry()).toAbsolutePath().toString(), cloud.registry());
        assertEquals(dir.resolve("keys/manufacturer.key.pem").toAbsolutePath().toString(), cloud.signingKey());
        assertEquals(List.of("acme-onprem", "cloud"), AccountStore.read(Path.of(config.accountStore())).stream()
                .map(BrokerConfig.User::username).toList());
        assertNoSecretOutside(o.folder().resolve("broker.password"), Files.readString(o.folder().resolve("broker.password")));
    }

    @Test
    void anOnpremPcGetsItsOwnFiguresKeyPrivateInItsFolderPublicInTheRegistry() throws Exception {
        fleet.addCustomer("acme", config.models());
        Enrolment.Enrolled o = fleet.addOnprem("acme", null);
        Path key = o.folder().resolve("customer.key.pem");
        assertEquals("rw-------", mode(key));
        OnPremConfig on = OnPremConfig.load(o.folder().resolve("onprem.yaml"));
        assertEquals("customer.key.pem", on.signingKey());
        assertEquals("val", on.privateValidationSplit());
        java.security.PrivateKey priv = Ed25519.readPrivateKey(key);
        List<String> keys = registry().customers().get("acme").figureKeys();
        assertEquals(List.of(Ed25519.encodePublic(Ed25519.publicOf(priv))), keys, "the registry holds its public key");
        byte[] sig = Ed25519.sign(priv, new byte[] {1, 2, 3});
        assertTrue(Ed25519.verify(Ed25519.decodePublic(keys.get(0), "registry"), new byte[] {1, 2, 3}, sig));
        String pem = Files.readString(key);
        String body = pem.substring(pem.indexOf('\n') + 1, pem.indexOf("-----END")).replace("\n", "");
        assertNoSecretOutside(key, body);
        Enrolment.Enrolled second = fleet.addOnprem("acme", "acme-onprem2");
        List<String> both = registry().customers().get("acme").figureKeys();
        assertEquals(2, both.size(), "each PC has its own key");
        assertEquals(Ed25519.encodePublic(Ed25519.publicOf(Ed25519.readPrivateKey(
                second.folder().resolve("customer.key.pem")))), both.get(1));
        assertEquals(keys.get(0), both.get(0), "the first PC's key stays enrolled");
    }

    @Test
    void everyRefusalIsNamedAndChangesNothing() throws Exception {
        fleet.addCustomer("acme", config.models());
        fleet.addDevice("acme", "cam-01", "cpu");
        Map<Path, String> before = snapshot();
        assertRefused(() -> fleet.addDevice("globex", "cam-01", "cpu"), IllegalArgumentException.class,
                config.registry() + ": unknown customer 'globex' (enrolled: acme)");
        assertRefused(() -> fleet.addDevice("acme", "cam-02", "toaster"), IllegalArgumentException.class,
                "--profile toaster: unknown device profile (known: jetson-nano, imx500");
        assertRefused(() -> fleet.addDevice("acme", "cam-01", "jetson-nano"), IllegalArgumentException.class,
                "customer acme already has a device 'cam-01' (profile cpu)");
        assertRefused(() -> fleet.addCustomer("acme", config.models()), IllegalArgumentException.class,
                "customer 'acme' already exists");
        assertRefused(() -> fleet.addCustomer("globex", new FleetConfig.Models("nope.ckpt", "e", "cpu/edge")),
                IllegalArgumentException.class, "--tutor (fleet.yaml models.tutor) nope.ckpt: file not found");
        assertRefused(() -> fleet.addOnprem("acme", "acme-cam-01"), IllegalArgumentException.class,
                config.accountStore() + ": account 'acme-cam-01' already exists");
        assertEquals(before, snapshot(), "nothing changed");

        Path registry = Path.of(config.registry());
        Files.writeString(registry, "{\"customers\": {\"acme\": [");
        Map<Path, String> corruptRegistry = snapshot();
        assertRefused(() -> fleet.addDevice("acme", "cam-02", "cpu"), ConfigException.class, registry + ": not valid JSON");
        assertEquals(corruptRegistry, snapshot());

        Files.writeString(registry, before.get(registry.toAbsolutePath()));
        Path store = Path.of(config.accountStore());
        Files.writeString(store, "users: [{username: x, role: admin}]");
        Map<Path, String> corruptStore = snapshot();
        assertRefused(() -> fleet.addDevice("acme", "cam-02", "cpu"), ConfigException.class, store.toString());
        assertEquals(corruptStore, snapshot());
        assertFalse(Files.exists(Path.of(config.machines(), "acme-cam-02")));
    }

    private <T extends Throwable> void assertRefused(org.junit.jupiter.api.function.Executable run, Class<T> type,
                                                     String says) {
        T e = assertThrows(type, run);
        assertTrue(e.getMessage().contains(says), "expected '" + says + "' in: " + e.getMessage());
    }

    private FleetRegistry.Contents registry() {
        return new FleetRegistry(Path.of(config.registry())).read();
    }

    /** Every file under the test folder with its SHA-256 (the registry as its text, to restore it). */
    private Map<Path, String> snapshot() throws Exception {
        Map<Path, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Path abs = p.toAbsolutePath();
                m.put(abs, abs.equals(Path.of(config.registry()).toAbsolutePath()) ? Files.readString(p)
                        : Hashes.sha256Hex(p));
            }
        }
        return m;
    }

    /** The password is in its file and nowhere else: not in any other file, not in what was printed. */
    private void assertNoSecretOutside(Path passwordFile, String password) throws Exception {
        assertFalse(printed.toString(StandardCharsets.UTF_8).contains(password), "printed");
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (!p.equals(passwordFile)) {
                    assertFalse(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(password),
                            "the password is in " + p);
                }
            }
        }
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void whatIsPrintedSaysWhatToCopyWhereAndHowToRunIt() throws Exception {
        fleet.addCustomer("acme", config.models());
        Enrolment.Enrolled e = fleet.addDevice("acme", "cam-01", "cpu");
        String out = printed.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("copy " + e.folder() + "/ to that machine") && out.contains("diredi edge run --config"
                + " edge.yaml") && out.contains(config.mosquittoDir() + "/passwd and acl updated"), out);
    }
}
