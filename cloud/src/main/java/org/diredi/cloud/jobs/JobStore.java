package org.diredi.cloud.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.diredi.cloud.CloudService.CustomerState;
import org.diredi.cloud.fleet.Artifact;
import org.diredi.messaging.DeltaDecision;
import org.diredi.messaging.Hashes;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * The cloud's durable job store, {@code <workDir>/queue}: every file is written whole and renamed into
 * place ({@link AtomicFiles}), so a kill leaves a job either absent or complete. Per received delta:
 * <ul>
 * <li>{@code <id>.delta} and {@code <id>.job.json} ({@link Job}): received, not lost on a restart;</li>
 * <li>{@code <id>.verdict.json} ({@link Verdict}): decided, the commit point of a worker; a job with a
 * verdict is never decided again;</li>
 * <li>{@code <id>.done}: the decision as answered to the customer, once its rollout began and it was audited.</li>
 * </ul>
 * With workers on several machines this folder is on storage they all mount (with the models it names).
 */
public final class JobStore {

    /** A received delta, as announced to the workers. */
    public record Job(String transferId, String customer, String receivedAt, long bytes, String sha256) {
        public byte[] toJson() {
            return ConfigFiles.toJson(this).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        public static Job fromJson(byte[] json) throws IOException {
            return ConfigFiles.JSON.readValue(json, Job.class);
        }
    }

    /**
     * What a worker decided: the decision (without the rollout, which the intake begins), the customer's
     * state after it (null when rejected) and, when accepted, the signed artifacts per profile and the
     * profiles refused.
     */
    public record Verdict(String customer, DeltaDecision decision, CustomerState state, Map<String, Artifact> artifacts,
                          Map<String, String> refused) {
        public Verdict {
            artifacts = artifacts == null ? Map.of() : artifacts;
            refused = refused == null ? Map.of() : refused;
        }

        public static Verdict rejected(String customer, DeltaDecision d) {
            return new Verdict(customer, d, null, Map.of(), Map.of());
        }
    }

    private final Path dir;

    public JobStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot create the job store (" + e.getMessage() + ")", e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** Where the workers' {@link CustomerLock}s live. */
    public Path locks() {
        return dir.resolve("locks");
    }

    /** Makes a received delta durable (write, then rename); false for a duplicate completion (already stored). */
    public Optional<Job> enqueue(String transferId, String customer, Path payload) throws IOException {
        if (Files.exists(file(transferId, ".done")) || Files.exists(file(transferId, ".job.json"))) {
            return Optional.empty(); // a duplicate completion (at-least-once delivery): already queued or decided
        }
        AtomicFiles.write(delta(transferId), o -> Files.copy(payload, o));
        Job j = new Job(transferId, customer, Instant.now().toString(), Files.size(payload), Hashes.sha256Hex(payload));
        AtomicFiles.writeJson(file(transferId, ".job.json"), j);
        return Optional.of(j);
    }

    public Optional<Job> job(String transferId) {
        return read(file(transferId, ".job.json"), Job.class);
    }

    public Path delta(String transferId) {
        return file(transferId, ".delta");
    }

    /** Jobs without a final decision, oldest first. */
    public List<String> pending() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".job.json"))
                    .map(n -> n.substring(0, n.length() - ".job.json".length()))
                    .filter(id -> !Files.exists(file(id, ".done")))
                    .sorted(Comparator.comparingLong((String id) -> modified(file(id, ".job.json"))).thenComparing(id -> id))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Verdict> verdict(String transferId) {
        return read(file(transferId, ".verdict.json"), Verdict.class);
    }

    /** Records a worker's decision: from here on the job is decided, whatever happens to the worker. */
    public void commit(String transferId, Verdict v) throws IOException {
        AtomicFiles.writeJson(file(transferId, ".verdict.json"), v);
    }

    public Optional<DeltaDecision> done(String transferId) {
        return read(file(transferId, ".done"), DeltaDecision.class);
    }

    public void done(String transferId, DeltaDecision d) throws IOException {
        AtomicFiles.writeJson(file(transferId, ".done"), d);
    }

    private Path file(String transferId, String suffix) {
        return dir.resolve(org.diredi.messaging.TransferManifest.checkId(transferId) + suffix);
    }

    private static <T> Optional<T> read(Path f, Class<T> type) {
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(ConfigFiles.JSON.readValue(f.toFile(), type));
        } catch (IOException e) {
            throw new UncheckedIOException(f + ": unreadable (" + e.getMessage() + ")", e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
