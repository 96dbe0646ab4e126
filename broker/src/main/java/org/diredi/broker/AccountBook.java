package org.diredi.broker;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.diredi.vision.io.FileStamp;

/**
 * The accounts the broker knows now: those of its configuration plus those of its account store, which
 * is looked at on every connection attempt (one {@code stat}) and re-read when it changed, so enrolment
 * takes effect without a restart. Connected clients keep the permissions they were given at connect;
 * a removed account is refused from its next connection on.
 *
 * <p>A store that is corrupt or names an account of the configuration is an error at start; later, while
 * clients depend on the broker, it is reported and the last good accounts stay in force.
 */
final class AccountBook {

    private record Snapshot(FileStamp stamp, Map<String, BrokerConfig.User> users) {}

    private final Map<String, BrokerConfig.User> configured;
    private final Path store;
    private final Consumer<String> log;
    private volatile Snapshot current;

    /** @throws org.diredi.vision.config.ConfigFiles.ConfigException naming the store when it is not valid */
    AccountBook(BrokerConfig config, Consumer<String> log) {
        this.configured = config.users().stream().collect(Collectors.toMap(BrokerConfig.User::username,
                Function.identity()));
        this.store = config.accountStore() == null ? null : Path.of(config.accountStore());
        this.log = log;
        FileStamp s = stamp();
        this.current = new Snapshot(s, merge(store == null ? List.of() : AccountStore.read(store)));
    }

    /** The account named {@code username} as the store says now, or null. */
    BrokerConfig.User find(String username) {
        refreshIfChanged();
        return current.users().get(username);
    }

    /** How many accounts there are now. */
    int size() {
        refreshIfChanged();
        return current.users().size();
    }

    /** Any account, for the work factor of the hash that unknown user names cost (null when there is none). */
    BrokerConfig.User any() {
        return current.users().values().stream().findFirst().orElse(null);
    }

    private void refreshIfChanged() {
        if (store == null) {
            return;
        }
        FileStamp s = stamp();
        if (s.equals(current.stamp())) {
            return;
        }
        synchronized (this) {
            if (s.equals(current.stamp())) {
                return;
            }
            try {
                Snapshot next = new Snapshot(s, merge(AccountStore.read(store)));
                current = next;
                log.accept("broker: account store " + store + " re-read: " + next.users().size() + " account(s)");
            } catch (RuntimeException e) {
                // Remember the bad version so it is reported once, not on every connection attempt.
                current = new Snapshot(s, current.users());
                log.accept("broker: " + e.getMessage() + "; keeping the " + current.users().size()
                        + " account(s) read before");
            }
        }
    }

    private Map<String, BrokerConfig.User> merge(List<BrokerConfig.User> stored) {
        Map<String, BrokerConfig.User> all = new HashMap<>(configured);
        for (BrokerConfig.User u : stored) {
            if (all.containsKey(u.username())) {
                throw new IllegalArgumentException(store + ": account '" + u.username()
                        + "' is also in the broker's configuration (users); keep one");
            }
            all.put(u.username(), u);
        }
        return Map.copyOf(all);
    }

    private FileStamp stamp() {
        return store == null ? FileStamp.MISSING : FileStamp.of(store);
    }
}
