package org.diredi.edge.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.edge.gpio.GpioRule;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.fcos.FcosDecoder;

/**
 * {@code diredi edge run --config edge.yaml}: everything a camera needs, with defaults that run on a
 * PC against the embedded broker. Validated on load; every error names the setting.
 */
public record EdgeConfig(Device device, String profile, String modelDir, String initialModel, Source source,
                         Mqtt mqtt, String trustedKey, Decode decode, Annotate annotate, Gpio gpio,
                         double statusEverySeconds, int threads, long maxFrames, Health health) {

    /** Which camera this is; it only ever reads and writes its own topics. */
    public record Device(String customer, String id) {}

    /** type: folder (path), video (path), camera (index) or gstreamer (pipeline). */
    public record Source(String type, String path, int index, String pipeline, boolean loop, double fpsLimit) {
        public Source {
            checkSource(type, path, pipeline, fpsLimit);
        }
    }

    /**
     * The device's broker connection. {@code enabled: false} runs inference offline (no events, no OTA).
     * {@code sessionExpirySeconds} keeps the device's session (and queued updates) while it is offline.
     * {@code caCertificate}: for an {@code ssl://} broker, PEM of the CA that signed its certificate, the only
     * CA the device then trusts (null = the JVM's trust store). While the broker is out of reach the
     * camera goes on detecting: reconnect attempts wait 1 s, then twice as long each time up to
     * {@code maxReconnectDelaySeconds}, forever; detection events and OTA reports wait on disk
     * ({@code <modelDir>/queue}), at most {@code maxQueued} of them, the oldest dropped (and counted) first.
     */
    public record Mqtt(boolean enabled, String uri, String username, String password, String passwordFile,
                       long sessionExpirySeconds, String persistenceDir, String caCertificate,
                       long maxReconnectDelaySeconds, int maxQueued) {
        public Mqtt {
            require(!enabled || (uri != null && (uri.startsWith("tcp://") || uri.startsWith("ssl://"))),
                    "mqtt.uri must be tcp://host:port or ssl://host:port, got '" + uri + "'");
            require(sessionExpirySeconds >= 0, "mqtt.sessionExpirySeconds must be >= 0");
            require(maxReconnectDelaySeconds >= 1, "mqtt.maxReconnectDelaySeconds must be >= 1");
            require(maxQueued >= 1, "mqtt.maxQueued must be >= 1");
        }

        /** No broker at all: inference, GPIO and annotated frames only (benchmarks, bench tests). */
        public static Mqtt disabled() {
            Mqtt d = DEFAULTS.mqtt();
            return new Mqtt(false, null, null, null, null, 0, null, null, d.maxReconnectDelaySeconds(), d.maxQueued());
        }

        /** The password from the file when one is named (keeps secrets out of the config), else inline. */
        public String secret() {
            return org.diredi.messaging.Secrets.password(password, passwordFile, "mqtt.passwordFile");
        }
    }

    /** Detection threshold and NMS on the device (a higher threshold than evaluation's 0.05). */
    public record Decode(float scoreThreshold, float nmsIou, int maxDetections) {
        public Decode {
            checkDecode(scoreThreshold, nmsIou, maxDetections);
        }

        public FcosDecoder.Config toConfig() {
            return new FcosDecoder.Config(scoreThreshold, 1000, nmsIou, maxDetections);
        }
    }

    /**
     * The OTA health check's acceptance of a new model by what it finds: on the reference frames
     * ({@code referenceFrames}, a folder of images; null = the bundled sample frame) the new model must find
     * again at least {@code minAgreement} of the running model's detections (same class, IoU {@code >=
     * matchIou}); 0 turns it off. A camera without a running model, or whose model finds nothing there,
     * has nothing to compare.
     */
    public record Health(double minAgreement, double matchIou, String referenceFrames) {
        public Health {
            require(minAgreement >= 0 && minAgreement <= 1, "health.minAgreement must be in [0, 1], got " + minAgreement);
            require(matchIou > 0 && matchIou <= 1, "health.matchIou must be in (0, 1], got " + matchIou);
            require(referenceFrames == null || !referenceFrames.isBlank(),
                    "health.referenceFrames must be a folder of images, or null for the bundled sample frame");
        }
    }

    /** Annotated frames (detections drawn) written to {@code dir} every {@code everyN} frames; null dir = off. */
    public record Annotate(String dir, int everyN) {
        public Annotate {
            require(everyN >= 1, "annotate.everyN must be >= 1");
        }
    }

    public record Gpio(String provider, List<GpioRule> rules) {
        public Gpio {
            rules = rules == null ? List.of() : List.copyOf(rules);
            require(provider.equals("mock") || provider.equals("auto"),
                    "gpio.provider must be mock or auto, got '" + provider + "'");
        }
    }

    public static final EdgeConfig DEFAULTS = new EdgeConfig(new Device("demo", "cam1"), "cpu", "work/edge/cam1/models",
            null, new Source("folder", "work/fashion-scenes/JPEGImages", 0, null, true, 0),
            new Mqtt(true, "tcp://127.0.0.1:1883", "cam1", null, null, 7 * 24 * 3600L, "work/edge/cam1/mqtt", null,
                    60, 10_000),
            "keys/manufacturer.pub.pem", new Decode(0.3f, 0.6f, 100), new Annotate(null, 30),
            new Gpio("mock", List.of()), 10, 2, 0, new Health(0.5, 0.5, null));

    public EdgeConfig {
        checkIdentity(device, profile, modelDir);
        checkLoop(statusEverySeconds, threads, maxFrames);
        require(health != null, "health is required");
        require(!mqtt.enabled() || !blank(trustedKey),
                "trustedKey (the manufacturer's Ed25519 public key) is required with mqtt");
    }

    /** Which camera, with which profile, keeping its models where. */
    private static void checkIdentity(Device device, String profile, String modelDir) {
        require(device != null && device.customer() != null && device.id() != null,
                "device.customer and device.id are required");
        require(!blank(profile), "profile is required (a device profile name or file)");
        require(!blank(modelDir), "modelDir is required");
    }

    private static void checkLoop(double statusEverySeconds, int threads, long maxFrames) {
        require(!(statusEverySeconds <= 0), "statusEverySeconds must be > 0");
        require(threads >= 0, "threads must be >= 0 (0 = ONNX Runtime's default)");
        require(maxFrames >= 0, "maxFrames must be >= 0 (0 = until the source ends)");
    }

    private static void checkSource(String type, String path, String pipeline, double fpsLimit) {
        require(List.of("folder", "video", "camera", "gstreamer").contains(type),
                "source.type must be folder, video, camera or gstreamer, got '" + type + "'");
        require(!(type.equals("folder") || type.equals("video")) || !blank(path),
                "source.path is required for a " + type + " source");
        require(!type.equals("gstreamer") || !blank(pipeline), "source.pipeline is required for a gstreamer source");
        require(!(fpsLimit < 0), "source.fpsLimit must be >= 0 (0 = as fast as possible)");
    }

    private static void checkDecode(float scoreThreshold, float nmsIou, int maxDetections) {
        require(scoreThreshold > 0 && scoreThreshold < 1,
                "decode.scoreThreshold must be in (0, 1), got " + scoreThreshold);
        require(nmsIou > 0 && nmsIou <= 1, "decode.nmsIou must be in (0, 1], got " + nmsIou);
        require(maxDetections >= 1, "decode.maxDetections must be >= 1");
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Every check reports the setting it is about; a config error is an IllegalArgumentException. */
    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The file's settings over {@link #DEFAULTS}, validated; errors name the file. */
    public static EdgeConfig load(Path file) {
        return ConfigFiles.load(file, EdgeConfig.class, DEFAULTS);
    }

    /**
     * This configuration with the named settings replaced, validated as a file would be (unknown names are
     * errors). Values are written as in the YAML file: strings for paths, nested maps merge into sections
     * ({@code Map.of("mqtt", Map.of("enabled", false))} changes that one setting).
     */
    public EdgeConfig with(Map<String, ?> overrides) {
        return ConfigFiles.overlay(this, ConfigFiles.JSON.valueToTree(overrides), EdgeConfig.class, "overrides");
    }
}
