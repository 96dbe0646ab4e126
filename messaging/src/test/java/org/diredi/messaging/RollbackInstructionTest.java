package org.diredi.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The signed rollback instruction: strict JSON, and never confused with an update manifest. */
class RollbackInstructionTest {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void roundTripsAndExpires() {
        RollbackInstruction r = RollbackInstruction.of("acme", "cam1", "cpu", 0, NOW, Duration.ofHours(1), "back to v0");
        assertEquals(r, RollbackInstruction.fromJson(r.toJson()));
        assertFalse(r.isExpired(NOW.plusSeconds(3599)));
        assertTrue(r.isExpired(NOW.plusSeconds(3600)));
        assertEquals(NOW, r.created());
    }

    @Test
    void anUpdateManifestIsNotAnInstructionNorTheOtherWayRound() {
        UpdateManifest m = UpdateManifestTest.sample();
        MessagingException e = assertThrows(MessagingException.class, () -> RollbackInstruction.fromJson(m.toJson()));
        assertTrue(e.getMessage().startsWith("invalid rollback instruction"), e.getMessage());
        RollbackInstruction r = RollbackInstruction.of("acme", "cam1", "cpu", 0, NOW, Duration.ofHours(1), null);
        assertThrows(MessagingException.class, () -> UpdateManifest.fromJson(r.toJson()));
    }

    @Test
    void badValuesAreNamed() {
        for (List<Object> bad : List.<List<Object>>of(List.of("update", "acme", "cam1", 0L, "'rollback'"),
                List.of("rollback", "a/b", "cam1", 0L, "customer id"), List.of("rollback", "acme", "#", 0L, "device id"),
                List.of("rollback", "acme", "cam1", -1L, "toVersion"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RollbackInstruction(
                    (String) bad.get(0), (String) bad.get(1), (String) bad.get(2), "cpu", (Long) bad.get(3),
                    NOW.toString(), NOW.plusSeconds(1).toString(), null));
            assertTrue(e.getMessage().contains((String) bad.get(4)), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new RollbackInstruction("rollback", "acme", "cam1", "cpu", 0,
                NOW.toString(), NOW.toString(), null));
    }
}
