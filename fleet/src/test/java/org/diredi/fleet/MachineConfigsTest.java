package org.diredi.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.vision.config.ConfigFiles.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys set in a machine's configuration file as a user edits it. */
class MachineConfigsTest {

    @TempDir
    Path dir;

    private Path camera() throws Exception {
        EdgeConfig c = MachineConfigs.camera("acme", "cam-01", "cpu",
                new MachineConfigs.Broker("tcp://127.0.0.1:1884", "acme-cam-01", "broker.password", null),
                "manufacturer.pub.pem", Map.of("modelDir", "models"));
        return MachineConfigs.write(dir.resolve("edge.yaml"), "diredi edge run --config edge.yaml\n\nCamera cam-01.", c);
    }

    @Test
    void setKeysChangeOnlyThemSectionsMergeAndTheHeaderStays() throws Exception {
        Path file = camera();
        EdgeConfig before = EdgeConfig.load(file);
        EdgeConfig now = MachineConfigs.set(file, EdgeConfig.class, EdgeConfig.DEFAULTS, Map.of(
                "source", Map.of("type", "folder", "path", "/frames", "fpsLimit", 4),
                "mqtt", Map.of("sessionExpirySeconds", 3600), "statusEverySeconds", 5));
        assertEquals(now, EdgeConfig.load(file), "the file holds what set returned");
        assertEquals("/frames", now.source().path());
        assertEquals(4, now.source().fpsLimit());
        assertEquals(before.source().loop(), now.source().loop(), "a section's other keys stay");
        assertEquals(3600, now.mqtt().sessionExpirySeconds());
        assertEquals("acme-cam-01", now.mqtt().username());
        assertEquals("broker.password", now.mqtt().passwordFile());
        assertEquals(5, now.statusEverySeconds());
        assertEquals(before.modelDir(), now.modelDir());
        assertEquals(before.trustedKey(), now.trustedKey());
        List<String> lines = Files.readAllLines(file);
        assertEquals(List.of("# diredi edge run --config edge.yaml", "#", "# Camera cam-01."), lines.subList(0, 3));
    }

    @Test
    void aWrongKeyOrValueIsNamedAndLeavesTheFileAsItWas() throws Exception {
        Path file = camera();
        String before = Files.readString(file);
        ConfigException typo = assertThrows(ConfigException.class,
                () -> MachineConfigs.set(file, EdgeConfig.class, EdgeConfig.DEFAULTS, Map.of("statusEverySecond", 5)));
        assertTrue(typo.getMessage().startsWith(file + " (keys set)"), typo.getMessage());
        assertTrue(typo.getMessage().contains("statusEverySecond"), typo.getMessage());
        assertThrows(ConfigException.class, () -> MachineConfigs.set(file, EdgeConfig.class, EdgeConfig.DEFAULTS,
                Map.of("threads", "two")));
        assertEquals(before, Files.readString(file));
    }
}
