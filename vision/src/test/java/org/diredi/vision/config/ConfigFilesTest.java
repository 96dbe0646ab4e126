package org.diredi.vision.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings files: every mistake is refused with the file, the line and the key. */
class ConfigFilesTest {

    record Gate(double maxDrop, int minImages) {}

    record Settings(int epochs, float learningRate, String name, Gate gate, List<String> classes) {
        Settings {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1");
            }
        }
    }

    static final Settings DEFAULTS = new Settings(3, 0.1f, "run", new Gate(5, 10), List.of("a", "b"));

    @TempDir
    Path dir;

    private Settings load(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return ConfigFiles.load(f, Settings.class, DEFAULTS);
    }

    private String error(String name, String text) {
        return assertThrows(ConfigFiles.ConfigException.class, () -> load(name, text)).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' missing from: " + message);
        }
    }

    @Test
    void goodFilesOverlayTheDefaults() throws IOException {
        Settings s = load("ok.yaml", "# comment\nepochs: 7\ngate:\n  maxDrop: 2.5\n");
        assertEquals(7, s.epochs());
        assertEquals(2.5, s.gate().maxDrop());
        assertEquals(10, s.gate().minImages());
        assertEquals(0.5f, load("ok.json", "{\"learningRate\": 0.5}").learningRate());
        assertEquals(4, load("int-as-number.yaml", "learningRate: 1\nepochs: 4\n").epochs());
    }

    @Test
    void aYamlSyntaxErrorIsOneLine() {
        String m = error("broken.yaml", "epochs: [1\nlearningRate: 2\n");
        assertMentions(m, "broken.yaml", "not valid YAML", "expected", "line 2");
        assertEquals(1, m.lines().count(), m);
    }

    @Test
    void aFractionForAWholeNumberIsRefusedNotRounded() {
        assertMentions(error("train.yaml", "name: x\nepochs: 1.7\n"), "train.yaml", "line 2", "epochs",
                "whole number", "1.7");
        assertMentions(error("nested.yaml", "gate:\n  maxDrop: 1\n  minImages: 2.5\n"), "nested.yaml", "line 3",
                "gate.minImages", "2.5");
        assertMentions(error("train.json", "{\n  \"epochs\": 2.5\n}"), "train.json", "line 2", "epochs");
    }

    @Test
    void aKeyGivenTwiceIsRefusedWithBothLines() {
        assertMentions(error("twice.yaml", "epochs: 2\nname: a\nepochs: 5\n"), "twice.yaml", "line 3", "epochs",
                "twice", "line 1");
        assertMentions(error("twice-nested.yaml", "gate:\n  maxDrop: 1\n  maxDrop: 2\n"), "line 3", "gate.maxDrop");
        assertMentions(error("twice.json", "{\"epochs\": 2,\n \"epochs\": 3}"), "twice.json", "line 2", "epochs");
    }

    @Test
    void aWrongTypeNamesTheKeyAndLine() {
        assertMentions(error("type.yaml", "name: x\n\nepochs: many\n"), "type.yaml", "line 3", "epochs",
                "whole number", "many");
        assertMentions(error("list.yaml", "classes: a\ngate: 3\n"), "list.yaml", "line 2", "gate", "mapping");
        assertMentions(error("elem.yaml", "classes:\n  - a\n  - [b, c]\n"), "elem.yaml", "line 1", "classes");
    }

    @Test
    void unknownKeysAndBadValuesStillNameTheFile() {
        assertMentions(error("typo.yaml", "epochs: 2\nepochz: 3\n"), "typo.yaml", "line 2", "unknown key 'epochz'",
                "known: ", "epochs");
        assertMentions(error("zero.yaml", "epochs: 0\n"), "zero.yaml", "epochs must be >= 1");
        assertMentions(error("syntax.yaml", "epochs: [1\n"), "syntax.yaml", "not valid YAML");
    }

    record Two(int a, int b) {}

    @Test
    void bundledDefaultsMustGiveEverySetting() {
        assertEquals(new Two(1, 2), ConfigFiles.defaults(Two.class, "defaults-complete.yaml"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(ConfigFiles.ConfigException.class,
                () -> ConfigFiles.defaults(Two.class, "defaults-incomplete.yaml"));
        assertTrue(e.getMessage().contains("defaults-incomplete.yaml") && e.getMessage().contains("'b'"), e.getMessage());
    }
}
