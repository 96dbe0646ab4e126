package org.diredi.cloud;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.diredi.cloud.jobs.JobStore;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;

/**
 * {@code diredi cloud serve --worker}: takes delta jobs from the intake ({@link CloudService} with
 * {@code jobs.shared}) through the MQTT v5 shared subscription {@link Topics#sharedJobs}, so the broker hands
 * each job to one worker. The link asks for one unacknowledged job at a time (Receive Maximum 1) and
 * acknowledges a job only once its decision is durable in the job store and the intake was told: until then
 * the broker holds it as in flight to this worker, and when this worker's session ends (clean start, no
 * session expiry: at its disconnect, or its death) the broker gives it to another worker. A job whose decision
 * exists (redelivered, or announced again) is not decided again: the intake is told once more and the job
 * acknowledged. The job store, the customers' state and the models are read from the work folder, which
 * every worker shares with the intake (README Deploy).
 */
public final class CloudWorker implements AutoCloseable {

    static final long IDLE_PULL_SECONDS = 2;

    private final CloudConfig config;
    private final PrintStream out;
    private final JobStore store;
    private final Decider decider;
    private final String name;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cloud-job");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService idle = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cloud-idle");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean busy = new AtomicBoolean();
    private MqttLink link;
    private String filter;

    public CloudWorker(CloudConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
        this.store = new JobStore(Path.of(config.workDir()).resolve("queue"));
        this.name = "worker-" + host() + "-" + ProcessHandle.current().pid();
        this.decider = new Decider(CloudService.Parts.of(config, out), store, name);
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_-]", "_");
        } catch (java.io.IOException e) {
            return "host";
        }
    }

    /** Connects (a clean session of its own client id, under the account's name) and takes jobs. */
    public void start() {
        link = new MqttLink(MqttLink.Options.of(config.broker(), config.username() + "." + name)
                .withCredentials(config.username(), config.secret())
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(120), Duration.ofSeconds(30))
                .withCaCertificate(config.brokerCaCertificate() == null ? null : Path.of(config.brokerCaCertificate())))
                .manualAcks(1);
        filter = Topics.sharedJobs(config.jobs().group());
        link.subscribeAcked(filter, 1, this::received);
        link.connect();
        idle.scheduleWithFixedDelay(this::pull, IDLE_PULL_SECONDS, IDLE_PULL_SECONDS, TimeUnit.SECONDS);
        out.println("cloud " + name + ": taking jobs from " + filter + " (job store " + store.dir() + ")");
    }

    private void received(String topic, byte[] payload, Map<String, String> props, Runnable ack) {
        busy.set(true);
        thread.execute(() -> {
            try {
                handle(payload, ack);
            } finally {
                busy.set(false);
            }
        });
    }

    /**
     * While idle, subscribes again: HiveMQ CE (2025.5) offers a shared subscription's queued messages to a member
     * only when a message arrives in an empty queue, when the member acknowledges one and when it subscribes, so
     * a worker idle while the others are busy and jobs wait would never be offered one. A second SUBSCRIBE to
     * the same filter replaces the first (MQTT 5 3.8.4); other brokers do nothing more.
     */
    private void pull() {
        if (!busy.get() && link.isConnected()) {
            try {
                link.subscribeAcked(filter, 1, this::received);
            } catch (RuntimeException e) {
                out.println("cloud " + name + ": subscribing again failed: " + e.getMessage());
            }
        }
    }

    /** One job: decided here (or found decided), the intake told, then acknowledged. */
    private void handle(byte[] payload, Runnable ack) {
        try {
            JobStore.Job announced = JobStore.Job.fromJson(payload);
            JobStore.Job job = store.job(announced.transferId()).orElse(null);
            if (job == null || !job.sha256().equals(announced.sha256())) {
                out.println("cloud " + name + ": job " + announced.transferId() + " is not in " + store.dir()
                        + ": a worker shares the intake's work folder (README Deploy); left to the intake");
                ack.run();
                return;
            }
            Decider.Outcome o = decider.take(job);
            if (o == Decider.Outcome.HELD_ELSEWHERE) {
                out.println("cloud " + name + ": job " + job.transferId() + ": another worker holds " + job.customer());
            } else {
                out.println("cloud " + name + ": job " + job.transferId() + " of " + job.customer()
                        + (o == Decider.Outcome.DECIDED ? " decided" : " was decided before: announced again"));
                link.publish(Topics.decided(job.customer()), job.transferId().getBytes(StandardCharsets.UTF_8), 1, false,
                        Map.of());
            }
            ack.run();
        } catch (Exception e) {
            // not decided (e.g. the work folder is unreachable): acknowledged, the intake announces it again later
            out.println("cloud " + name + ": job failed: " + e);
            ack.run();
        }
    }

    @Override
    public void close() {
        idle.shutdownNow();
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (link != null) {
            link.close();
        }
    }
}
