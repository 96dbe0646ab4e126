package org.diredi.cloud.jobs;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;

/**
 * The intake's side of the workers' queue, on one thread: announces each received delta as a job on
 * {@link Topics#job} (QoS 1) for the workers' shared subscription, at most one job per customer at a time, in
 * the order received; a customer's next job goes out once the previous one's decision is in the job store.
 * Serializing here, where every job passes, keeps a customer's deltas decided in order and no worker waiting
 * on another's customer; the workers' {@link CustomerLock} covers what the broker or a re-announce gives out
 * twice. Decisions are noticed from the workers' note on {@link Topics#ALL_DECIDED} and, should one be lost,
 * from the job store at every tick. A job that no worker holds and that stays undecided
 * {@link JobSettings#redeliverSeconds} after its announcement is announced again, then after twice as long
 * each time: the broker drops a job announced while no worker is subscribed (a copy left over, should the
 * first one surface after all, is found decided and acknowledged).
 */
public final class JobDispatcher implements AutoCloseable {

    /** Finishes a decided job (rollout, audit, answer); called on the dispatcher's thread. */
    @FunctionalInterface
    public interface Finisher {
        Object finish(String transferId) throws Exception;
    }

    /** A job out with the workers: when it was last announced, and how many times. */
    private record InFlight(String transferId, long announcedAt, int announcements) {
        /** Announced again after redeliverSeconds, then twice as long each time (at most 64 times as long). */
        boolean due(long now, long redeliverSeconds) {
            return now - announcedAt > TimeUnit.SECONDS.toNanos(redeliverSeconds << Math.min(6, announcements - 1));
        }
    }

    static final long TICK_MILLIS = 1000;

    private final JobStore store;
    private final MqttLink link;
    private final JobSettings settings;
    private final Finisher finisher;
    private final PrintStream out;
    private final Map<String, InFlight> inFlight = new LinkedHashMap<>(); // by customer; the dispatcher's thread only
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cloud-jobs");
        t.setDaemon(true);
        return t;
    });

    /** Listens for the workers' notes on {@code link} (call before it connects). */
    public JobDispatcher(JobStore store, MqttLink link, JobSettings settings, Finisher finisher, PrintStream out) {
        this.store = store;
        this.link = link;
        this.settings = settings;
        this.finisher = finisher;
        this.out = out;
        link.subscribe(Topics.ALL_DECIDED, 1, (t, p, u) -> wake());
    }

    /** Announces the pending jobs (those of before a restart too) and starts the timer. */
    public void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Looks again now: a job was received, or a worker says one is decided. */
    public void wake() {
        if (!thread.isShutdown()) {
            thread.execute(this::tick);
        }
    }

    private void tick() {
        try {
            finishDecided();
            announcePending();
        } catch (Exception | AssertionError e) { // a periodic task that throws is never run again
            out.println("cloud: jobs: " + e);
        }
    }

    /** In-flight jobs with a decision are finished; one undecided past its time and held by no worker goes out again. */
    private void finishDecided() throws Exception {
        long now = System.nanoTime();
        for (Map.Entry<String, InFlight> e : Map.copyOf(inFlight).entrySet()) {
            String id = e.getValue().transferId();
            if (store.verdict(id).isPresent() || store.done(id).isPresent()) {
                finisher.finish(id);
                inFlight.remove(e.getKey());
            } else if (e.getValue().due(now, settings.redeliverSeconds()) && !CustomerLock.held(store.locks(), e.getKey())) {
                out.println("cloud: job " + id + " undecided and held by no worker: announced again");
                announce(store.job(id).orElseThrow(), e.getValue().announcements() + 1);
            }
        }
    }

    /** The oldest pending job of every customer without one in flight. */
    private void announcePending() throws Exception {
        Set<String> busy = new HashSet<>(inFlight.keySet());
        for (String id : store.pending()) {
            JobStore.Job j = store.job(id).orElse(null);
            if (j == null || busy.contains(j.customer())) {
                continue; // one job per customer at a time, in the order received
            }
            if (store.verdict(id).isPresent()) {
                finisher.finish(id); // decided before the intake restarted: then the customer's next
                continue;
            }
            announce(j, 1);
            busy.add(j.customer());
        }
    }

    private void announce(JobStore.Job j, int announcements) {
        try {
            link.publish(Topics.job(j.customer()), j.toJson(), 1, false, Map.of());
        } catch (RuntimeException e) {
            out.println("cloud: job " + j.transferId() + " not announced yet (" + e.getMessage() + ")");
            return;
        }
        inFlight.put(j.customer(), new InFlight(j.transferId(), System.nanoTime(), announcements));
        out.println("cloud: job " + j.transferId() + " of " + j.customer() + " announced on " + Topics.job(j.customer()));
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
