package org.diredi.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.diredi.messaging.Secrets;
import org.diredi.vision.io.AtomicFiles;

/**
 * The production broker's account files, as {@code broker/mosquitto/add-device.sh} writes them, from Java:
 * a {@code passwd} line in mosquitto 2.0's own hash format and the account's {@code acl} block with the
 * grants of its role ({@link Grants}, the policy the embedded broker enforces). Enrolment appends to
 * both; they are then installed as {@code /etc/mosquitto/diredi/passwd} and {@code acl}.
 */
public final class MosquittoFiles {

    /** mosquitto_passwd's defaults in mosquitto 2.0: PBKDF2-HMAC-SHA512 ({@code $7$}), 101 rounds, 12-byte salt. */
    private static final int ITERATIONS = 101;
    private static final int SALT_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ACL_HEADER = "# DiReDi topic permissions for mosquitto 2.0 (acl_file), one block per"
            + " account, written by diredi fleet add-*\n# (the policy: broker/mosquitto/acl). Install as"
            + " /etc/mosquitto/diredi/acl, then: systemctl reload mosquitto\n";

    private MosquittoFiles() {}

    /** The account's block of the acl file: a comment, {@code user NAME}, one {@code topic} line per grant. */
    public static String aclBlock(BrokerConfig.User u) {
        StringBuilder b = new StringBuilder(switch (u.role()) {
            case BrokerConfig.DEVICE -> "# device " + u.customer() + "/" + u.device();
            case BrokerConfig.ONPREM -> "# on-prem trainer of " + u.customer();
            case BrokerConfig.WORKER -> "# cloud worker";
            default -> "# cloud";
        }).append("\nuser ").append(u.username()).append('\n');
        for (Grants.Grant g : Grants.of(u)) {
            b.append("topic ").append(switch (g.access()) {
                case RECEIVE -> "read";
                case PUBLISH -> "write";
                case BOTH -> "readwrite";
            }).append(' ').append(g.filter()).append('\n');
        }
        return b.toString();
    }

    /** {@code user:$7$101$salt$hash}, the line mosquitto_passwd writes for this password. */
    public static String passwdLine(String username, char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        PBEKeySpec spec = new PBEKeySpec(password, salt, ITERATIONS, 512);
        try {
            byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
            Base64.Encoder b64 = Base64.getEncoder();
            return username + ":$7$" + ITERATIONS + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without PBKDF2WithHmacSHA512", e);
        } finally {
            spec.clearPassword();
        }
    }

    /**
     * Appends the account to {@code dir/passwd} (owner-only) and {@code dir/acl}, as add-device.sh does.
     *
     * @param passwdLine the account's {@link #passwdLine}
     * @throws IllegalArgumentException naming the file when the user name is already in either
     */
    public static void add(Path dir, BrokerConfig.User u, String passwdLine) {
        Path passwd = dir.resolve("passwd");
        Path acl = dir.resolve("acl");
        try {
            checkFree(dir, u.username());
            String pw = Files.exists(passwd) ? Files.readString(passwd) : "";
            String blocks = Files.exists(acl) ? Files.readString(acl) : ACL_HEADER;
            Secrets.writeOwnerOnly(passwd, (pw + passwdLine + "\n").getBytes(StandardCharsets.UTF_8));
            AtomicFiles.writeString(acl, blocks + "\n" + aclBlock(u));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write mosquitto files in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException naming the file when {@code username} is already in {@code dir/passwd} or {@code acl} */
    public static void checkFree(Path dir, String username) {
        Path passwd = dir.resolve("passwd");
        Path acl = dir.resolve("acl");
        try {
            if (Files.exists(passwd) && Files.readString(passwd).lines().anyMatch(l -> l.startsWith(username + ":"))) {
                throw new IllegalArgumentException(passwd + ": user '" + username + "' already exists; nothing was changed");
            }
            if (Files.exists(acl) && Files.readString(acl).lines().anyMatch(l -> l.equals("user " + username))) {
                throw new IllegalArgumentException(acl + ": user '" + username + "' already has a block; nothing was changed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read mosquitto files in " + dir + ": " + e.getMessage(), e);
        }
    }
}
