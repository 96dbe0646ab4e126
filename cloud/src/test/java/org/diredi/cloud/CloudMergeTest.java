package org.diredi.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.gate.GatePolicy;
import org.diredi.messaging.DeltaDecision;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merge window: two customers' deltas within it become one gated update answered to both; off, two. */
class CloudMergeTest {

    @TempDir
    static Path dir;
    static EmbeddedBroker broker;
    static Map<String, Path> models;
    static KeyPair keys = Ed25519.generate();
    static Path acmeDelta;
    static Path globexDelta;
    static String added;

    @BeforeAll
    static void setUp() throws Exception {
        models = TestData.tinyTutorAndEdge(dir.resolve("m"), TestData.scenes(dir.resolve("data"), 8));
        // the added class must have validation objects, or the gate cannot verify its gain
        added = VocDataset.load(dir.resolve("data"), "val", ClassList.FASHION).images().stream()
                .flatMap(i -> i.objects().stream()).map(o -> ClassList.FASHION.name(o.classId())).findFirst()
                .orElseThrow();
        Ed25519.writePrivateKey(dir.resolve("k.pem"), keys.getPrivate());
        Ed25519.writePublicKey(dir.resolve("k.pub.pem"), keys.getPublic());
        String h = BrokerConfig.hashPassword("pw".toCharArray());
        broker = EmbeddedBroker.start(BrokerConfig.defaults().withPort(0).withDataDir(dir.resolve("broker")).withUsers(
                List.of(new BrokerConfig.User("cloud", h, BrokerConfig.CLOUD, null, null),
                        new BrokerConfig.User("acme-onprem", h, BrokerConfig.ONPREM, "acme", null),
                        new BrokerConfig.User("globex-onprem", h, BrokerConfig.ONPREM, "globex", null))));
        acmeDelta = delta("acme", List.of(added), 1);
        globexDelta = delta("globex", List.of(), 2);
    }

    @AfterAll
    static void tearDown() {
        broker.close();
    }

    /** A small delta against the tiny tutor (neck + head noise), with RD A / RD B image counts. */
    static Path delta(String customer, List<String> added, long seed) throws Exception {
        Checkpoint tutor = Checkpoint.read(models.get("tutor"));
        Random r = new Random(seed);
        List<TensorFile.Tensor> noise = tutor.weights().stream().filter(t -> KnowledgeDelta.parts(false).test(t.name()))
                .map(t -> {
                    float[] v = new float[t.data().length];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (r.nextGaussian() * 1e-4);
                    }
                    return new TensorFile.Tensor(t.name(), t.shape(), v);
                }).toList();
        Path f = dir.resolve(customer + ".delta");
        KnowledgeDelta.write(f, new DeltaManifest(null, null, tutor.manifest().id(), tutor.manifest().weightsSha256(),
                ClassList.FASHION.names(), added, List.of(), 1.0, "neck+head", null, Map.of(
                        "rdA", Map.of("images", 12, "objects", 30), "rdB", Map.of("images", 8, "objects", 20)),
                0, 0, 0, null, Map.of("customer", customer)), noise, false);
        return f;
    }

    static CloudConfig config(String work, long windowSeconds) {
        CloudConfig.Customer c = new CloudConfig.Customer(models.get("tutor").toString(), models.get("edge").toString(),
                "tiny/edge", 0, List.of(new CloudConfig.Device("cam1", "cpu")));
        return CloudConfig.DEFAULTS.with(Map.ofEntries(Map.entry("broker", broker.serverUri()),
                Map.entry("password", "pw"), Map.entry("signingKey", dir.resolve("k.pem").toString()),
                Map.entry("publicKey", dir.resolve("k.pub.pem").toString()),
                Map.entry("workDir", dir.resolve(work).toString()), Map.entry("data", dir.resolve("data").toString()),
                Map.entry("gate", new GatePolicy(Map.of(), 100.0, -100.0, null)), Map.entry("distillCEpochs", 1),
                Map.entry("distillCBatch", 4), Map.entry("otaExpiryHours", 1), Map.entry("chunkBytes", 4096),
                Map.entry("merge", Map.of("windowSeconds", windowSeconds, "strategy", "perClass")),
                Map.entry("customers", Map.of("acme", c, "globex", c))));
    }

    static MqttLink onprem(String user) {
        MqttLink l = new MqttLink(MqttLink.Options.of(broker.serverUri(), user).withCredentials(user, "pw"));
        l.connect();
        return l;
    }

    /** Both deltas enqueued at once; the decisions as each customer's on-prem PC receives them. */
    static Map<String, DeltaDecision> decide(String work, long windowSeconds) throws Exception {
        BlockingQueue<DeltaDecision> got = new LinkedBlockingQueue<>();
        try (CloudService cloud = new CloudService(config(work, windowSeconds), System.out);
             MqttLink acme = onprem("acme-onprem"); MqttLink globex = onprem("globex-onprem")) {
            acme.subscribe(Topics.decision("acme"), 1, (t, p, u) -> got.add(DeltaDecision.fromJson(p)));
            globex.subscribe(Topics.decision("globex"), 1, (t, p, u) -> got.add(DeltaDecision.fromJson(p)));
            cloud.start();
            cloud.enqueue("t-acme", "acme", acmeDelta);
            cloud.enqueue("t-globex", "globex", globexDelta);
            Map<String, DeltaDecision> byId = new java.util.TreeMap<>();
            for (int i = 0; i < 2; i++) {
                DeltaDecision d = got.poll(5, TimeUnit.MINUTES);
                assertNotNull(d, "a decision reached each customer");
                byId.put(d.transferId(), d);
            }
            return byId;
        }
    }

    static long updatesVerified(String work) throws Exception {
        try (var s = Files.walk(dir.resolve(work).resolve("jobs"))) {
            return s.filter(p -> p.getFileName().toString().equals("tutor-updated.ckpt")).count();
        }
    }

    static List<Map<String, Object>> audit(String work) {
        return new AuditLog(dir.resolve(work).resolve("audit.jsonl")).read();
    }

    @Test
    void twoDeltasWithinTheWindowAreOneGatedUpdateAnsweredToBoth() throws Exception {
        Map<String, DeltaDecision> d = decide("cloud-merge", 5);
        assertEquals(List.of("t-acme", "t-globex"), List.copyOf(d.keySet()));
        for (DeltaDecision x : d.values()) {
            assertEquals("ACCEPTED", x.status(), x.reason());
            assertEquals(1, x.modelVersion());
            assertTrue(x.reason().contains("merged from 2 customers' deltas: t-acme, t-globex"), x.reason());
        }
        assertEquals(d.get("t-acme").perClassAp().keySet(), d.get("t-globex").perClassAp().keySet());
        assertEquals(1, updatesVerified("cloud-merge"), "Eq. 10 and the gate ran once, on the merged delta");
        KnowledgeDelta merged = KnowledgeDelta.read(dir.resolve("cloud-merge/jobs/merge-t-acme/merged.delta"));
        assertEquals("t-acme,t-globex", merged.manifest().provenance().get("mergedFrom"));
        assertEquals(List.of(added), merged.manifest().classesAdded());
        assertEquals(Map.of("images", 24, "objects", 60), merged.manifest().dataCounts().get("rdA"));
        List<Map<String, Object>> audit = audit("cloud-merge");
        assertEquals(1, audit.stream().filter(e -> "MERGED".equals(e.get("event"))).count(), audit.toString());
        assertEquals(2, audit.stream().filter(e -> "DECIDED".equals(e.get("event"))).count(), audit.toString());
    }

    @Test
    void withTheWindowOffEachDeltaIsDecidedAlone() throws Exception {
        Map<String, DeltaDecision> d = decide("cloud-alone", 0);
        for (DeltaDecision x : d.values()) {
            assertEquals("ACCEPTED", x.status(), x.reason());
            assertTrue(!x.reason().contains("merged"), x.reason());
        }
        assertEquals(2, updatesVerified("cloud-alone"), "each delta applied and gated on its own");
        assertTrue(audit("cloud-alone").stream().noneMatch(e -> "MERGED".equals(e.get("event"))));
    }

    @Test
    void onCommandTheWaitingDeltasOfAGroupAreMergedOrDecidedAsOneAndServeAnswersBoth() throws Exception {
        CloudConfig c = config("cloud-command", 0);
        org.diredi.cloud.jobs.JobStore store = new org.diredi.cloud.jobs.JobStore(dir.resolve("cloud-command/queue"));
        store.enqueue("t-acme", "acme", acmeDelta);
        store.enqueue("t-globex", "globex", globexDelta);
        CloudMerge merge = new CloudMerge(c, System.out);
        assertEquals(List.of("t-acme", "t-globex"), merge.waiting("globex").stream()
                .map(org.diredi.cloud.jobs.JobStore.Job::transferId).sorted().toList());
        Path out = dir.resolve("cloud-command/merged.delta");
        assertEquals(2, merge.write("acme", out).manifest().provenance().get("mergedFrom").split(",").length);
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> merge.waiting("mallory")).getMessage().contains("no customer 'mallory'"));

        List<DeltaDecision> decided = merge.decide("acme");
        assertEquals(2, decided.size());
        decided.forEach(d -> assertTrue(d.reason().contains("merged from 2 customers' deltas"), d.reason()));
        assertEquals(1, updatesVerified("cloud-command"));
        assertTrue(merge.waiting("acme").isEmpty(), "decided: no longer waiting");
        BlockingQueue<DeltaDecision> got = new LinkedBlockingQueue<>();
        try (MqttLink acme = onprem("acme-onprem"); MqttLink globex = onprem("globex-onprem")) {
            acme.subscribe(Topics.decision("acme"), 1, (t, p, u) -> got.add(DeltaDecision.fromJson(p)));
            globex.subscribe(Topics.decision("globex"), 1, (t, p, u) -> got.add(DeltaDecision.fromJson(p)));
            try (CloudService cloud = new CloudService(c, System.out)) {
                cloud.start(); // finishes the decided jobs: rollout, audit, answer
                for (int i = 0; i < 2; i++) {
                    DeltaDecision d = got.poll(2, TimeUnit.MINUTES);
                    assertNotNull(d, "serve answered each customer");
                    assertEquals("ACCEPTED", d.status(), d.reason());
                }
            }
        }
        assertEquals(1, updatesVerified("cloud-command"), "serve did not decide them again");
    }
}
