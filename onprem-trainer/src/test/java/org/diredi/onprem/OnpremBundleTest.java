package org.diredi.onprem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.diredi.core.checkpoint.Bundle;
import org.diredi.messaging.Ed25519;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnpremBundleTest {

    @TempDir
    Path dir;
    final KeyPair manufacturer = Ed25519.generate();

    private Map<String, byte[]> files() {
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put(OnpremBundle.TUTOR, "tutor weights".getBytes(StandardCharsets.UTF_8));
        f.put(OnpremBundle.EDGE, "edge weights".getBytes(StandardCharsets.UTF_8));
        f.put(OnpremBundle.CLASSES, "tshirt\nbag\n".getBytes(StandardCharsets.UTF_8));
        f.put("presumed/JPEGImages/a.jpg", new byte[] {1, 2, 3, 4});
        return f;
    }

    private Path bundle(KeyPair signer) throws Exception {
        Path b = dir.resolve("acme.bundle");
        OnpremBundle.write(b, "acme", 3, List.of("tshirt", "bag"), files(), signer.getPrivate(), signer.getPublic());
        return b;
    }

    @Test
    void roundTripExtractsEveryFileAsSigned() throws Exception {
        Path b = bundle(manufacturer);
        OnpremBundle.Manifest m = OnpremBundle.unpack(b, dir.resolve("out"), manufacturer.getPublic());
        assertEquals("acme", m.customer());
        assertEquals(3, m.version());
        assertEquals(List.of("tshirt", "bag"), m.classes());
        for (Map.Entry<String, byte[]> e : files().entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(dir.resolve("out").resolve(e.getKey())), e.getKey());
        }
        assertFalse(Files.exists(dir.resolve("out").resolve(OnpremBundle.MANIFEST)));
        assertEquals(List.of("acme.bundle", "out"), listing());
    }

    @Test
    void anEntryChangedAfterSigningIsRefused() throws Exception {
        Path b = bundle(manufacturer);
        Map<String, byte[]> entries = new LinkedHashMap<>(Bundle.read(b, "bundle"));
        byte[] edge = entries.get(OnpremBundle.EDGE).clone();
        edge[0] ^= 1;
        entries.put(OnpremBundle.EDGE, edge);
        Bundle.write(b, entries);
        refused(b, "edge.ckpt does not match its signed SHA-256");
    }

    @Test
    void aFileAddedAfterSigningIsRefused() throws Exception {
        Path b = bundle(manufacturer);
        Map<String, byte[]> entries = new LinkedHashMap<>(Bundle.read(b, "bundle"));
        entries.put("presumed/JPEGImages/extra.jpg", new byte[] {9});
        Bundle.write(b, entries);
        refused(b, "its manifest lists 4");
    }

    @Test
    void aFlippedByteInTheFileIsRefused() throws Exception {
        Path b = bundle(manufacturer);
        byte[] raw = Files.readAllBytes(b);
        // edge.ckpt's data: after its local header (30 bytes, the name, the extra field)
        int name = PayloadAuditTest.indexOf(raw, OnpremBundle.EDGE.getBytes(StandardCharsets.UTF_8));
        int extra = (raw[name - 2] & 0xff) | (raw[name - 1] & 0xff) << 8;
        raw[name + OnpremBundle.EDGE.length() + extra + 1] ^= 0x20;
        Files.write(b, raw);
        RuntimeException e = assertThrows(RuntimeException.class, () -> OnpremBundle.unpack(b, dir.resolve("out"),
                manufacturer.getPublic()));
        assertTrue(e.getMessage().startsWith(b + ": "), e.getMessage());
        assertEquals(List.of("acme.bundle"), listing());
    }

    @Test
    void aBundleSignedByAnotherKeyIsRefused() throws Exception {
        Path b = bundle(Ed25519.generate());
        refused(b, "signature refused, not from the pinned manufacturer key");
    }

    @Test
    void aTruncatedBundleIsRefused() throws Exception {
        Path b = bundle(manufacturer);
        byte[] raw = Files.readAllBytes(b);
        Files.write(b, java.util.Arrays.copyOf(raw, raw.length - 30));
        Bundle.BundleException e = assertThrows(Bundle.BundleException.class,
                () -> OnpremBundle.unpack(b, dir.resolve("out"), manufacturer.getPublic()));
        assertTrue(e.getMessage().startsWith(b + ": truncated or corrupt"), e.getMessage());
        assertEquals(List.of("acme.bundle"), listing());
    }

    @Test
    void anExistingFolderIsNeverWrittenInto() throws Exception {
        Path b = bundle(manufacturer);
        Files.createDirectories(dir.resolve("out"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnpremBundle.unpack(b, dir.resolve("out"), manufacturer.getPublic()));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(List.of(), Files.list(dir.resolve("out")).toList());
    }

    private void refused(Path b, String reason) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnpremBundle.unpack(b, dir.resolve("out"), manufacturer.getPublic()));
        assertTrue(e.getMessage().startsWith(b + ": ") && e.getMessage().contains(reason), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertEquals(List.of("acme.bundle"), listing(), "nothing extracted, no staging folder left");
    }

    private List<String> listing() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
