package org.diredi.cli;

import static org.diredi.cli.UserMistakesTest.assertOneLine;
import static org.diredi.cli.UserMistakesTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.gate.GateDecision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --device} on every command that runs a model: cpu works, a GPU that is not there and a misspelt
 * device are one line naming the option (or the settings file) and what is available, exit 2, before any
 * work; the cloud's and on-prem trainer's {@code device} settings are checked the same way.
 */
class DeviceOptionTest {

    @TempDir
    static Path tmp;

    static Path data;
    static Path edgeCk;

    @BeforeAll
    static void setUp() {
        UserMistakesTest.Fixture f = UserMistakesTest.Fixture.in(tmp);
        data = f.data();
        edgeCk = f.edgeCk();
    }

    /** The commands that run a model, each complete but for --device; {@code out} is where each would write. */
    private static List<List<String>> commands(Path out) {
        String ck = edgeCk.toString();
        String d = data.toString();
        return List.of(
                List.of("eval", "--checkpoint", ck, "--data", d, "--out", out.resolve("eval").toString()),
                List.of("detect", "--checkpoint", ck, "--input", data.resolve("JPEGImages").toString(), "--out",
                        out.resolve("detect").toString()),
                List.of("gate", "--before", ck, "--after", ck, "--data", d, "--split", "test", "--out",
                        out.resolve("gate").toString()),
                List.of("train", "--data", d, "--preset", "tiny/edge", "--epochs", "1", "--val-split", "none",
                        "--out", out.resolve("train").toString()),
                List.of("distill", "--teacher", ck, "--student-preset", "tiny/edge", "--data", d, "--epochs", "1",
                        "--val-split", "none", "--out", out.resolve("distill").toString()),
                List.of("pretrain", "--preset", "tiny/edge", "--epochs", "1", "--images", "64", "--batch", "32",
                        "--out", out.resolve("pretrain.backbone").toString()),
                List.of("experiment", "run", "../experiments/exp1-learn-boot.yaml", "--out",
                        out.resolve("experiment").toString()),
                List.of("demo", "--out", out.resolve("demo").toString()),
                List.of("bench", "train", "--data", d, "--out", out.resolve("bench-train").toString()),
                List.of("bench", "distill", "--data", d, "--out", out.resolve("bench-distill").toString()));
    }

    private static String[] with(List<String> command, String... more) {
        List<String> all = new java.util.ArrayList<>(command);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void aGpuWhereThereIsNoneIsOneLineNamingTheOptionAndWhatIsAvailable() throws IOException {
        assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a CUDA GPU");
        Path out = tmp.resolve("gpu");
        for (List<String> c : commands(out)) {
            for (String gpu : new String[] {"gpu", "gpu:1"}) {
                assertOneLine(run(with(c, "--device", gpu)), "--device " + gpu + ": libtorch sees no CUDA GPU",
                        "README, GPU", "available: cpu");
            }
        }
        assertFalse(Files.exists(out), "refused before any work");
    }

    @Test
    void aMisspeltDeviceIsOneLine() {
        Path out = tmp.resolve("misspelt");
        for (List<String> c : commands(out)) {
            assertOneLine(run(with(c, "--device", "cuda:0")), "--device must be cpu, gpu or gpu:N, got 'cuda:0'");
        }
        assertFalse(Files.exists(out), "refused before any work");
    }

    @Test
    void onCpuTheCommandsRun() throws IOException {
        Path out = tmp.resolve("cpu");
        for (List<String> c : commands(out).subList(0, 4)) {
            BadInputTest.Outcome o = run(with(c, "--device", "cpu"));
            // the gate judges two random models: accepted (0) or rejected (10), either is a run
            assertTrue(o.code() == 0 || c.get(0).equals("gate") && o.code() == GateDecision.EXIT_REJECTED,
                    c + ": exit " + o.code() + ", " + o.err());
        }
        assertTrue(Files.exists(out.resolve("eval/eval.json")));
        assertTrue(Files.exists(out.resolve("detect/detections.json")));
        assertTrue(Files.exists(out.resolve("gate/gate.json")));
        assertEquals("cpu", Checkpoint.read(out.resolve("train/model.ckpt")).manifest().training().device());
    }

    @Test
    void theTrainingSettingsDeviceIsCheckedNamingTheFileAndDeviceOverridesIt() throws IOException {
        assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a CUDA GPU");
        Path cfg = tmp.resolve("gpu-train.yaml");
        Files.writeString(cfg, "device: gpu\nbatchSize: 2\n");
        List<String> train = List.of("train", "--data", data.toString(), "--preset", "tiny/edge", "--epochs", "1",
                "--val-split", "none", "--config", cfg.toString());
        assertOneLine(run(with(train, "--out", tmp.resolve("t-gpu").toString())), "gpu-train.yaml: device gpu",
                "available: cpu");
        assertFalse(Files.exists(tmp.resolve("t-gpu")), "refused before any work");
        BadInputTest.Outcome o = run(with(train, "--out", tmp.resolve("t-cpu").toString(), "--device", "cpu"));
        assertEquals(0, o.code(), o.err());
        assertEquals("cpu", Checkpoint.read(tmp.resolve("t-cpu/model.ckpt")).manifest().training().device());
    }

    @Test
    void eval_onnxRunsOnOnnxRuntimeSoAGpuIsRefused() {
        assertOneLine(run("eval", "--onnx", tmp.resolve("model.onnx").toString(), "--data", data.toString(),
                "--device", "gpu"), "--device gpu", "--onnx runs on ONNX Runtime's CPU provider");
    }

    @Test
    void theCloudsAndOnPremDeviceSettingIsChecked() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens there: the device must be what is reported
        }
        for (String role : new String[] {"cloud", "onprem"}) {
            String[] command = role.equals("cloud") ? new String[] {"cloud", "serve", "--config"}
                    : new String[] {"onprem", "run", "--config"};
            Path cfg = tmp.resolve(role + "-device.yaml");
            String base = "broker: tcp://127.0.0.1:" + port + "\nworkDir: " + tmp.resolve(role + "-work") + "\n";
            Files.writeString(cfg, base + "device: tpu\n");
            assertOneLine(run(with(List.of(command), cfg.toString())), role + "-device.yaml", "device",
                    "must be cpu, gpu or gpu:N, got 'tpu'");
            if (Engine.getInstance().getGpuCount() == 0) {
                Files.writeString(cfg, base + "device: gpu:0\n");
                assertOneLine(run(with(List.of(command), cfg.toString())),
                        role + "-device.yaml: device gpu:0: libtorch sees no CUDA GPU", "available: cpu");
            }
            assertFalse(Files.exists(tmp.resolve(role + "-work")), "refused before any work");
        }
    }
}
