package org.diredi.export;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.train.DetectionObjective;
import org.diredi.core.train.DetectionSet;
import org.diredi.core.train.DetectorTrainer;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;

/**
 * The trained model the INT8 tests quantize: the {@link TestData#SMALL} detector trained 40 epochs on the
 * 8 scenes of {@code TestData.scenes(dir, 8)} (confident, separated detections, so "same top detection"
 * tests quantization, not near-ties of a random net). Committed in the inference module's test jar (the edge
 * runtime's tests run it too) because training is only reproducible on one CPU model. Rebuild with
 * {@code java -cp <export test classpath> org.diredi.export.TrainedFixture inference/src/test/resources/org/diredi/inference}.
 */
final class TrainedFixture {

    static final String ONNX = "/org/diredi/inference/trained-small.onnx";
    static final String MANIFEST = "/org/diredi/inference/trained-small.json";
    static final int EPOCHS = 40;

    private TrainedFixture() {
    }

    static byte[] onnx() {
        try (InputStream in = TrainedFixture.class.getResourceAsStream(ONNX)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + ONNX + " missing: run TrainedFixture.main");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ExportManifest manifest() {
        try (InputStream in = TrainedFixture.class.getResourceAsStream(MANIFEST)) {
            Path tmp = Files.createTempFile("fixture", ".json");
            Files.write(tmp, in.readAllBytes());
            ExportManifest m = ExportManifest.read(tmp);
            Files.delete(tmp);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Path work = Files.createTempDirectory("fixture");
        VocDataset train = TestData.scenes(work.resolve("scenes"), 8);
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector model = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            DetectionSet set = DetectionSet.load(train, TestData.SMALL.inputSize());
            TrainConfig c = new TrainConfig(EPOCHS, 8, "adamw", 0.004f, 0.9f, 0.0f, TrainConfig.GRAD_CLIP, 5, 0.1f, 1L, false, 0.25f, 2f,
                    1.5f, 0, "cpu");
            new DetectorTrainer(model, m, c, new DetectionObjective(FcosLoss.Config.DEFAULT),
                    new PrintStream(OutputStream.nullOutputStream()))
                    .run(set, null, new DetectorTrainer.RunInfo(work.resolve("run"), "edge",
                            new Manifest.DataInfo("scenes", "train", null, 8, 0), null, null), false);
            Files.createDirectories(out);
            Path onnx = out.resolve(Path.of(ONNX).getFileName().toString());
            OnnxExporter.export(model, onnx, 13, null);
            System.out.println("wrote " + onnx + " and " + ExportManifest.pathFor(onnx));
        }
    }
}
