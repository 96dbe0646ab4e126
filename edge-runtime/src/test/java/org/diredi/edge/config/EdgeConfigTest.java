package org.diredi.edge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.config.ConfigFiles.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named settings over the defaults, the checks of every section, and a written config reads back the same. */
class EdgeConfigTest {

    @Test
    void namedSettingsReplaceDefaultsAndSectionsMerge() {
        EdgeConfig c = EdgeConfig.DEFAULTS.with(Map.of("maxFrames", 5, "mqtt", Map.of("enabled", false),
                "source", Map.of("type", "video", "path", "clip.avi")));
        assertEquals(5, c.maxFrames());
        assertFalse(c.mqtt().enabled());
        assertEquals(EdgeConfig.DEFAULTS.mqtt().uri(), c.mqtt().uri(), "the rest of mqtt kept");
        assertEquals("video", c.source().type());
        assertEquals(EdgeConfig.DEFAULTS.source().loop(), c.source().loop());
        assertEquals(EdgeConfig.DEFAULTS.decode(), c.decode());
    }

    @Test
    void everyCheckNamesItsSetting() {
        assertProblem(Map.of("device", nulled("id")), "device.customer and device.id are required");
        assertProblem(Map.of("profile", " "), "profile is required");
        assertProblem(Map.of("modelDir", ""), "modelDir is required");
        assertProblem(Map.of("statusEverySeconds", 0), "statusEverySeconds must be > 0");
        assertProblem(Map.of("threads", -1), "threads must be >= 0");
        assertProblem(Map.of("maxFrames", -1), "maxFrames must be >= 0");
        assertProblem(Map.of("trustedKey", " "), "trustedKey (the manufacturer's Ed25519 public key) is required");
        assertProblem(Map.of("source", Map.of("type", "webcam")), "source.type must be folder, video, camera or gstreamer");
        assertProblem(Map.of("source", Map.of("type", "video", "path", "")), "source.path is required for a video source");
        assertProblem(Map.of("source", Map.of("type", "gstreamer")), "source.pipeline is required");
        assertProblem(Map.of("source", Map.of("fpsLimit", -1)), "source.fpsLimit must be >= 0");
        assertProblem(Map.of("mqtt", Map.of("uri", "http://x")), "mqtt.uri must be tcp://host:port or ssl://host:port");
        assertProblem(Map.of("mqtt", Map.of("sessionExpirySeconds", -1)), "mqtt.sessionExpirySeconds must be >= 0");
        assertProblem(Map.of("decode", Map.of("scoreThreshold", 1)), "decode.scoreThreshold must be in (0, 1)");
        assertProblem(Map.of("health", Map.of("minAgreement", 1.5)), "health.minAgreement must be in [0, 1]");
        assertProblem(Map.of("health", Map.of("matchIou", 0)), "health.matchIou must be in (0, 1]");
        assertProblem(Map.of("health", Map.of("referenceFrames", " ")), "health.referenceFrames must be a folder");
        assertProblem(Map.of("decode", Map.of("nmsIou", 0)), "decode.nmsIou must be in (0, 1]");
        assertProblem(Map.of("decode", Map.of("maxDetections", 0)), "decode.maxDetections must be >= 1");
        assertProblem(Map.of("annotate", Map.of("everyN", 0)), "annotate.everyN must be >= 1");
        assertProblem(Map.of("gpio", Map.of("provider", "sysfs")), "gpio.provider must be mock or auto");
        assertProblem(Map.of("maxFrame", 1), "maxFrame");
    }

    @Test
    void withoutMqttNoTrustedKeyIsNeeded() {
        Map<String, Object> offline = nulled("trustedKey");
        offline.put("mqtt", Map.of("enabled", false));
        assertEquals(null, EdgeConfig.DEFAULTS.with(offline).trustedKey());
        assertProblem(nulled("trustedKey"), "trustedKey (the manufacturer's Ed25519 public key) is required with mqtt");
    }

    /** A setting set to null (Map.of takes no nulls). */
    private static Map<String, Object> nulled(String key) {
        Map<String, Object> m = new java.util.HashMap<>();
        m.put(key, null);
        return m;
    }

    @Test
    void aWrittenConfigLoadsBackTheSame(@TempDir Path dir) throws Exception {
        EdgeConfig c = EdgeConfig.DEFAULTS.with(Map.of("device", Map.of("customer", "acme", "id", "cam7"),
                "source", Map.of("fpsLimit", 4), "mqtt", Map.of("passwordFile", "cam7.pw"), "statusEverySeconds", 5));
        Path f = dir.resolve("edge.yaml");
        Files.writeString(f, ConfigFiles.YAML.writeValueAsString(c));
        assertEquals(c, EdgeConfig.load(f));
    }

    private static void assertProblem(Map<String, ?> overrides, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> EdgeConfig.DEFAULTS.with(overrides));
        assertTrue(e.getMessage().startsWith("overrides: ") && e.getMessage().contains(expected), e.getMessage());
    }
}
