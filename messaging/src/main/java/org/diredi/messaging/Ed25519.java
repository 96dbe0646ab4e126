package org.diredi.messaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.diredi.vision.io.AtomicFiles;

/**
 * Ed25519 with the JDK's own provider: key pairs, PEM files (PKCS#8 private, X.509 public, the forms
 * {@code openssl pkey} reads), signatures and short key ids.
 */
public final class Ed25519 {

    private static final String ALG = "Ed25519";
    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";

    private Ed25519() {}

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALG).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without Ed25519", e);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance(ALG);
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (InvalidKeyException e) {
            throw new MessagingException("not an Ed25519 private key: " + key.getAlgorithm(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** False for a wrong or malformed signature; never throws for bad input bytes. */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        if (signature == null || data == null) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(ALG);
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (SignatureException e) {
            return false; // wrong length or encoding: simply not a valid signature
        } catch (InvalidKeyException e) {
            throw new MessagingException("not an Ed25519 public key: " + key.getAlgorithm(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 verification failed", e);
        }
    }

    /** First 16 hex digits of the SHA-256 of the X.509 encoding: a name for a key, not a secret. */
    public static String keyId(PublicKey key) {
        return Hashes.sha256Hex(key.getEncoded()).substring(0, 16);
    }

    /**
     * Writes the private key as PKCS#8 PEM, atomically, readable by the owner only where the file
     * system has POSIX permissions. The temp file gets mode 600 at creation, so the key is never
     * readable by others, not even between write and rename.
     */
    public static void writePrivateKey(Path file, PrivateKey key) {
        try {
            Secrets.writeOwnerOnly(file, pem(PRIVATE, key.getEncoded()));
        } catch (IOException e) {
            throw new MessagingException("cannot write private key " + file + ": " + e.getMessage(), e);
        }
    }

    public static void writePublicKey(Path file, PublicKey key) {
        try {
            AtomicFiles.writeBytes(file, pem(PUBLIC, key.getEncoded()));
        } catch (IOException e) {
            throw new MessagingException("cannot write public key " + file + ": " + e.getMessage(), e);
        }
    }

    public static PrivateKey readPrivateKey(Path file) {
        byte[] der = readPem(file, PRIVATE);
        try {
            return KeyFactory.getInstance(ALG).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new MessagingException("malformed Ed25519 private key in " + file + ": " + e.getMessage(), e);
        }
    }

    public static PublicKey readPublicKey(Path file) {
        byte[] der = readPem(file, PUBLIC);
        try {
            return KeyFactory.getInstance(ALG).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new MessagingException("malformed Ed25519 public key in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The public key of {@code key}, so a machine keeps one key file: an Ed25519 private key is a 32-byte seed
     * that fixes its public key (RFC 8032 section 5.1.5); the JDK's generator, handed that seed as its random
     * bytes, derives it.
     */
    public static PublicKey publicOf(PrivateKey key) {
        if (!(key instanceof java.security.interfaces.EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw new MessagingException("not an Ed25519 private key: " + key.getAlgorithm());
        }
        byte[] seed = ed.getBytes().get();
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(ALG);
            g.initialize(java.security.spec.NamedParameterSpec.ED25519, new java.security.SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
                }
            });
            return g.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without Ed25519", e);
        }
    }

    /** The public key as base64 of its X.509 encoding: one line, for a registry or a YAML file. */
    public static String encodePublic(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /** The key {@link #encodePublic} wrote; {@code what} names where it came from in the error. */
    public static PublicKey decodePublic(String base64, String what) {
        try {
            return KeyFactory.getInstance(ALG).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(
                    base64 == null ? "" : base64.trim())));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new MessagingException(what + ": not an Ed25519 public key (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] readPem(Path file, String type) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new MessagingException("key file not found: " + file);
        } catch (IOException e) {
            throw new MessagingException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new MessagingException("malformed key file " + file + ": no '" + begin + "' block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new MessagingException("malformed key file " + file + ": bad base64 (" + ex.getMessage() + ")", ex);
        }
    }
}
