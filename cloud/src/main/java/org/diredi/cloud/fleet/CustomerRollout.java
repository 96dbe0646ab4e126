package org.diredi.cloud.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * One customer's fleet state ({@code fleet/rollouts/<customer>.json}): the version its cameras should
 * run, the signed artifacts of every release (for the rest of a rollout, late cameras and rollbacks),
 * the latest rollout and what was sent to whom.
 *
 * @param current  the version every camera should run: the last rollout whose canaries proved it, or the
 *                 version a fleet rollback of every camera returned to
 * @param releases version -> profile -> signed artifact
 * @param rollout  the latest rollout (null before the first)
 * @param sent     device -> the last update sent to it
 */
public record CustomerRollout(String customer, long current, Map<Long, Map<String, Artifact>> releases,
                              Rollout rollout, Map<String, Sent> sent) {

    /** Where a rollout stands. */
    public enum Phase {
        /** sent to the canaries; the rest wait for them to run it healthily */
        CANARY,
        /** the canaries proved it: sent to every camera, it is the customer's current version */
        COMPLETE,
        /** a canary rejected it or rolled it back: nobody else gets it */
        HALTED,
        /** a newer update or a fleet rollback took its place before it completed */
        SUPERSEDED
    }

    /**
     * One update's way to the customer's cameras.
     *
     * @param healthySince canary -> since when (cloud clock) it has been seen running the version, online
     * @param reason       why it halted or was superseded
     */
    public record Rollout(long version, String transferId, Phase phase, List<String> canaries, List<String> rest,
                          Map<String, String> healthySince, String reason, String startedAt, String changedAt) {
        public Rollout {
            canaries = List.copyOf(canaries);
            rest = List.copyOf(rest);
            healthySince = healthySince == null ? Map.of() : Map.copyOf(healthySince);
        }

        Rollout to(Phase p, String why, String at) {
            return new Rollout(version, transferId, p, canaries, rest, healthySince, why, startedAt, at);
        }

        Rollout healthy(Map<String, String> since) {
            return new Rollout(version, transferId, phase, canaries, rest, since, reason, startedAt, changedAt);
        }
    }

    /** An update sent to a device: its version and when (cloud clock). */
    public record Sent(long version, String at) {}

    public CustomerRollout {
        releases = releases == null ? Map.of() : Map.copyOf(new TreeMap<>(releases));
        sent = sent == null ? Map.of() : Map.copyOf(sent);
    }

    /** A customer no update was rolled out to yet, its cameras on {@code version}. */
    public static CustomerRollout initial(String customer, long version) {
        return new CustomerRollout(customer, version, Map.of(), null, Map.of());
    }

    CustomerRollout withCurrent(long version) {
        return new CustomerRollout(customer, version, releases, rollout, sent);
    }

    CustomerRollout withRollout(Rollout r) {
        return new CustomerRollout(customer, current, releases, r, sent);
    }

    CustomerRollout withRelease(long version, Map<String, Artifact> artifacts) {
        Map<Long, Map<String, Artifact>> m = new HashMap<>(releases);
        m.put(version, Map.copyOf(artifacts));
        return new CustomerRollout(customer, current, m, rollout, sent);
    }

    CustomerRollout withSent(String device, Sent s) {
        Map<String, Sent> m = new HashMap<>(sent);
        m.put(device, s);
        return new CustomerRollout(customer, current, releases, rollout, m);
    }

    /** The same update noted as sent to each of {@code devices} (one copy of the map, not one per device). */
    CustomerRollout withSent(java.util.Collection<String> devices, Sent s) {
        Map<String, Sent> m = new HashMap<>(sent);
        devices.forEach(d -> m.put(d, s));
        return new CustomerRollout(customer, current, releases, rollout, m);
    }

    /** The artifact of {@code version} for {@code profile}, or null. */
    public Artifact artifact(long version, String profile) {
        return releases.getOrDefault(version, Map.of()).get(profile);
    }

    static Path file(Path dir, String customer) {
        return dir.resolve(customer + ".json");
    }

    void save(Path dir) {
        try {
            AtomicFiles.writeJson(file(dir, customer), this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(dir, customer) + ": " + e.getMessage(), e);
        }
    }

    /** Every customer's state in {@code dir}; an unreadable file is an error naming it. */
    public static Map<String, CustomerRollout> readAll(Path dir) {
        Map<String, CustomerRollout> all = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                CustomerRollout c = read(f);
                all.put(c.customer(), c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
        return all;
    }

    private static CustomerRollout read(Path f) {
        try {
            return ConfigFiles.JSON.readValue(f.toFile(), CustomerRollout.class);
        } catch (IOException e) {
            throw new IllegalStateException(f + ": unreadable rollout state (" + e.getMessage() + ")", e);
        }
    }
}
