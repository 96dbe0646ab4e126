package org.diredi.edge.config;

import java.nio.file.Path;
import java.util.List;
import org.diredi.edge.gpio.GpioRule;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.fcos.FcosDecoder;

/**
 * {@code diredi edge run --config edge.yaml}: everything a camera needs, with defaults that run on a
 * PC against the embedded broker. Validated on load; every error names the setting.
 */
public record EdgeConfig(Device device, String profile, String modelDir, String initialModel, Source source,
                         Mqtt mqtt, String trustedKey, Decode decode, Annotate annotate, Gpio gpio,
                         double statusEverySeconds, int threads, long maxFrames) {

    /** Which camera this is; it only ever reads and writes its own topics. */
    public record Device(String customer, String id) {}

    /** type: folder (path), video (path), camera (index) or gstreamer (pipeline). */
    public record Source(String type, String path, int index, String pipeline, boolean loop, double fpsLimit) {
        public Source {
            if (!List.of("folder", "video", "camera", "gstreamer").contains(type)) {
                throw new IllegalArgumentException("source.type must be folder, video, camera or gstreamer, got '"
                        + type + "'");
            }
            if ((type.equals("folder") || type.equals("video")) && (path == null || path.isBlank())) {
                throw new IllegalArgumentException("source.path is required for a " + type + " source");
            }
            if (type.equals("gstreamer") && (pipeline == null || pipeline.isBlank())) {
                throw new IllegalArgumentException("source.pipeline is required for a gstreamer source");
            }
            if (fpsLimit < 0) {
                throw new IllegalArgumentException("source.fpsLimit must be >= 0 (0 = as fast as possible)");
            }
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
            if (enabled && (uri == null || !(uri.startsWith("tcp://") || uri.startsWith("ssl://")))) {
                throw new IllegalArgumentException("mqtt.uri must be tcp://host:port or ssl://host:port, got '" + uri + "'");
            }
            if (sessionExpirySeconds < 0) {
                throw new IllegalArgumentException("mqtt.sessionExpirySeconds must be >= 0");
            }
            if (maxReconnectDelaySeconds < 1) {
                throw new IllegalArgumentException("mqtt.maxReconnectDelaySeconds must be >= 1");
            }
            if (maxQueued < 1) {
                throw new IllegalArgumentException("mqtt.maxQueued must be >= 1");
            }
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
            if (!(scoreThreshold > 0 && scoreThreshold < 1)) {
                throw new IllegalArgumentException("decode.scoreThreshold must be in (0, 1), got " + scoreThreshold);
            }
            if (!(nmsIou > 0 && nmsIou <= 1)) {
                throw new IllegalArgumentException("decode.nmsIou must be in (0, 1], got " + nmsIou);
            }
            if (maxDetections < 1) {
                throw new IllegalArgumentException("decode.maxDetections must be >= 1");
            }
        }

        public FcosDecoder.Config toConfig() {
            return new FcosDecoder.Config(scoreThreshold, 1000, nmsIou, maxDetections);
        }
    }

    /** Annotated frames (detections drawn) written to {@code dir} every {@code everyN} frames; null dir = off. */
    public record Annotate(String dir, int everyN) {
        public Annotate {
            if (everyN < 1) {
                throw new IllegalArgumentException("annotate.everyN must be >= 1");
            }
        }
    }

    public record Gpio(String provider, List<GpioRule> rules) {
        public Gpio {
            rules = rules == null ? List.of() : List.copyOf(rules);
            if (!provider.equals("mock") && !provider.equals("auto")) {
                throw new IllegalArgumentException("gpio.provider must be mock or auto, got '" + provider + "'");
            }
        }
    }

    public static final EdgeConfig DEFAULTS = new EdgeConfig(new Device("demo", "cam1"), "cpu", "work/edge/cam1/models",
            null, new Source("folder", "work/fashion-scenes/JPEGImages", 0, null, true, 0),
            new Mqtt(true, "tcp://127.0.0.1:1883", "cam1", null, null, 7 * 24 * 3600L, "work/edge/cam1/mqtt", null,
                    60, 10_000),
            "keys/manufacturer.pub.pem", new Decode(0.3f, 0.6f, 100), new Annotate(null, 30),
            new Gpio("mock", List.of()), 10, 2, 0);

    public EdgeConfig {
        if (device == null || device.customer() == null || device.id() == null) {
            throw new IllegalArgumentException("device.customer and device.id are required");
        }
        if (profile == null || profile.isBlank()) {
            throw new IllegalArgumentException("profile is required (a device profile name or file)");
        }
        if (modelDir == null || modelDir.isBlank()) {
            throw new IllegalArgumentException("modelDir is required");
        }
        if (statusEverySeconds <= 0) {
            throw new IllegalArgumentException("statusEverySeconds must be > 0");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = ONNX Runtime's default)");
        }
        if (maxFrames < 0) {
            throw new IllegalArgumentException("maxFrames must be >= 0 (0 = until the source ends)");
        }
        if (mqtt.enabled() && (trustedKey == null || trustedKey.isBlank())) {
            throw new IllegalArgumentException("trustedKey (the manufacturer's Ed25519 public key) is required with mqtt");
        }
    }

    public static EdgeConfig load(Path file) {
        return ConfigFiles.load(file, EdgeConfig.class, DEFAULTS);
    }
}
