package org.diredi.workflow.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diredi.broker.BrokerConfig;
import org.diredi.fleet.Accounts;
import org.diredi.fleet.ManufacturerKeys;
import org.diredi.vision.io.AtomicFiles;

/**
 * Who may do what in a demo run: the manufacturer's Ed25519 signing key (kept across runs, as a
 * manufacturer keeps its key) and one broker account per party (cloud, the customer's on-prem PC, each
 * camera) with a fresh random password, kept in a file that the party's config names; made by the same
 * code as enrolment ({@code diredi keys init}, {@code diredi fleet add-*}).
 *
 * @param passwords folder of {@code <account>.password} files
 */
record DemoAccounts(Path signingKey, Path publicKey, Path passwords, List<BrokerConfig.User> users) {

    static final String CLOUD = Accounts.CLOUD;

    /** The customer's on-prem account. */
    static String onprem(String customer) {
        return Accounts.onprem(customer);
    }

    /** Each camera's account is named after the camera (the demo has one customer). */
    static DemoAccounts create(Path out, String customer, List<String> cameras) throws IOException {
        ManufacturerKeys keys = ManufacturerKeys.ensure(out.resolve("keys"));
        Path passwords = out.resolve("accounts");
        AtomicFiles.deleteTree(passwords);
        List<BrokerConfig.User> users = new ArrayList<>();
        users.add(account(passwords, CLOUD, BrokerConfig.CLOUD, null, null));
        users.add(account(passwords, onprem(customer), BrokerConfig.ONPREM, customer, null));
        for (String cam : cameras) {
            users.add(account(passwords, cam, BrokerConfig.DEVICE, customer, cam));
        }
        return new DemoAccounts(keys.privateKey(), keys.publicKey(), passwords, users);
    }

    Path passwordFile(String account) {
        return passwords.resolve(account + ".password");
    }

    /** The password of {@code account}, for a client the demo itself connects. */
    String password(String account) throws IOException {
        return Files.readString(passwordFile(account));
    }

    private static BrokerConfig.User account(Path passwords, String name, String role, String customer, String device) {
        return Accounts.create(passwords.resolve(name + ".password"), name, role, customer, device).user();
    }
}
