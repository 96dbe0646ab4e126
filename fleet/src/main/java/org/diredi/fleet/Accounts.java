package org.diredi.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.MosquittoFiles;
import org.diredi.messaging.Secrets;

/**
 * Broker accounts: a random password, which goes only into the password file the account's machine
 * reads (owner-only), and its hashes for the brokers: PBKDF2 for the embedded broker's account store,
 * mosquitto's own for its passwd file. Account names follow one scheme on both brokers.
 */
public final class Accounts {

    /** The cloud's default account (each further cloud worker gets its own). */
    public static final String CLOUD = "cloud";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A new account.
     *
     * @param user            the account for the embedded broker (PBKDF2 hash)
     * @param mosquittoPasswd the same account's line for mosquitto's passwd file
     */
    public record Created(BrokerConfig.User user, String mosquittoPasswd) {}

    private Accounts() {}

    /** The account of a customer's camera: {@code <customer>-<device>} (device ids are unique per customer only). */
    public static String device(String customer, String device) {
        return customer + "-" + device;
    }

    /** The account of a customer's (first) on-prem PC. */
    public static String onprem(String customer) {
        return customer + "-onprem";
    }

    /**
     * Makes an account and writes its password to {@code passwordFile} (owner-only); the password is
     * kept nowhere else.
     */
    public static Created create(Path passwordFile, String username, String role, String customer, String device,
                                 String profile) {
        byte[] r = new byte[24];
        RANDOM.nextBytes(r);
        char[] secret = Base64.getUrlEncoder().withoutPadding().encodeToString(r).toCharArray();
        try {
            BrokerConfig.User u = new BrokerConfig.User(username, BrokerConfig.hashPassword(secret), role, customer,
                    device, profile);
            String mosquitto = MosquittoFiles.passwdLine(username, secret);
            Secrets.writeOwnerOnly(passwordFile, new String(secret).getBytes(StandardCharsets.UTF_8));
            return new Created(u, mosquitto);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write password file " + passwordFile + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(secret, '\0');
            Arrays.fill(r, (byte) 0);
        }
    }
}
