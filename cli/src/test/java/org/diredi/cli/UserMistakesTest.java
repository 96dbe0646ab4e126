package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.bench.training.ChildJvm;
import org.diredi.broker.BrokerConfig;
import org.diredi.bench.training.ChildJvm;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.junit.jupiter.api.BeforeAll;
import org.diredi.bench.training.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's mistakes end in one line naming the file or option and the problem, exit code 2, no stack
 * trace (unless --debug), before any long work; and what can go on despite a bad input does.
 */
class UserMistakesTest {

    @TempDir
    static Path tmp;

    static Path data;
    static Path edgeCk;

    /** Four FashionScenes images and an untrained tiny/edge checkpoint in {@code dir}: enough to run any command. */
    record Fixture(Path data, Path edgeCk) {
        static Fixture in(Path dir) {
            Path scenes = dir.resolve("scenes");
            TestData.scenes(scenes, 4);
            Path ck = dir.resolve("tiny-edge.ckpt");
            writeRandom(ck, Presets.get("tiny/edge"));
            return new Fixture(scenes, ck);
        }
    }

    @BeforeAll
    static void setUp() {
        Fixture f = Fixture.in(tmp);
        data = f.data();
        edgeCk = f.edgeCk();
    }

    static void writeRandom(Path file, ModelConfig mc) {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector model = new FcosDetector(mc, ClassList.FASHION).init(m);
            Checkpoint.write(file, Manifest.builder("edge", mc, ClassList.FASHION.names())
                    .training(TrainConfig.DEFAULTS).progress(new Manifest.Progress(1, 1, 1)).metrics(Map.of()).build(),
                    ModelWeights.snapshot(model), null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static BadInputTest.Outcome run(String... args) {
        return BadInputTest.run(args);
    }

    static void assertOneLine(BadInputTest.Outcome o, String... fragments) {
        assertEquals(2, o.code(), "exit code; stderr: " + o.err());
        assertTrue(o.err().startsWith("error: "), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace without --debug: " + o.err());
        for (String f : fragments) {
            assertTrue(o.err().contains(f), "'" + f + "' missing from: " + o.err());
        }
    }

    @Test
    void initWithAnotherPresetIsAnErrorNamingBoth() {
        assertOneLine(run("train", "--data", data.toString(), "--preset", "tiny/tutor", "--init", edgeCk.toString(),
                "--epochs", "1", "--val-split", "none", "--out", tmp.resolve("t1").toString()),
                "tiny-edge.ckpt", "tiny/edge", "tiny/tutor");
        assertFalse(Files.exists(tmp.resolve("t1")), "refused before any work");
        assertOneLine(run("distill", "--teacher", edgeCk.toString(), "--student-preset", "tiny/tutor", "--init",
                edgeCk.toString(), "--data", data.toString(), "--epochs", "1", "--val-split", "none", "--out",
                tmp.resolve("d1").toString()), "tiny-edge.ckpt", "tiny/edge", "tiny/tutor");
        // without --preset the checkpoint's architecture is trained, as before
        BadInputTest.Outcome same = run("train", "--data", data.toString(), "--init", edgeCk.toString(), "--epochs",
                "1", "--val-split", "none", "--out", tmp.resolve("t2").toString());
        assertEquals(0, same.code(), same.err());
        assertTrue(same.out().contains("training tiny/edge"), same.out());
    }

    @Test
    void anExistingFileWhereAFolderIsExpectedIsOneLine() throws IOException {
        Path file = tmp.resolve("results.txt");
        Files.writeString(file, "keep me");
        assertOneLine(run("train", "--data", data.toString(), "--preset", "tiny/edge", "--epochs", "1", "--out",
                file.toString()), "--out", "results.txt", "folder");
        assertOneLine(run("detect", "--checkpoint", edgeCk.toString(), "--input", data.resolve("JPEGImages")
                .toString(), "--out", file.toString()), "--out", "results.txt", "folder");
        assertOneLine(run("eval", "--checkpoint", edgeCk.toString(), "--data", file.toString()), "--data", "folder");
        assertOneLine(run("train", "--data", data.toString(), "--out", file.resolve("sub").toString()), "--out",
                "results.txt is a file");
        assertOneLine(run("train", "--data", tmp.resolve("no-such-data").toString(), "--out",
                tmp.resolve("t3").toString()), "no-such-data", "not found");
        assertEquals("keep me", Files.readString(file));
        BadInputTest.Outcome debug = run("--debug", "train", "--data", data.toString(), "--out", file.toString());
        assertEquals(2, debug.code());
        assertTrue(debug.err().contains("\tat "), "--debug shows the trace: " + debug.err());
    }

    @Test
    void benchDeltaMergeNamesAMissingDeltaAndADeltaOfAnotherTutor() throws IOException {
        Path notADelta = tmp.resolve("not-a.delta");
        Files.writeString(notADelta, "not a delta");
        assertOneLine(run("bench", "delta-merge", tmp.resolve("gone.delta").toString(), notADelta.toString(),
                "--tutor", edgeCk.toString(), "--data", data.toString()), "gone.delta", "not found");
        assertOneLine(run("bench", "delta-merge", notADelta.toString(), notADelta.toString(), "--tutor",
                edgeCk.toString(), "--data", data.toString(), "--out", tmp.resolve("m").toString()), "not-a.delta");
    }

    @Test
    void aMissingKeyFileIsOneLine() throws IOException {
        Path cfg = tmp.resolve("cloud.yaml");
        Files.writeString(cfg, "signingKey: " + tmp.resolve("no-such.key.pem") + "\npublicKey: "
                + tmp.resolve("no-such.pub.pem") + "\nworkDir: " + tmp.resolve("cloud") + "\n");
        assertOneLine(run("cloud", "serve", "--config", cfg.toString()), "no-such.key.pem", "not found");
    }

    @Test
    void onpremChecksItsBrokerAndAccountBeforeTraining() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        // Inputs that would fail the training: the broker must be what is reported, before any of it.
        assertOneLine(run("onprem", "run", "--config", onpremConfig("unreachable", "tcp://127.0.0.1:" + port,
                "acme-onprem", "pw").toString()), "127.0.0.1:" + port);
        String h = BrokerConfig.hashPassword("pw".toCharArray());
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.defaults().withPort(0)
                .withDataDir(tmp.resolve("broker")).withUsers(List.of(
                        new BrokerConfig.User("acme-onprem", h, BrokerConfig.ONPREM, "acme", null),
                        new BrokerConfig.User("other-onprem", h, BrokerConfig.ONPREM, "other", null))))) {
            assertOneLine(run("onprem", "run", "--config", onpremConfig("bad-password", broker.serverUri(),
                    "acme-onprem", "wrong").toString()), "refused", "acme-onprem");
            assertOneLine(run("onprem", "run", "--config", onpremConfig("other-account", broker.serverUri(),
                    "other-onprem", "pw").toString()), "diredi/v1/customers/acme");
        }
    }

    /** An on-prem config whose models and data do not exist: any training would fail on them first. */
    private static Path onpremConfig(String name, String brokerUri, String user, String password) throws IOException {
        Path cfg = tmp.resolve(name + ".yaml");
        Files.writeString(cfg, String.join("\n", "customer: acme", "broker: " + brokerUri, "username: " + user,
                "password: " + password, "edgeModel: " + tmp.resolve("missing-edge.ckpt"),
                "tutor: " + tmp.resolve("missing-tutor.ckpt"), "presumedData: " + tmp.resolve("missing-data"),
                "privateData: " + tmp.resolve("missing-private"), "workDir: " + tmp.resolve("onprem-" + name), ""));
        return cfg;
    }

    @Test
    void detectSkipsBadImagesListsThemAndStillWritesItsJson() throws IOException {
        Path in = tmp.resolve("detect-in");
        Files.createDirectories(in);
        List<Path> good;
        try (var s = Files.list(data.resolve("JPEGImages"))) {
            good = s.sorted().limit(2).toList();
        }
        Files.copy(good.get(0), in.resolve("a.jpg"));
        Files.write(in.resolve("b.jpg"), "not a jpeg".getBytes());
        Files.copy(good.get(1), in.resolve("c.jpg"));
        Path out = tmp.resolve("detect-out");
        BadInputTest.Outcome o = run("detect", "--checkpoint", edgeCk.toString(), "--input", in.toString(), "--out",
                out.toString());
        assertEquals(0, o.code(), o.err());
        String json = Files.readString(out.resolve("detections.json"));
        assertTrue(json.contains("a.jpg") && json.contains("c.jpg") && !json.contains("b.jpg"), json);
        assertTrue(Files.exists(out.resolve("c.png")), "the image after the bad one is processed too");
        assertTrue(o.out().contains("skipped 1") && o.out().contains("b.jpg"), o.out());
        Path allBad = tmp.resolve("detect-bad");
        Files.createDirectories(allBad);
        Files.write(allBad.resolve("x.png"), new byte[0]);
        assertOneLine(run("detect", "--checkpoint", edgeCk.toString(), "--input", allBad.toString(), "--out",
                tmp.resolve("detect-bad-out").toString()), "x.png");
    }

    @Test
    void aMissingValidationSplitSaysHowToGoWithoutOne() throws IOException {
        Path noVal = tmp.resolve("no-val");
        TestData.scenes(noVal, 4);
        Files.delete(noVal.resolve("ImageSets/Main/val.txt"));
        assertOneLine(run("train", "--data", noVal.toString(), "--preset", "tiny/edge", "--epochs", "1", "--out",
                tmp.resolve("nv").toString()), "val.txt", "--val-split none");
    }

    @Test
    void configMistakesNameTheFileTheKeyAndTheLine() throws IOException {
        Path cfg = tmp.resolve("train.yaml");
        Files.writeString(cfg, "batchSize: 2\nepochs: 1.7\n");
        assertOneLine(run("train", "--data", data.toString(), "--config", cfg.toString(), "--out",
                tmp.resolve("c1").toString()), "train.yaml", "line 2", "epochs", "1.7");
        Files.writeString(cfg, "epochs: 1\nbatchSize: 2\nepochs: 3\n");
        assertOneLine(run("train", "--data", data.toString(), "--config", cfg.toString(), "--out",
                tmp.resolve("c2").toString()), "train.yaml", "line 3", "epochs", "twice");
    }

    @Test
    void loadingACheckpointPrintsNoLibtorchDeprecationWarning() throws Exception {
        // libtorch warns once per process, so a fresh JVM: DJL's NDArray.set(Buffer) triggered it.
        Path log = tmp.resolve("eval-child.log");
        ChildJvm.Outcome o = ChildJvm.run(System.getProperty("java.class.path"), List.of("-Dai.djl.offline=true",
                "-Djava.awt.headless=true"), Diredi.class.getName(), List.of("eval", "--checkpoint", edgeCk.toString(),
                "--data", data.toString(), "--split", "test"), log, 300);
        assertEquals(0, o.exitCode(), o.output());
        assertFalse(o.output().contains("deprecated"), o.output());
        assertFalse(o.output().contains("Warning"), o.output());
    }
}
