package org.diredi.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    @Test
    void buildsTheV1Tree() {
        assertEquals("diredi/v1/customers/acme/devices/cam-01", Topics.device("acme", "cam-01"));
        assertEquals("diredi/v1/customers/acme/devices/cam-01/detections", Topics.detections("acme", "cam-01"));
        assertEquals("diredi/v1/customers/acme/devices/cam-01/status", Topics.status("acme", "cam-01"));
        assertEquals("diredi/v1/customers/acme/devices/cam-01/ota", Topics.ota("acme", "cam-01"));
        assertEquals("diredi/v1/customers/acme/devices/cam-01/ota/report", Topics.otaReport("acme", "cam-01"));
        assertEquals("diredi/v1/customers/acme/devices/cam-01/ota/rollback", Topics.otaRollback("acme", "cam-01"));
        assertTrue(Topics.matches(Topics.ALL_STATUS, Topics.status("acme", "cam-01")));
        assertTrue(Topics.matches(Topics.ALL_OTA_REPORTS, Topics.otaReport("acme", "cam-01")));
        assertFalse(Topics.matches(Topics.ALL_STATUS, Topics.otaReport("acme", "cam-01")));
        assertEquals("diredi/v1/customers/acme/onprem/delta", Topics.delta("acme"));
        assertEquals("diredi/v1/customers/acme/onprem/decision", Topics.decision("acme"));
        assertEquals("$share/cloud/diredi/v1/customers/+/onprem/delta/#", Topics.CLOUD_DELTA_SHARED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "a+", "#", "with space", "ümlaut", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void rejectsIdsThatCouldEscapeTheirLevel(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Topics.device("acme", bad));
        assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Topics.delta(bad));
    }

    @Test
    void rejectsNullId() {
        assertThrows(IllegalArgumentException.class, () -> Topics.ota(null, "d"));
    }

    @Test
    void parsesIdsBack() {
        String t = Topics.otaReport("acme_2", "cam-07");
        assertEquals("acme_2", Topics.customerOf(t));
        assertEquals("cam-07", Topics.deviceOf(t));
        assertEquals("acme_2", Topics.customerOf(Topics.delta("acme_2") + "/chunk"));
        assertThrows(IllegalArgumentException.class, () -> Topics.deviceOf(Topics.delta("acme")));
        assertThrows(IllegalArgumentException.class, () -> Topics.customerOf("diredi/v2/customers/acme/x"));
        assertThrows(IllegalArgumentException.class, () -> Topics.customerOf("diredi/v1/customers/a+b/x"));
    }

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource({
            "a/b/c, a/b/c, true",
            "a/b/c, a/b/d, false",
            "a/b, a/b/c, false",
            "a/+/c, a/x/c, true",
            "a/+/c, a/x/y/c, false",
            "a/+, a/, true",
            "a/#, a, true",
            "a/#, a/b/c/d, true",
            "a/#, b/a, false",
            "#, a/b, true",
            "+/+, a/b, true",
            "+, a/b, false",
            "#, $SYS/x, false",
            "+/x, $SYS/x, false",
            "$SYS/#, $SYS/x, true",
            "$share/cloud/diredi/v1/customers/+/onprem/delta/#, diredi/v1/customers/acme/onprem/delta/chunk, true",
            "$share/cloud/diredi/v1/customers/+/onprem/delta/#, diredi/v1/customers/acme/onprem/decision, false",
    })
    void matchesLikeAnMqttBroker(String filter, String topic, boolean expected) {
        assertEquals(expected, Topics.matches(filter, topic));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/#/b", "a/b#", "a+/b", "", "$share/g", "$share//a"})
    void rejectsInvalidFilters(String filter) {
        assertThrows(IllegalArgumentException.class, () -> Topics.matches(filter, "a/b"));
    }

    @Test
    void sharedPrefixIsStripped() {
        assertEquals("a/+", Topics.stripShare("$share/g1/a/+"));
        assertEquals("a/+", Topics.stripShare("a/+"));
        assertFalse(Topics.matches("$share/g/a", "g/a"));
    }
}
