package org.diredi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's main job. Today: make FashionScenes, train the cpu edge model on it, evaluate it on
 * the test split and draw its detections. (The full DiReDi loop over MQTT joins here as it lands.)
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Zero-setup demo on the bundled data: generate FashionScenes, train the edge model",
            "(cpu preset), evaluate it on the test split and draw detections. Rerun to resume."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", description = "working folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/demo");

    @Option(names = "--epochs", description = "training epochs (default: ${DEFAULT-VALUE})")
    int epochs = 24;

    @Override
    public Integer call() throws Exception {
        Path data = out.resolve("fashion-scenes");
        Runs.ensureFashionScenes(data);
        Path run = out.resolve("edge");
        int code = 0;
        if (!Files.exists(run.resolve("model.ckpt"))) {
            code = Diredi.run("train", "--data", data.toString(), "--preset", "edge", "--epochs", String.valueOf(epochs),
                    "--out", run.toString(), "--resume");
        }
        if (code == 0) {
            code = Diredi.run("eval", "--checkpoint", run.resolve("model.ckpt").toString(), "--data", data.toString(),
                    "--split", "test", "--out", run.toString());
        }
        if (code == 0) {
            Path samples = out.resolve("samples");
            Files.createDirectories(samples);
            for (int i = 0; i < 4; i++) {
                String id = String.format("test_%06d", i);
                Files.copy(data.resolve("JPEGImages/" + id + ".jpg"), samples.resolve(id + ".jpg"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            code = Diredi.run("detect", "--checkpoint", run.resolve("model.ckpt").toString(), "--input",
                    samples.toString(), "--out", out.resolve("detections").toString());
        }
        return code;
    }
}
