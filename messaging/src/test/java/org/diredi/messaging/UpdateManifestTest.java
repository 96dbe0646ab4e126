package org.diredi.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpdateManifestTest {

    private static final ObjectMapper M = new ObjectMapper();
    private static final String SHA = "a".repeat(64);

    static UpdateManifest sample() {
        return new UpdateManifest("edge-v3.onnx", SHA, 1234, 3, "jetson-nano", "fcos-lite mobilenetv2",
                List.of("cat", "dog"), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", null, "learned cat");
    }

    @Test
    void roundTripsThroughJson() {
        UpdateManifest m = sample();
        UpdateManifest back = UpdateManifest.fromJson(m.toJson());
        assertEquals(m, back);
        assertNull(back.parent());
        assertTrue(back.isExpired(Instant.parse("2025-02-01T00:00:00Z")));
        assertFalse(back.isExpired(Instant.parse("2025-01-15T00:00:00Z")));
    }

    @Test
    void missingFieldsAreNamedNotDefaulted() throws Exception {
        for (String field : List.of("version", "size", "sha256", "classes", "expiresAt", "parent")) {
            ObjectNode n = (ObjectNode) M.readTree(sample().toJson());
            n.remove(field);
            MessagingException e = assertThrows(MessagingException.class,
                    () -> UpdateManifest.fromJson(M.writeValueAsBytes(n)), field);
            assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
        }
    }

    @Test
    void invalidValuesAreRejectedWithTheReason() throws Exception {
        assertInvalid("size", 0, "size must be > 0");
        assertInvalid("sha256", "ABC", "sha256 must be 64");
        assertInvalid("sha256", "A".repeat(64), "sha256 must be 64");
        assertInvalid("artifact", "../../etc/passwd", "plain file name");
        assertInvalid("expiresAt", "2024-12-31T00:00:00Z", "not after createdAt");
        assertInvalid("createdAt", "yesterday", "ISO-8601");
        assertInvalid("targetProfile", null, "targetProfile is required");
        assertInvalid("surprise", 1, "surprise");
    }

    @Test
    void checksAnArtifactFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("edge.onnx");
        Files.write(f, new byte[] {1, 2, 3});
        UpdateManifest ok = new UpdateManifest("edge.onnx", Hashes.sha256Hex(new byte[] {1, 2, 3}), 3, 1, "cpu", "",
                List.of("a"), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", "0", null);
        assertNull(ok.mismatch(f));
        assertEquals("", ok.notes());
        UpdateManifest wrong = new UpdateManifest("edge.onnx", SHA, 3, 1, "cpu", "", List.of("a"),
                "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", "0", null);
        assertTrue(wrong.mismatch(f).startsWith("sha256"), wrong.mismatch(f));
    }

    private static void assertInvalid(String field, Object value, String expected) throws Exception {
        ObjectNode n = (ObjectNode) M.readTree(sample().toJson());
        n.set(field, M.valueToTree(value));
        MessagingException e = assertThrows(MessagingException.class, () -> UpdateManifest.fromJson(M.writeValueAsBytes(n)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
