package org.diredi.workflow.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.diredi.broker.BrokerConfig;
import org.diredi.messaging.Ed25519;
import org.diredi.vision.io.AtomicFiles;

/**
 * Who may do what in a demo run: the manufacturer's Ed25519 signing key (kept across runs, as a
 * manufacturer keeps its key) and one broker account per party (cloud, the customer's on-prem PC, each
 * camera) with a fresh random password, kept in a file that the party's config names.
 *
 * @param passwords folder of {@code <account>.password} files
 */
record DemoAccounts(Path signingKey, Path publicKey, Path passwords, List<BrokerConfig.User> users) {

    static final String CLOUD = "cloud";

    /** The customer's on-prem account. */
    static String onprem(String customer) {
        return customer + "-onprem";
    }

    static DemoAccounts create(Path out, String customer, List<String> cameras) throws IOException {
        Path keys = out.resolve("keys");
        Path signingKey = keys.resolve("manufacturer.key.pem");
        Path publicKey = keys.resolve("manufacturer.pub.pem");
        if (!Files.exists(signingKey)) {
            KeyPair kp = Ed25519.generate();
            Ed25519.writePrivateKey(signingKey, kp.getPrivate());
            Ed25519.writePublicKey(publicKey, kp.getPublic());
        }
        Path passwords = out.resolve("accounts");
        AtomicFiles.deleteTree(passwords);
        List<BrokerConfig.User> users = new ArrayList<>();
        users.add(account(passwords, CLOUD, BrokerConfig.CLOUD, null, null));
        users.add(account(passwords, onprem(customer), BrokerConfig.ONPREM, customer, null));
        for (String cam : cameras) {
            users.add(account(passwords, cam, BrokerConfig.DEVICE, customer, cam));
        }
        return new DemoAccounts(signingKey, publicKey, passwords, users);
    }

    Path passwordFile(String account) {
        return passwords.resolve(account + ".password");
    }

    /** The password of {@code account}, for a client the demo itself connects. */
    String password(String account) throws IOException {
        return Files.readString(passwordFile(account));
    }

    /** A new account: a random password in its file, only its PBKDF2 hash in the broker's config. */
    private static BrokerConfig.User account(Path passwords, String name, String role, String customer, String device)
            throws IOException {
        byte[] r = new byte[12];
        new SecureRandom().nextBytes(r);
        String secret = HexFormat.of().formatHex(r);
        AtomicFiles.writeString(passwords.resolve(name + ".password"), secret);
        return new BrokerConfig.User(name, BrokerConfig.hashPassword(secret.toCharArray()), role, customer, device);
    }
}
