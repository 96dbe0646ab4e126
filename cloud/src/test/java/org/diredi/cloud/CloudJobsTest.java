package org.diredi.cloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.cloud.jobs.CustomerLock;
import org.diredi.cloud.jobs.JobStore;
import org.diredi.messaging.DeltaDecision;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.MessagingException;
import org.diredi.messaging.RejectedByBroker;
import org.diredi.messaging.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The intake and its workers (jobs.shared) against the embedded broker, with deltas that fail validation
 * (decided in milliseconds): one job per customer at a time, a job announced while no worker listened is
 * announced again, a redelivered job with a decision is not decided again, a customer locked by another
 * worker is left to it, and what a worker account may do.
 */
class CloudJobsTest {

    @TempDir
    static Path dir;
    static EmbeddedBroker broker;

    @BeforeAll
    static void setUp() throws Exception {
        KeyPair keys = Ed25519.generate();
        Ed25519.writePrivateKey(dir.resolve("k.pem"), keys.getPrivate());
        Ed25519.writePublicKey(dir.resolve("k.pub.pem"), keys.getPublic());
        Files.writeString(dir.resolve("junk.delta"), "not a knowledge delta");
        String h = BrokerConfig.hashPassword("pw".toCharArray());
        broker = EmbeddedBroker.start(BrokerConfig.defaults().withPort(0).withDataDir(dir.resolve("broker")).withUsers(
                List.of(new BrokerConfig.User("cloud", h, BrokerConfig.CLOUD, null, null),
                        new BrokerConfig.User("worker", h, BrokerConfig.WORKER, null, null))));
    }

    @AfterAll
    static void tearDown() {
        broker.close();
    }

    static CloudConfig config(String work, String user, long redeliverSeconds) {
        CloudConfig.Customer c = new CloudConfig.Customer("tutor.ckpt", "edge.ckpt", "tiny/edge", 0, List.of());
        return CloudConfig.DEFAULTS.with(Map.of("broker", broker.serverUri(), "username", user, "password", "pw",
                "signingKey", dir.resolve("k.pem").toString(), "publicKey", dir.resolve("k.pub.pem").toString(),
                "workDir", dir.resolve(work).toString(), "customers", Map.of("acme", c, "beta", c),
                "jobs", Map.of("shared", true, "group", "g-" + work, "redeliverSeconds", redeliverSeconds)));
    }

    static MqttLink watcher(String id, BlockingQueue<String> announced) {
        MqttLink l = new MqttLink(MqttLink.Options.of(broker.serverUri(), "cloud." + id).withCredentials("cloud", "pw"));
        l.subscribe(Topics.ALL_JOBS, 1, (t, p, u) -> announced.add(new String(p, StandardCharsets.UTF_8)));
        l.connect();
        return l;
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 30 s for: " + what);
            Thread.sleep(50);
        }
    }

    @Test
    void aCustomersNextJobIsAnnouncedOnlyOnceThePreviousOneIsDecided() throws Exception {
        BlockingQueue<String> announced = new LinkedBlockingQueue<>();
        try (CloudService intake = new CloudService(config("serial", "cloud", 3600), System.out);
             MqttLink w = watcher("w1", announced)) {
            intake.start();
            intake.enqueue("a1", "acme", dir.resolve("junk.delta"));
            intake.enqueue("a2", "acme", dir.resolve("junk.delta"));
            intake.enqueue("b1", "beta", dir.resolve("junk.delta"));
            String first = announced.poll(10, TimeUnit.SECONDS);
            String second = announced.poll(10, TimeUnit.SECONDS);
            assertTrue(first.contains("\"a1\"") && second.contains("\"b1\""), first + " / " + second);
            assertNull(announced.poll(3, TimeUnit.SECONDS), "a2 waits while a1 is undecided");
            JobStore store = new JobStore(dir.resolve("serial/queue"));
            store.commit("a1", JobStore.Verdict.rejected("acme", Decider.decision("a1", "REJECTED", "test", Map.of(), -1)));
            String third = announced.poll(10, TimeUnit.SECONDS);
            assertTrue(third != null && third.contains("\"a2\""), "a2 once a1 has its decision: " + third);
            await("a1 finished", () -> store.done("a1").isPresent());
            assertEquals(List.of("a2", "b1"), intake.pending());
        }
    }

    @Test
    void aJobAnnouncedWhileNoWorkerListenedIsAnnouncedAgain() throws Exception {
        BlockingQueue<String> announced = new LinkedBlockingQueue<>();
        try (CloudService intake = new CloudService(config("again", "cloud", 1), System.out)) {
            intake.start();
            intake.enqueue("x1", "acme", dir.resolve("junk.delta"));
            Thread.sleep(1500); // announced to nobody: the broker drops it
            try (MqttLink w = watcher("w2", announced)) {
                String again = announced.poll(10, TimeUnit.SECONDS);
                assertTrue(again != null && again.contains("\"x1\""), "announced again: " + again);
            }
        }
    }

    @Test
    void aRedeliveredJobWithADecisionIsNotDecidedAgain() throws Exception {
        List<DeltaDecision> decisions = new CopyOnWriteArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream workerOut = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (CloudService intake = new CloudService(config("once", "cloud", 3600), System.out);
             CloudWorker worker = new CloudWorker(config("once", "worker", 3600), workerOut)) {
            intake.onDecision(decisions::add);
            intake.start();
            worker.start();
            intake.enqueue("r1", "acme", dir.resolve("junk.delta"));
            await("r1 decided", () -> decisions.size() == 1);
            assertEquals("REJECTED", decisions.get(0).status(), decisions.get(0).reason());
            Path verdict = dir.resolve("once/queue/r1.verdict.json");
            byte[] before = Files.readAllBytes(verdict);
            long modified = Files.getLastModifiedTime(verdict).toMillis();
            try (MqttLink cloud = new MqttLink(MqttLink.Options.of(broker.serverUri(), "cloud.again")
                    .withCredentials("cloud", "pw"))) {
                cloud.connect(); // the broker gives the job out again (as after a lost acknowledgement)
                cloud.publish(Topics.job("acme"), new JobStore(dir.resolve("once/queue")).job("r1").orElseThrow().toJson(),
                        1, false, Map.of());
            }
            await("the worker saw it again", () -> log.toString(StandardCharsets.UTF_8).contains("was decided before"));
            assertArrayEquals(before, Files.readAllBytes(verdict), "the verdict is the first one");
            assertEquals(modified, Files.getLastModifiedTime(verdict).toMillis());
            Thread.sleep(1500);
            assertEquals(1, decisions.size(), "answered once");
            assertEquals(1, intake.audit().read().stream().filter(e -> "DECIDED".equals(e.get("event"))).count());
        }
    }

    @Test
    void aJobWhoseCustomerAnotherWorkerHoldsIsLeftToIt() throws Exception {
        CloudConfig c = config("held", "worker", 3600);
        JobStore store = new JobStore(dir.resolve("held/queue"));
        JobStore.Job job = store.enqueue("h1", "acme", dir.resolve("junk.delta")).orElseThrow();
        Decider decider = new Decider(CloudService.Parts.of(c, System.out), store, "test");
        try (CustomerLock held = CustomerLock.tryLock(store.locks(), "acme")) {
            assertTrue(held != null && CustomerLock.held(store.locks(), "acme"));
            assertEquals(Decider.Outcome.HELD_ELSEWHERE, decider.take(job));
            assertTrue(store.verdict("h1").isEmpty(), "not decided beside the holder");
        }
        assertEquals(Decider.Outcome.DECIDED, decider.take(job));
        assertEquals(Decider.Outcome.ALREADY_DECIDED, decider.take(job));
        assertEquals("REJECTED", store.verdict("h1").orElseThrow().decision().status());
    }

    /**
     * With Receive Maximum 1 a worker holds one unacknowledged job and the broker keeps the rest for the group
     * (the embedded broker assigns a client no more than its Receive Maximum at once): a worker that joins
     * later gets one of the waiting jobs at once, and a worker gets its next job when it acknowledges one.
     */
    @Test
    void eachWorkerHoldsOneUnacknowledgedJobAndTheRestWaitForTheGroup() throws Exception {
        BlockingQueue<String> a = new LinkedBlockingQueue<>();
        BlockingQueue<String> b = new LinkedBlockingQueue<>();
        List<Runnable> acksA = new CopyOnWriteArrayList<>();
        List<Runnable> acksB = new CopyOnWriteArrayList<>();
        try (MqttLink wa = held("worker.a", "hold", a, acksA);
             MqttLink cloud = new MqttLink(MqttLink.Options.of(broker.serverUri(), "cloud.pub")
                     .withCredentials("cloud", "pw"))) {
            cloud.connect();
            for (int i = 0; i < 4; i++) {
                cloud.publish(Topics.job("c" + i), ("j" + i).getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
            }
            await("a holds a job", () -> a.size() == 1);
            try (MqttLink wb = held("worker.b", "hold", b, acksB)) {
                await("b, joining, gets a waiting job", () -> b.size() == 1);
                Thread.sleep(1000);
                assertEquals(List.of(1, 1), List.of(a.size(), b.size()), "one each: " + a + " " + b);
                acksA.get(0).run();
                await("a's next job after its acknowledgement", () -> a.size() == 2);
                Thread.sleep(1000);
                assertEquals(3, a.size() + b.size(), a + " " + b);
            }
        }
    }

    /**
     * HiveMQ CE offers a waiting shared message to an idle member only when it subscribes (or acknowledges):
     * a job published while another member holds one waits, however idle this one is, until it subscribes
     * again (what an idle {@link CloudWorker} does every {@link CloudWorker#IDLE_PULL_SECONDS} s).
     */
    @Test
    void anIdleWorkerGetsAWaitingJobWhenItSubscribesAgain() throws Exception {
        BlockingQueue<String> a = new LinkedBlockingQueue<>();
        BlockingQueue<String> b = new LinkedBlockingQueue<>();
        try (MqttLink wa = held("worker.c", "idle", a, new CopyOnWriteArrayList<>());
             MqttLink wb = held("worker.d", "idle", b, new CopyOnWriteArrayList<>());
             MqttLink cloud = new MqttLink(MqttLink.Options.of(broker.serverUri(), "cloud.pub2")
                     .withCredentials("cloud", "pw"))) {
            cloud.connect();
            cloud.publish(Topics.job("c0"), "k0".getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
            await("one holds k0", () -> a.size() + b.size() == 1);
            BlockingQueue<String> idle = a.isEmpty() ? a : b;
            MqttLink idleLink = idle == a ? wa : wb;
            cloud.publish(Topics.job("c1"), "k1".getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
            Thread.sleep(2000);
            assertTrue(idle.isEmpty(), "the broker does not offer k1 to the idle member: " + idle);
            idleLink.subscribeAcked(Topics.sharedJobs("idle"), 1, (t, p, u, ack) -> idle.add(new String(p,
                    StandardCharsets.UTF_8)));
            await("k1 once the idle member subscribed again", () -> idle.contains("k1"));
        }
    }

    private static MqttLink held(String clientId, String group, BlockingQueue<String> got, List<Runnable> acks) {
        MqttLink l = new MqttLink(MqttLink.Options.of(broker.serverUri(), clientId).withCredentials("worker", "pw"))
                .manualAcks(1);
        l.subscribeAcked(Topics.sharedJobs(group), 1, (t, p, u, ack) -> {
            got.add(new String(p, StandardCharsets.UTF_8));
            acks.add(ack);
        });
        l.connect();
        return l;
    }

    @Test
    void aWorkerAccountTakesJobsAndReportsDecisionsAndNothingElse() {
        MqttLink w = new MqttLink(MqttLink.Options.of(broker.serverUri(), "worker.acl").withCredentials("worker", "pw"));
        try (w) {
            w.connect();
            w.subscribe(Topics.sharedJobs("any"), 1, (t, p, u) -> { });
            w.publish(Topics.decided("acme"), "x".getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
            for (String filter : List.of(Topics.ALL_DELTAS + "/#", Topics.ALL_STATUS, Topics.ALL_DECIDED)) {
                assertTrue(throwsRejected(() -> w.subscribe(filter, 1, (t, p, u) -> { })), filter);
            }
        }
        for (String topic : List.of(Topics.job("acme"), Topics.decision("acme"), Topics.ota("acme", "cam") + "/manifest")) {
            // refused (0x87), in a PUBACK or by closing the connection
            try (MqttLink p = new MqttLink(MqttLink.Options.of(broker.serverUri(), "worker.p")
                    .withCredentials("worker", "pw").withAutomaticReconnect(false))) {
                p.connect();
                MessagingException e = assertThrows(MessagingException.class,
                        () -> p.publish(topic, new byte[1], 1, false, Map.of()), topic);
                assertTrue(e instanceof RejectedByBroker || e.getMessage().contains("Not authorized"), e.getMessage());
            }
        }
    }

    private static boolean throwsRejected(Runnable r) {
        try {
            r.run();
            return false;
        } catch (RejectedByBroker e) {
            return true;
        }
    }
}
