package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.fleet.Fleet;
import org.diredi.cloud.fleet.FleetRecord;
import org.diredi.vision.config.ConfigFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fleet status} reads the cloud's record without a broker; {@code fleet rollback} refuses before sending. */
class FleetCommandsTest {

    @TempDir
    Path tmp;

    private Path config(String work) throws Exception {
        CloudConfig c = CloudConfig.DEFAULTS.with(Map.of("workDir", tmp.resolve(work).toString(), "customers",
                Map.of("acme", new CloudConfig.Customer("t.ckpt", "e.ckpt", "cpu/edge", 0, List.of(
                        new CloudConfig.Device("cam1", "cpu"), new CloudConfig.Device("cam2", "cpu"))))));
        Path f = tmp.resolve(work + ".yaml");
        Files.writeString(f, ConfigFiles.YAML.writeValueAsString(c));
        return f;
    }

    private void heard(String work, String device, long version, List<Long> holds) {
        FleetRecord r = new FleetRecord(Fleet.dir(tmp.resolve(work)).resolve(FleetRecord.FILE));
        r.status("acme", device, Map.of("profile", "cpu", "modelVersion", version, "modelSha256", "ab".repeat(32),
                "modelVersions", holds, "connection", "online", "at", "2026-01-01T00:00:00Z"), Instant.now());
        r.flush();
    }

    @Test
    void statusPrintsEveryCamerasVersionAsATableOrJson() throws Exception {
        Path cfg = config("cloud");
        heard("cloud", "cam1", 1, List.of(0L, 1L));
        heard("cloud", "cam2", 0, List.of(0L));
        BadInputTest.Outcome o = BadInputTest.run("fleet", "status", "--config", cfg.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().lines().anyMatch(l -> l.startsWith("acme") && l.contains("cam1") && l.contains(" v1 ")
                && l.contains("abababababab") && l.contains("online")), o.out());
        assertTrue(o.out().lines().anyMatch(l -> l.contains("cam2") && l.contains(" v0 ")), o.out());
        BadInputTest.Outcome json = BadInputTest.run("fleet", "status", "--config", cfg.toString(), "--customer", "acme",
                "--json");
        assertEquals(0, json.code(), json.err());
        List<?> devices = (List<?>) ConfigFiles.JSON.readValue(json.out(), Map.class).get("devices");
        assertEquals(2, devices.size(), json.out());
    }

    @Test
    void mistakesAreOneLineAndARollbackToAVersionNeverHadSendsNothing() throws Exception {
        Path cfg = config("cloud");
        UserMistakesTest.assertOneLine(BadInputTest.run("fleet", "status", "--config", cfg.toString()),
                "no fleet record", "devices.json");
        heard("cloud", "cam1", 1, List.of(0L, 1L));
        UserMistakesTest.assertOneLine(BadInputTest.run("fleet", "status", "--config", cfg.toString(), "--customer",
                "globex"), "--customer globex", "customers: acme");
        UserMistakesTest.assertOneLine(BadInputTest.run("fleet", "rollback", "acme", "--to", "7", "--config",
                cfg.toString()), "acme/cam1 never had version 7", "nothing was sent");
        UserMistakesTest.assertOneLine(BadInputTest.run("fleet", "rollback", "acme", "--to", "0", "--devices", "cam9",
                "--config", cfg.toString()), "--devices cam9", "no such camera of acme");
        assertTrue(Files.notExists(tmp.resolve("cloud/audit.jsonl")), "nothing sent, nothing audited");
    }

    @Test
    void onpremUnpackChecksTheBundleAgainstThePinnedKeyAndRefusesAForeignOneInOneLine() throws Exception {
        java.security.KeyPair manufacturer = org.diredi.messaging.Ed25519.generate();
        Path pem = tmp.resolve("manufacturer.pub.pem");
        org.diredi.messaging.Ed25519.writePublicKey(pem, manufacturer.getPublic());
        Path good = tmp.resolve("good.bundle");
        Path foreign = tmp.resolve("foreign.bundle");
        Map<String, byte[]> files = Map.of("classes.txt", "tshirt\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        org.diredi.onprem.OnpremBundle.write(good, "acme", 0, List.of("tshirt"), files, manufacturer.getPrivate(),
                manufacturer.getPublic());
        java.security.KeyPair other = org.diredi.messaging.Ed25519.generate();
        org.diredi.onprem.OnpremBundle.write(foreign, "acme", 0, List.of("tshirt"), files, other.getPrivate(),
                other.getPublic());
        UserMistakesTest.assertOneLine(BadInputTest.run("onprem", "unpack", "--bundle", foreign.toString(), "--out",
                tmp.resolve("out").toString(), "--public-key", pem.toString()), "foreign.bundle", "signature refused");
        assertTrue(Files.notExists(tmp.resolve("out")), "nothing extracted");
        BadInputTest.Outcome o = BadInputTest.run("onprem", "unpack", "--bundle", good.toString(), "--out",
                tmp.resolve("out").toString(), "--public-key", pem.toString());
        assertEquals(0, o.code(), o.err());
        assertEquals("tshirt\n", Files.readString(tmp.resolve("out/classes.txt")));
    }
}
