package org.diredi.edge;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.Signed;
import org.diredi.messaging.UpdateManifest;

/** Models and signed manifests for the edge tests (the trained fixture comes from the inference test jar). */
public final class EdgeFixtures {

    public static final List<String> CLASSES = org.diredi.vision.data.ClassList.FASHION.names();

    private EdgeFixtures() {}

    /** The trained 96 px detector exported to ONNX (FP32). */
    public static byte[] model() {
        try (InputStream in = EdgeFixtures.class.getResourceAsStream("/org/diredi/inference/trained-small.onnx")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same model with its first float initializer set to NaN: loads fine, outputs NaN. */
    public static byte[] nanModel() {
        try {
            ModelProto m = ModelProto.parseFrom(model());
            ModelProto.Builder b = m.toBuilder();
            for (int i = 0; i < b.getGraph().getInitializerCount(); i++) {
                TensorProto t = b.getGraph().getInitializer(i);
                if (t.getDataType() == TensorProto.DataType.FLOAT.getNumber() && t.getRawData().size() >= 4) {
                    ByteBuffer nan = ByteBuffer.allocate(t.getRawData().size()).order(ByteOrder.LITTLE_ENDIAN);
                    while (nan.hasRemaining()) {
                        nan.putFloat(Float.NaN);
                    }
                    b.getGraphBuilder().setInitializer(i, t.toBuilder().setRawData(ByteString.copyFrom(nan.array())));
                    return b.build().toByteArray();
                }
            }
            throw new IllegalStateException("fixture has no float initializer");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The same model with its class-logit biases at -50: it loads, runs and outputs finite values, and
     * detects nothing at any threshold (a bad update that is not a broken file).
     */
    public static byte[] blindModel() {
        try {
            ModelProto.Builder b = ModelProto.parseFrom(model()).toBuilder();
            for (int i = 0; i < b.getGraph().getInitializerCount(); i++) {
                TensorProto t = b.getGraph().getInitializer(i);
                if (t.getName().endsWith("clsLogits_bias")) {
                    int n = t.getRawData().size() > 0 ? t.getRawData().size() / 4 : t.getFloatDataCount();
                    ByteBuffer low = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                    while (low.hasRemaining()) {
                        low.putFloat(-50f);
                    }
                    b.getGraphBuilder().setInitializer(i, t.toBuilder().clearFloatData()
                            .setRawData(ByteString.copyFrom(low.array())));
                    return b.build().toByteArray();
                }
            }
            throw new IllegalStateException("fixture has no class-logit bias");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path write(Path dir, String name, byte[] bytes) {
        try {
            Files.createDirectories(dir);
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static UpdateManifest manifest(byte[] artifact, long version, String profile, Instant expires) {
        Instant created = expires.minusSeconds(7200);
        return new UpdateManifest("model-v" + version + ".onnx", Hashes.sha256Hex(artifact), artifact.length, version,
                profile, "tiny/edge", CLASSES, created.toString(), expires.toString(), null, "test update");
    }

    /** A manifest signed by {@code key}: the envelope bytes the device receives. */
    public static byte[] signed(UpdateManifest m, KeyPair key) {
        return Signed.sign(m.toJson(), key.getPrivate(), key.getPublic()).toJson();
    }
}
