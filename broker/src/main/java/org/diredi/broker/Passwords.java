package org.diredi.broker;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted PBKDF2-HMAC-SHA256 password hashes for the broker's user list, encoded as
 * {@code pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>} so the work factor can be raised
 * later without invalidating existing entries.
 */
public final class Passwords {

    public static final int DEFAULT_ITERATIONS = 210_000;
    private static final String PREFIX = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {}

    public static String hash(char[] password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    public static String hash(char[] password, int iterations) {
        if (password == null || password.length == 0) {
            throw new IllegalArgumentException("password must not be empty");
        }
        if (iterations < 1000) {
            throw new IllegalArgumentException("iterations must be >= 1000, got " + iterations);
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(pbkdf2(password, salt, iterations));
    }

    /** Constant-time comparison; false for a null password. */
    public static boolean verify(String encoded, char[] password) {
        Parsed p = parse(encoded);
        if (password == null) {
            return false;
        }
        return MessageDigest.isEqual(p.hash(), pbkdf2(password, p.salt(), p.iterations()));
    }

    /** @throws IllegalArgumentException naming what is wrong with an encoded hash */
    public static void check(String encoded) {
        parse(encoded);
    }

    record Parsed(int iterations, byte[] salt, byte[] hash) {}

    static Parsed parse(String encoded) {
        String[] parts = encoded == null ? new String[0] : encoded.split("\\$");
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            throw new IllegalArgumentException("password hash must look like " + PREFIX
                    + "$<iterations>$<salt>$<hash> (make one with Passwords.hash)");
        }
        try {
            int it = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (it < 1000 || salt.length < 8 || hash.length != HASH_BITS / 8) {
                throw new IllegalArgumentException("password hash has too few iterations, a short salt or a wrong length");
            }
            return new Parsed(it, salt, hash);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("password hash: iterations '" + parts[1] + "' is not a number");
        }
    }

    private static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without PBKDF2WithHmacSHA256", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** Command line helper: prints the hash of the password given on stdin (one line). */
    public static void main(String[] args) throws Exception {
        java.io.Console console = System.console();
        char[] pw = console != null ? console.readPassword("password: ")
                : new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine().toCharArray();
        System.out.println(hash(pw));
        Arrays.fill(pw, '\0');
    }
}
