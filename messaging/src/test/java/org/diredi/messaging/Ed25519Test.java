package org.diredi.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ed25519Test {

    private static final byte[] DATA = "{\"version\":3}".getBytes(StandardCharsets.UTF_8);

    @Test
    void signatureVerifiesOnlyForTheSameBytesAndKey() {
        KeyPair k = Ed25519.generate();
        byte[] sig = Ed25519.sign(k.getPrivate(), DATA);
        assertEquals(64, sig.length);
        assertTrue(Ed25519.verify(k.getPublic(), DATA, sig));

        byte[] tampered = DATA.clone();
        tampered[tampered.length - 2] = '4';
        assertFalse(Ed25519.verify(k.getPublic(), tampered, sig));

        byte[] badSig = sig.clone();
        badSig[10] ^= 1;
        assertFalse(Ed25519.verify(k.getPublic(), DATA, badSig));

        assertFalse(Ed25519.verify(Ed25519.generate().getPublic(), DATA, sig), "another key");
        assertFalse(Ed25519.verify(k.getPublic(), DATA, Arrays.copyOf(sig, 10)), "truncated signature");
        assertFalse(Ed25519.verify(k.getPublic(), DATA, null));
    }

    @Test
    void pemFilesRoundTripAndPrivateKeyIsOwnerOnly(@TempDir Path dir) throws Exception {
        KeyPair k = Ed25519.generate();
        Path priv = dir.resolve("keys/signing.pem");
        Path pub = dir.resolve("keys/signing.pub.pem");
        Ed25519.writePrivateKey(priv, k.getPrivate());
        Ed25519.writePublicKey(pub, k.getPublic());

        String text = Files.readString(pub);
        assertTrue(text.startsWith("-----BEGIN PUBLIC KEY-----\n"), text);
        assertTrue(Files.readString(priv).startsWith("-----BEGIN PRIVATE KEY-----\n"));

        PrivateKey p2 = Ed25519.readPrivateKey(priv);
        PublicKey q2 = Ed25519.readPublicKey(pub);
        assertArrayEquals(k.getPublic().getEncoded(), q2.getEncoded());
        assertTrue(Ed25519.verify(k.getPublic(), DATA, Ed25519.sign(p2, DATA)), "re-read private key signs for the original public key");
        assertEquals(Ed25519.keyId(k.getPublic()), Ed25519.keyId(q2));
        try (var files = Files.list(priv.getParent())) {
            assertEquals(2, files.count(), "no temp files left");
        }
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
        }
    }

    @Test
    void keyIdIsShortHexAndDistinguishesKeys() {
        PublicKey a = Ed25519.generate().getPublic();
        String id = Ed25519.keyId(a);
        assertTrue(id.matches("[0-9a-f]{16}"), id);
        assertEquals(id, Ed25519.keyId(a));
        assertNotEquals(id, Ed25519.keyId(Ed25519.generate().getPublic()));
    }

    @Test
    void missingOrMalformedKeyFilesNameTheFile(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.pem");
        MessagingException e = assertThrows(MessagingException.class, () -> Ed25519.readPublicKey(missing));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("not found"), e.getMessage());

        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        e = assertThrows(MessagingException.class, () -> Ed25519.readPublicKey(garbage));
        assertTrue(e.getMessage().contains("malformed") && e.getMessage().contains(garbage.toString()), e.getMessage());

        Path pub = dir.resolve("pub.pem");
        Ed25519.writePublicKey(pub, Ed25519.generate().getPublic());
        e = assertThrows(MessagingException.class, () -> Ed25519.readPrivateKey(pub));
        assertTrue(e.getMessage().contains("BEGIN PRIVATE KEY") && e.getMessage().contains(pub.toString()), e.getMessage());
    }

    @Test
    void thePublicKeyOfAPrivateKeyIsItsPairsAndSurvivesTheOneLineForm() {
        KeyPair k = Ed25519.generate();
        PublicKey derived = Ed25519.publicOf(k.getPrivate());
        assertEquals(Ed25519.keyId(k.getPublic()), Ed25519.keyId(derived));
        assertTrue(Ed25519.verify(derived, DATA, Ed25519.sign(k.getPrivate(), DATA)));
        assertNotEquals(Ed25519.keyId(k.getPublic()), Ed25519.keyId(Ed25519.publicOf(Ed25519.generate().getPrivate())));
        PublicKey back = Ed25519.decodePublic(Ed25519.encodePublic(k.getPublic()), "test");
        assertEquals(Ed25519.keyId(k.getPublic()), Ed25519.keyId(back));
        MessagingException e = assertThrows(MessagingException.class, () -> Ed25519.decodePublic("bm90IGEga2V5",
                "registry acme.figureKeys"));
        assertTrue(e.getMessage().startsWith("registry acme.figureKeys: not an Ed25519 public key"), e.getMessage());
    }
}
