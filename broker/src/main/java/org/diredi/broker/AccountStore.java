package org.diredi.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diredi.messaging.Secrets;
import org.diredi.vision.config.ConfigFiles;

/**
 * The broker's account store: one YAML file of {@link BrokerConfig.User} entries (PBKDF2 hashes, never
 * a password), written by enrolment ({@code diredi fleet add-*}) and read by the broker, which picks up
 * a changed file at the next connection attempt (see {@link AccountBook}). Written atomically and
 * readable by its owner only: the hashes are not secrets, but no one else needs to try them offline.
 * <pre>
 * users:
 *   - {username: acme-cam-01, passwordHash: "pbkdf2-sha256$...", role: device, customer: acme, device: cam-01}
 * </pre>
 */
public final class AccountStore {

    /** The file's contents: no empty entry, no user name twice. */
    public record Contents(List<BrokerConfig.User> users) {
        public Contents {
            users = users == null ? List.of() : BrokerConfig.checkUsers(users);
        }
    }

    private static final String HEADER = "# Broker accounts (PBKDF2 hashes, no passwords): written by diredi fleet add-*,"
            + " read by diredi broker serve,\n# which picks up a change at the next connection attempt. Roles and topic"
            + " grants: broker/Grants.\n";

    private AccountStore() {}

    /**
     * The accounts in {@code file}; none when it does not exist yet (no one enrolled).
     *
     * @throws ConfigFiles.ConfigException naming the file and the problem when it is not a valid store
     */
    public static List<BrokerConfig.User> read(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        return ConfigFiles.load(file, Contents.class, new Contents(List.of())).users();
    }

    /** Replaces the store with {@code users}, atomically, owner-only. */
    public static void write(Path file, List<BrokerConfig.User> users) {
        String yaml;
        try {
            yaml = HEADER + ConfigFiles.YAML.writeValueAsString(new Contents(users));
            Secrets.writeOwnerOnly(file, yaml.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write account store " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds one account. The caller serialises writers (enrolment holds the fleet's lock).
     *
     * @throws IllegalArgumentException naming the store when the user name is taken
     */
    public static void add(Path file, BrokerConfig.User user) {
        List<BrokerConfig.User> users = new ArrayList<>(read(file));
        requireFree(file, users, user.username());
        users.add(user);
        write(file, users);
    }

    /** @throws IllegalArgumentException naming the store when {@code username} already has an account */
    public static void requireFree(Path file, List<BrokerConfig.User> users, String username) {
        for (BrokerConfig.User u : users) {
            if (u.username().equals(username)) {
                throw new IllegalArgumentException(file + ": account '" + username + "' already exists ("
                        + u.role() + (u.customer() == null ? "" : " of customer " + u.customer())
                        + (u.device() == null ? "" : ", device " + u.device()) + "); nothing was changed");
            }
        }
    }
}
