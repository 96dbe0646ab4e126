package org.diredi.edge.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.diredi.messaging.MessagingException;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.RejectedByBroker;

/**
 * Everything the camera sends to its broker, delivered whatever the network does, by one sender
 * thread so that neither the frame loop nor an OTA update ever waits for the network.
 *
 * <p>Detection events are handed over in memory ({@link #post}); OTA reports go to disk at once
 * ({@link #postDurably}). While the broker is reachable the sender publishes them (QoS 1, up to
 * {@value #WINDOW} in flight) and a message counts as delivered only once the broker acknowledged it;
 * whatever cannot be delivered, and everything posted while the broker is out of reach, goes into the
 * {@link DiskQueue}, which the sender empties, oldest first, before anything newer once the broker is
 * back. Delivery is at least once: a message whose acknowledgement was lost with the connection is sent
 * again. The retained status is not queued: only the latest matters, so it is rebuilt and published
 * when asked for ({@link #requestStatus}) and after every reconnection.
 */
public final class Outbox implements AutoCloseable {

    /** Messages handed over but not sent yet; bounded, so a stalled sender never grows the heap. */
    private static final int HANDOFF = 256;
    /** Publishes in flight at once (brokers grant at least 10: HiveMQ's default receive maximum). */
    private static final int WINDOW = 8;
    private static final long POLL_MS = 200;
    /** How long {@link #close()} lets a connected sender deliver what is pending before queueing it on disk. */
    private static final Duration FLUSH_GRACE = Duration.ofSeconds(5);

    private final MqttLink link;
    private final DiskQueue queue;
    private final String statusTopic;
    private final Duration timeout;
    private final BlockingQueue<Message> handoff = new ArrayBlockingQueue<>(HANDOFF);
    private final AtomicLong refused = new AtomicLong();
    private final Thread sender = new Thread(this::run, "edge-outbox");
    private volatile Supplier<byte[]> status = () -> null;
    private volatile boolean statusDue = true;
    private volatile boolean stopping;
    private boolean offline; // sender thread only
    private long droppedBeforeOffline; // sender thread only
    private long backlogSince; // sender thread only: when a backlog started to drain, 0 = none

    public Outbox(MqttLink link, DiskQueue queue, String statusTopic) {
        this.link = link;
        this.queue = queue;
        this.statusTopic = statusTopic;
        this.timeout = link.options().operationTimeout();
        sender.setDaemon(true);
    }

    /** Starts sending; {@code status} builds the status message whenever one is due. */
    public void start(Supplier<byte[]> status) {
        this.status = status;
        sender.start();
    }

    /** Hands a message over without waiting; never throws (a message it cannot keep is reported on stderr). */
    public void post(Message m) {
        if (!handoff.offer(m)) {
            spill(m);
        }
    }

    /** Puts a message on disk before returning (OTA reports: they must survive a restart). */
    public void postDurably(Message m) {
        queue.append(m);
    }

    /** Asks for a fresh status message to be published as soon as the broker is reachable. */
    public void requestStatus() {
        statusDue = true;
    }

    public boolean online() {
        return link.isConnected();
    }

    /** Messages not delivered yet (in memory and on disk). */
    public int pending() {
        return handoff.size() + queue.size();
    }

    /** Messages dropped from the full queue, oldest first, since it was created (kept across restarts). */
    public long dropped() {
        return queue.dropped();
    }

    /** Messages the broker refused (e.g. not authorised for the topic): they are never sent again. */
    public long refused() {
        return refused.get();
    }

    public DiskQueue queue() {
        return queue;
    }

    /** The handoff is full (the sender is stuck): it and {@code m} go to disk, in order, from this thread. */
    private synchronized void spill(Message m) {
        List<Message> all = new ArrayList<>(HANDOFF + 1);
        handoff.drainTo(all);
        all.add(m);
        try {
            all.forEach(queue::append);
        } catch (RuntimeException e) {
            System.err.println("edge: message for " + m.topic() + " lost: " + e.getMessage());
        }
    }

    private void run() {
        while (!stopping) {
            try {
                if (!link.isConnected()) {
                    noteOffline();
                    spool();
                } else {
                    noteOnline();
                    if (!queue.isEmpty()) {
                        sendQueued();
                    } else {
                        sendHandedOver();
                        sendStatusIfDue();
                    }
                }
            } catch (RuntimeException e) {
                System.err.println("edge: outbox: " + e.getMessage());
                pause();
            }
        }
    }

    /** Offline: what is handed over goes to disk. */
    private void spool() {
        List<Message> batch = take();
        batch.forEach(queue::append);
    }

    /** Online with a backlog: the oldest queued messages first. */
    private void sendQueued() {
        List<DiskQueue.Entry> batch = queue.peek(WINDOW);
        List<Message> messages = batch.stream().map(DiskQueue.Entry::message).toList();
        int done = publish(messages);
        for (DiskQueue.Entry e : batch.subList(0, done)) {
            queue.remove(e.sequence());
        }
        if (done < batch.size()) {
            pause(); // the connection is going or slow: do not spin on it
        } else if (queue.isEmpty() && backlogSince != 0) {
            System.out.printf("edge: queued messages delivered (%.1f s)%n", (System.nanoTime() - backlogSince) / 1e9);
            backlogSince = 0;
        }
    }

    /** Online, nothing queued: what was handed over; whatever is not acknowledged goes to disk, in order. */
    private void sendHandedOver() {
        List<Message> batch = take();
        int done = publish(batch);
        batch.subList(done, batch.size()).forEach(queue::append);
    }

    /** Up to {@value #WINDOW} handed-over messages, waiting at most {@value #POLL_MS} ms for the first. */
    private List<Message> take() {
        List<Message> batch = new ArrayList<>(WINDOW);
        try {
            Message first = handoff.poll(POLL_MS, TimeUnit.MILLISECONDS);
            if (first != null) {
                batch.add(first);
                handoff.drainTo(batch, WINDOW - 1);
            }
        } catch (InterruptedException e) {
            stopping = true;
        }
        return batch;
    }

    /**
     * Publishes {@code batch} with all of it in flight at once; returns how many, from the start, are
     * done with: acknowledged, or refused by the broker (counted, never retried).
     */
    private int publish(List<Message> batch) {
        List<MqttLink.Delivery> inFlight = new ArrayList<>(batch.size());
        for (Message m : batch) {
            try {
                inFlight.add(link.publishAsync(m.topic(), m.payload(), m.qos(), m.retained(), Map.of()));
            } catch (MessagingException e) {
                break; // not connected (any more): the rest stays
            }
        }
        for (int i = 0; i < inFlight.size(); i++) {
            try {
                inFlight.get(i).await(timeout);
            } catch (RejectedByBroker e) {
                refused.incrementAndGet();
                System.err.println("edge: " + e.getMessage() + "; message dropped");
            } catch (MessagingException e) {
                return i;
            }
        }
        return inFlight.size();
    }

    private void sendStatusIfDue() {
        if (!statusDue) {
            return;
        }
        statusDue = false;
        byte[] s = status.get();
        if (s == null) {
            return;
        }
        try {
            link.publish(statusTopic, s, 1, true, Map.of());
        } catch (RejectedByBroker e) {
            System.err.println("edge: status not published: " + e.getMessage());
        } catch (MessagingException e) {
            statusDue = true; // the connection went: the next one publishes a fresh status
        }
    }

    private void noteOffline() {
        if (!offline) {
            offline = true;
            droppedBeforeOffline = queue.dropped();
            System.out.println("edge: broker out of reach; detection goes on, messages wait in " + queue.dir()
                    + " (" + queue.size() + " queued)");
        }
    }

    private void noteOnline() {
        if (offline) {
            offline = false;
            long dropped = queue.dropped() - droppedBeforeOffline;
            backlogSince = System.nanoTime();
            System.out.println("edge: broker reachable again; delivering " + pending() + " queued message(s)"
                    + (dropped > 0 ? ", " + dropped + " dropped while offline (queue full, oldest first)" : ""));
            statusDue = true; // reports the connection, the backlog and the dropped count
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops sending. While the broker is reachable, what is pending gets up to 5 s to be delivered;
     * whatever is left then waits on disk for the next start.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + FLUSH_GRACE.toNanos();
        while (sender.isAlive() && link.isConnected() && (pending() > 0 || statusDue)
                && System.nanoTime() < deadline) {
            pause();
        }
        stopping = true;
        try {
            sender.join(timeout.plusSeconds(2).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Message> left = new ArrayList<>();
        handoff.drainTo(left);
        left.forEach(queue::append);
    }
}
