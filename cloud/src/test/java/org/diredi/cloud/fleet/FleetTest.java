package org.diredi.cloud.fleet;

import static org.diredi.cloud.fleet.FleetRig.await;
import static org.diredi.cloud.fleet.FleetRig.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.fleet.CustomerRollout.Phase;
import org.diredi.vision.config.ConfigFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The staged rollout with real cameras (edge runtime, ONNX Runtime) on a real broker: canaries first and
 * the rest after they proved the update, a canary's failed health check halts it, a fleet rollback, a
 * camera that missed an update gets it when it is heard from, and the fleet view of it all.
 */
class FleetTest {

    @TempDir
    static Path dir;
    static FleetRig rig;

    @BeforeAll
    static void setUp() throws Exception {
        rig = new FleetRig(dir, Map.of("acme", List.of("a1", "a2", "a3"), "globex", List.of("g1", "g2"),
                "initech", List.of("i1", "i2"), "hooli", List.of("h1", "h2"), "umbrella", List.of("u1", "u2"),
                "wayne", List.of("w1", "w2")));
    }

    @AfterEach
    void closeCamerasAndFleets() {
        rig.closeOpened();
    }

    @AfterAll
    static void tearDown() {
        rig.close();
    }

    static List<String> events(CloudConfig c, String event) {
        return FleetRig.audit(c).read().stream().filter(e -> event.equals(e.get("event")))
                .map(FleetTest::target).toList();
    }

    /** Whom an audit entry is about: a camera, or every camera of a profile for a fan-out ("profile cpu"). */
    static String target(Map<String, Object> e) {
        return "fan-out".equals(e.get("as")) ? "profile " + e.get("profile")
                : String.valueOf(e.get("device"));
    }

    @Test
    void theCanaryGetsItFirstAndTheRestOnlyOnceItRanHealthilyEvenAcrossARestart() throws Exception {
        CloudConfig c = rig.config("acme", List.of("a1", "a2", "a3"), new RolloutSettings(1, 0, 3, 1, Map.of()));
        FleetRig.Cloud first = rig.cloud(c, "acme-1");
        rig.camera("acme", "a1");
        rig.camera("acme", "a2"); // a3 stays off: it is the late camera below
        await(30, "a1 and a2 heard from on v0", () -> version(first.fleet(), "acme", "a1") == 0
                && version(first.fleet(), "acme", "a2") == 0);
        Fleet.Plan plan = first.fleet().begin(rig.releaseOf("acme", rig.release("acme", 1, FleetRig.model())));
        assertEquals(List.of("a1"), plan.canaries(), "an online camera is the canary");
        assertEquals(List.of("a2", "a3"), plan.rest());
        await(30, "the canary a1 on v1", () -> version(first.fleet(), "acme", "a1") == 1);
        assertEquals(0, version(first.fleet(), "acme", "a2"), "a2 waits for the canary");
        assertEquals(Phase.CANARY, first.fleet().rollout("acme").rollout().phase());
        first.close(); // the cloud stops while the canary proves the update

        FleetRig.Cloud second = rig.cloud(c, "acme-2");
        await(30, "a2 on v1 after the restarted cloud saw the canary run it for 3 s",
                () -> version(second.fleet(), "acme", "a2") == 1);
        CustomerRollout st = second.fleet().rollout("acme");
        assertEquals(Phase.COMPLETE, st.rollout().phase());
        assertEquals(1, st.current());
        List<String> order = FleetRig.audit(c).read().stream().map(e -> e.get("event") + " " + target(e))
                .filter(e -> e.startsWith("SHIPPED") || e.startsWith("ROLLOUT_COMPLETE")).toList();
        assertEquals(List.of("SHIPPED a1", "ROLLOUT_COMPLETE null", "SHIPPED profile cpu"), order.subList(0, 3),
                order.toString());
        Map<String, Object> fanOut = FleetRig.audit(c).read().stream().filter(e -> "fan-out".equals(e.get("as")))
                .findFirst().orElseThrow();
        assertEquals(List.of("a2", "a3"), fanOut.get("devices"), "the rest, a3 offline, got it once on their topic");
        java.util.function.Function<String, java.time.Instant> at = ev -> java.time.Instant.parse((String) FleetRig
                .audit(c).read().stream().filter(e -> ev.equals(e.get("event"))).findFirst().orElseThrow().get("at"));
        assertTrue(!at.apply("ROLLOUT_COMPLETE").isBefore(at.apply("ROLLOUT_STARTED").plusSeconds(3)),
                "the canary ran it healthily for healthySeconds first");

        rig.camera("acme", "a3"); // it had no session when the update went out: the broker kept nothing for it
        await(30, "the late camera a3 brought to v1", () -> version(second.fleet(), "acme", "a3") == 1);
        assertTrue(FleetRig.audit(c).read().stream().anyMatch(e -> "SHIPPED".equals(e.get("event"))
                && "a3".equals(e.get("device")) && "resend".equals(e.get("as"))), "a3 was sent it again");
        assertTrue(events(c, "RESIGNED").isEmpty(), "an hour of validity left: the kept signed artifact was sent");

        second.fleet().record().flush();
        String table = FleetStatus.table(FleetStatus.read(Path.of(c.workDir()), "acme"));
        System.out.print(table);
        for (String cam : List.of("a1", "a2", "a3")) {
            assertTrue(table.lines().anyMatch(l -> l.startsWith("acme") && l.contains(" " + cam + " ")
                    && l.contains(" v1 ") && l.contains("online") && l.contains("APPLIED v1")), table);
        }
        assertTrue(table.startsWith("acme: current version v1; latest rollout v1 COMPLETE"), table);
        Map<?, ?> json = ConfigFiles.JSON.readValue(FleetStatus.json(FleetStatus.read(Path.of(c.workDir()), "acme")),
                Map.class);
        assertEquals(3, ((List<?>) json.get("devices")).size());
        assertEquals(1, ((Map<?, ?>) ((Map<?, ?>) json.get("customers")).get("acme")).get("current"));
        assertThrows(IllegalArgumentException.class, () -> FleetStatus.read(Path.of(c.workDir()), "nobody"));
    }

    @Test
    void theRestWaitsForTheCanaryWhenTheRegistryAlreadyHoldsTheNewVersion() throws Exception {
        // the cloud writes an accepted update into the registry before its rollout begins
        CloudConfig c = rig.config("wayne", List.of("w1", "w2"), new RolloutSettings(1, 0, 3, 1, Map.of()), 1);
        FleetRig.Cloud cloud = rig.cloud(c, "wayne");
        rig.camera("wayne", "w1");
        rig.camera("wayne", "w2");
        await(30, "w1 and w2 heard from on v0", () -> version(cloud.fleet(), "wayne", "w1") == 0
                && version(cloud.fleet(), "wayne", "w2") == 0);
        assertEquals(1, cloud.fleet().rollout("wayne").current(), "looked at before the release, as the intake does");
        Fleet.Plan plan = cloud.fleet().begin(rig.releaseOf("wayne", rig.release("wayne", 1, FleetRig.model())));
        String canary = plan.canaries().get(0);
        String other = plan.rest().get(0);
        await(30, "the canary on v1", () -> version(cloud.fleet(), "wayne", canary) == 1);
        Thread.sleep(1500); // statuses of both cameras come in: the other one must still wait
        assertEquals(Phase.CANARY, cloud.fleet().rollout("wayne").rollout().phase());
        assertEquals(List.of(canary), events(c, "SHIPPED"), "only the canary was sent it before it proved v1");
        assertEquals(0, cloud.fleet().rollout("wayne").current());
        await(30, "the rest on v1 once the canary proved it", () -> version(cloud.fleet(), "wayne", other) == 1);
    }

    @Test
    void aCanaryWhoseModelFailsItsHealthCheckHaltsTheRolloutWithTheOthersOnTheOldVersion() throws Exception {
        CloudConfig c = rig.config("globex", List.of("g1", "g2"), new RolloutSettings(1, 0, 1, 1, Map.of()));
        FleetRig.Cloud cloud = rig.cloud(c, "globex");
        rig.camera("globex", "g1");
        rig.camera("globex", "g2");
        await(30, "g1 and g2 heard from", () -> version(cloud.fleet(), "globex", "g1") == 0
                && version(cloud.fleet(), "globex", "g2") == 0);
        byte[] model = FleetRig.model();
        byte[] broken = Arrays.copyOf(model, model.length / 2); // signed and whole, but ONNX Runtime cannot load it
        cloud.fleet().begin(rig.releaseOf("globex", rig.release("globex", 1, broken)));
        await(30, "the rollout halted", () -> cloud.fleet().rollout("globex").rollout().phase() == Phase.HALTED);
        CustomerRollout st = cloud.fleet().rollout("globex");
        String canary = st.rollout().canaries().get(0);
        String other = canary.equals("g1") ? "g2" : "g1";
        assertTrue(st.rollout().reason().contains("canary " + canary + ": ROLLED_BACK v1: health check failed"),
                st.rollout().reason());
        assertEquals(0, st.current());
        DeviceRecord r = cloud.fleet().record().get("globex", canary);
        assertEquals("ROLLED_BACK", r.lastOutcome().status());
        assertEquals(0, r.modelVersion(), "the canary runs v0 again");
        Thread.sleep(3000); // longer than healthySeconds: nothing more goes out
        assertEquals(0, version(cloud.fleet(), "globex", other));
        assertEquals(List.of(canary), events(c, "SHIPPED"), "only the canary was sent it");
        assertTrue(FleetRig.audit(c).read().stream().anyMatch(e -> "ROLLOUT_HALTED".equals(e.get("event"))
                && String.valueOf(e.get("reason")).contains("health check failed")));
    }

    @Test
    void aFleetRollbackReturnsEveryCameraToV0AndRefusesAVersionNoCameraHad() throws Exception {
        CloudConfig c = rig.config("initech", List.of("i1", "i2"), new RolloutSettings(0, 0, 1, 1, Map.of()));
        FleetRig.Cloud cloud = rig.cloud(c, "initech");
        rig.camera("initech", "i1");
        rig.camera("initech", "i2");
        await(30, "i1 and i2 heard from", () -> version(cloud.fleet(), "initech", "i1") == 0
                && version(cloud.fleet(), "initech", "i2") == 0);
        cloud.fleet().begin(rig.releaseOf("initech", rig.release("initech", 1, FleetRig.model())));
        await(30, "both on v1 (no canaries: all at once)", () -> version(cloud.fleet(), "initech", "i1") == 1
                && version(cloud.fleet(), "initech", "i2") == 1);
        cloud.fleet().record().flush();
        // a camera slow to report v1 may have been sent it again on its own topic (resendAfterSeconds 1): legit
        List<String> shippedBeforeRollback = events(c, "SHIPPED");
        assertEquals("profile cpu", shippedBeforeRollback.get(0), "v1 went out to both at once (no canaries)");

        IllegalArgumentException never = assertThrows(IllegalArgumentException.class,
                () -> FleetRollback.run(c, "initech", 7, List.of(), Duration.ofSeconds(5), System.out));
        assertTrue(never.getMessage().contains("initech/i1 never had version 7 (the fleet record shows [0, 1])")
                && never.getMessage().endsWith("nothing was sent"), never.getMessage());
        assertTrue(events(c, "ROLLBACK_SENT").isEmpty());

        FleetRollback.Result r = FleetRollback.run(c, "initech", 0, List.of(), Duration.ofSeconds(30), System.out);
        assertTrue(r.allApplied(), r.toString());
        await(30, "the record shows both on v0", () -> version(cloud.fleet(), "initech", "i1") == 0
                && version(cloud.fleet(), "initech", "i2") == 0);
        await(10, "the cloud took v0 as current", () -> cloud.fleet().rollout("initech").current() == 0);
        Thread.sleep(2500); // longer than resendAfterSeconds: v1 is not pushed back onto them
        assertEquals(0, version(cloud.fleet(), "initech", "i1"));
        assertEquals(0, version(cloud.fleet(), "initech", "i2"));
        assertEquals(shippedBeforeRollback, events(c, "SHIPPED"), "v1 is not sent again after the rollback");
    }

    /** Its signature has less validity left than a camera may need: it is signed anew before it is sent. */
    @Test
    void aCameraThatMissedTheUpdateGetsTheCurrentOneWhenItIsHeardFrom() throws Exception {
        CloudConfig c = rig.config("hooli", List.of("h1", "h2"), new RolloutSettings(0, 0, 1, 1, Map.of()));
        FleetRig.Cloud cloud = rig.cloud(c, "hooli");
        rig.camera("hooli", "h1");
        await(30, "h1 heard from", () -> version(cloud.fleet(), "hooli", "h1") == 0);
        Artifact v1 = rig.release("hooli", 1, FleetRig.model(), 120);
        cloud.fleet().begin(rig.releaseOf("hooli", v1));
        await(30, "h1 on v1", () -> version(cloud.fleet(), "hooli", "h1") == 1);
        assertEquals(DeviceRecord.NEVER_SEEN, cloud.fleet().record().get("hooli", "h2").connection());
        assertEquals(List.of("profile cpu"), events(c, "SHIPPED"), "no canaries: v1 went to h1 and h2 at once");
        rig.camera("hooli", "h2"); // new, or back after its session expired: v0
        // the version comes with h2's statuses, the model's hash with its APPLIED event: wait for both
        await(30, "h2 brought to v1", () -> version(cloud.fleet(), "hooli", "h2") == 1
                && v1.sha256().equals(cloud.fleet().record().get("hooli", "h2").modelSha256()));
        List<String> shipped = events(c, "SHIPPED");
        assertEquals("profile cpu", shipped.get(0), "h2: on the fan-out topic when it was away");
        // h1 may also have been sent it again if it reported v1 later than resendAfterSeconds (a loaded machine)
        assertEquals(1, java.util.Collections.frequency(shipped, "h2"), "h2: on its own topic once back: " + shipped);
        assertEquals(v1.sha256(), cloud.fleet().record().get("hooli", "h2").modelSha256());
        assertTrue(!events(c, "RESIGNED").isEmpty(), "two minutes of validity were too few: signed anew");
        Artifact kept = cloud.fleet().rollout("hooli").artifact(1, "cpu");
        assertTrue(kept.validFor(java.time.Instant.now(), Duration.ofMinutes(50)), "the fresh signature is kept");
        assertEquals(v1.sha256(), kept.sha256());
    }

    @Test
    void aCameraEnrolledWithoutAModelGetsItsCustomersCurrentOneOnFirstContact() throws Exception {
        CloudConfig c = rig.config("umbrella", List.of("u1", "u2"), new RolloutSettings(1, 0, 1, 1, Map.of()));
        FleetRig.Cloud cloud = rig.cloud(c, "umbrella");
        List<String> provided = new java.util.concurrent.CopyOnWriteArrayList<>();
        cloud.fleet().provision((customer, version, profile) -> { // as the cloud exports the registry's model
            provided.add(customer + " v" + version + " " + profile);
            return rig.release(customer, version, FleetRig.model());
        });
        org.diredi.edge.EdgeDevice u1 = rig.cameraWithoutModel("umbrella", "u1");
        Map<String, Object> first = u1.runtime().status();
        assertEquals(-1L, ((Number) first.get("modelVersion")).longValue(), first.toString());
        assertTrue(String.valueOf(first.get("model")).startsWith("none"), first.toString());
        await(30, "u1, enrolled without a model, runs the customer's v0",
                () -> version(cloud.fleet(), "umbrella", "u1") == 0 && u1.runtime().hasModel());
        assertEquals(0, u1.runtime().activeVersion());
        await(30, "u1 detects on its frames", () -> u1.runtime().stats().frames() > 0);
        assertEquals(List.of("umbrella v0 cpu"), provided, "made once, for its profile");
        assertEquals(List.of("null"), events(c, "PROVISIONED"));
        assertTrue(FleetRig.audit(c).read().stream().anyMatch(e -> "SHIPPED".equals(e.get("event"))
                && "u1".equals(e.get("device")) && "first model".equals(e.get("as"))), "sent as its first model");

        Fleet.Plan plan = cloud.fleet().begin(rig.releaseOf("umbrella", rig.release("umbrella", 1, FleetRig.model())));
        assertEquals(List.of("u1"), plan.canaries());
        await(30, "v1 proven on u1, the customer's current version", () -> cloud.fleet().rollout("umbrella")
                .current() == 1); // u2, never connected, has no session: what was sent to it is lost
        org.diredi.edge.EdgeDevice u2 = rig.cameraWithoutModel("umbrella", "u2");
        await(30, "u2, enrolled without a model after v1, runs v1 (no v0 first)",
                () -> version(cloud.fleet(), "umbrella", "u2") == 1 && u2.runtime().activeVersion() == 1);
        assertEquals(List.of("umbrella v0 cpu"), provided, "v1's artifact was at hand");
        assertEquals(List.of(1L), u2.runtime().store().versions());
    }
}
