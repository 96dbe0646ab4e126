package org.diredi.broker;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.diredi.messaging.Topics;
import org.diredi.vision.config.ConfigFiles;

/**
 * The embedded broker's settings, loadable from YAML or JSON over {@link #defaults()}:
 * <pre>
 * bind: 127.0.0.1
 * port: 1883              # 0 = any free port (EmbeddedBroker.port() tells which)
 * dataDir: work/broker    # conf/, data/ (sessions, queued messages), extensions/
 * maxPacketBytes: 16777216
 * maxQueuedMessages: 20000
 * accountStore: work/broker/accounts.yaml   # enrolled accounts, re-read when it changes (null = none)
 * tls: {bind: 0.0.0.0, port: 8883, keystore: broker.p12, passwordFile: broker.p12.password}   # null = no TLS
 * users:                  # accounts of the configuration itself (the store's are usually enough)
 *   - {username: cam-01, passwordHash: "pbkdf2-sha256$...", role: device, customer: acme, device: cam-01, profile: cpu}
 *   - {username: acme-onprem, passwordHash: "...", role: onprem, customer: acme}
 *   - {username: cloud, passwordHash: "...", role: cloud}
 * </pre>
 *
 * @param maxQueuedMessages per offline client; a chunked transfer to an offline device needs one
 *                          slot per chunk, and HiveMQ silently drops messages beyond the limit
 * @param accountStore      the {@link AccountStore} file, looked at on every connection attempt and
 *                          re-read when it changed (a missing file holds no account yet); null = none
 * @param tls               a second listener, MQTT over TLS, or null for none
 */
public record BrokerConfig(String bind, int port, String dataDir, long maxPacketBytes, long maxQueuedMessages,
        String accountStore, Tls tls, List<User> users) {

    public static final String DEVICE = "device";
    public static final String ONPREM = "onprem";
    public static final String CLOUD = "cloud";
    /** A cloud worker ({@code diredi cloud serve --worker}): takes delta jobs, reports their decisions. */
    public static final String WORKER = "worker";

    /**
     * One account. Client ids must be the user name or start with {@code <username>.}: otherwise a
     * device could connect under another account's client id and take over its session.
     */
    public record User(String username, String passwordHash, String role, String customer, String device,
                       String profile) {
        public User {
            if (username == null || !username.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("user name '" + username + "': expected 1-64 characters of A-Z a-z 0-9 _ -");
            }
            try {
                Passwords.check(passwordHash);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("user " + username + ": " + e.getMessage());
            }
            checkRole(username, role, customer, device);
            if (profile != null && !DEVICE.equals(role)) {
                throw new IllegalArgumentException("user " + username + ": a profile makes no sense for this role");
            }
            if (profile != null) {
                need(username, "profile", profile);
            }
        }

        /** An account without a device profile: a camera so enrolled gets its updates on its own topic only. */
        public User(String username, String passwordHash, String role, String customer, String device) {
            this(username, passwordHash, role, customer, device, null);
        }

        /** Device accounts name their customer and device, on-prem accounts their customer, the cloud and its workers neither. */
        private static void checkRole(String username, String role, String customer, String device) {
            if (role == null || !List.of(DEVICE, ONPREM, CLOUD, WORKER).contains(role)) {
                throw new IllegalArgumentException("user " + username + ": unknown role '" + role
                        + "' (expected device, onprem, cloud or worker)");
            }
            switch (role) {
                case DEVICE -> {
                    need(username, "customer", customer);
                    need(username, "device", device);
                }
                case ONPREM -> {
                    need(username, "customer", customer);
                    none(username, "device", device);
                }
                default -> {
                    none(username, "customer", customer);
                    none(username, "device", device);
                }
            }
        }

        private static void need(String user, String what, String value) {
            if (value == null) {
                throw new IllegalArgumentException("user " + user + ": a " + what + " id is required for this role");
            }
            try {
                Topics.id(what, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("user " + user + ": " + e.getMessage());
            }
        }

        private static void none(String user, String what, String value) {
            if (value != null) {
                throw new IllegalArgumentException("user " + user + ": a " + what + " id makes no sense for this role");
            }
        }

        @Override
        public String toString() {
            return "User[" + username + ", " + role + (customer == null ? "" : ", customer=" + customer)
                    + (device == null ? "" : ", device=" + device) + (profile == null ? "" : ", profile=" + profile) + "]";
        }
    }

    /**
     * The TLS listener: the broker's key and certificate chain in a PKCS#12 (or JKS) keystore whose
     * password (also the key's) is in {@code passwordFile}; clients pin the CA that signed it.
     *
     * @param bind the address to listen on; null = 0.0.0.0 (every interface: the listener for other machines)
     */
    public record Tls(String bind, int port, String keystore, String passwordFile) {
        public Tls {
            bind = bind == null || bind.isBlank() ? "0.0.0.0" : bind;
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("tls.port must be 0..65535 (0 = any free port), got " + port);
            }
            if (keystore == null || keystore.isBlank() || passwordFile == null || passwordFile.isBlank()) {
                throw new IllegalArgumentException("tls: keystore and passwordFile are required");
            }
        }

        /** The keystore's password, from its file. */
        public String password() {
            return org.diredi.messaging.Secrets.password(null, passwordFile, "tls.passwordFile");
        }
    }

    public BrokerConfig {
        checkListener(bind, port, dataDir);
        checkLimits(maxPacketBytes, maxQueuedMessages);
        users = users == null ? List.of() : checkUsers(users);
    }

    private static void checkListener(String bind, int port, String dataDir) {
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("bind must be an address such as 127.0.0.1");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535 (0 = any free port), got " + port);
        }
        if (dataDir == null || dataDir.isBlank()) {
            throw new IllegalArgumentException("dataDir must be a directory path");
        }
    }

    private static void checkLimits(long maxPacketBytes, long maxQueuedMessages) {
        if (maxPacketBytes < 1024 || maxPacketBytes > 268_435_460L) {
            throw new IllegalArgumentException("maxPacketBytes must be 1024..268435460, got " + maxPacketBytes);
        }
        if (maxQueuedMessages < 1) {
            throw new IllegalArgumentException("maxQueuedMessages must be >= 1, got " + maxQueuedMessages);
        }
    }

    /**
     * No empty entries, no user name twice; then the immutable copy (made after the checks: List.copyOf
     * rejects an empty entry with a bare NullPointerException).
     */
    static List<User> checkUsers(List<User> users) {
        Set<String> seen = new HashSet<>();
        for (User u : users) {
            if (u == null) {
                throw new IllegalArgumentException("users: empty entry");
            }
            if (!seen.add(u.username())) {
                throw new IllegalArgumentException("users: duplicate user name '" + u.username() + "'");
            }
        }
        return List.copyOf(users);
    }

    public static BrokerConfig defaults() {
        return new BrokerConfig("127.0.0.1", 1883, "work/broker", 16L << 20, 20_000, "work/broker/accounts.yaml", null,
                List.of());
    }

    /** @throws ConfigFiles.ConfigException naming the file and the problem */
    public static BrokerConfig load(Path file) {
        return ConfigFiles.load(file, BrokerConfig.class, defaults());
    }

    /** A salted PBKDF2 hash for the {@code passwordHash} field. */
    public static String hashPassword(char[] password) {
        return Passwords.hash(password);
    }

    public Optional<User> user(String username) {
        return users.stream().filter(u -> u.username().equals(username)).findFirst();
    }

    public BrokerConfig withPort(int p) {
        return new BrokerConfig(bind, p, dataDir, maxPacketBytes, maxQueuedMessages, accountStore, tls, users);
    }

    /** The data folder; the account store moves into it too (a test's or a demo's broker keeps to its folder). */
    public BrokerConfig withDataDir(Path dir) {
        return new BrokerConfig(bind, port, dir.toString(), maxPacketBytes, maxQueuedMessages,
                dir.resolve("accounts.yaml").toString(), tls, users);
    }

    public BrokerConfig withUsers(List<User> u) {
        return new BrokerConfig(bind, port, dataDir, maxPacketBytes, maxQueuedMessages, accountStore, tls, u);
    }

    /** The account store file; null = none. */
    public BrokerConfig withAccountStore(Path file) {
        return new BrokerConfig(bind, port, dataDir, maxPacketBytes, maxQueuedMessages,
                file == null ? null : file.toString(), tls, users);
    }

    public BrokerConfig withTls(Tls t) {
        return new BrokerConfig(bind, port, dataDir, maxPacketBytes, maxQueuedMessages, accountStore, t, users);
    }
}
