package org.diredi.cloud.merge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The bookkeeping of the merge window: the deltas of one group (same base tutor and edge model) that arrive
 * within {@code window} of the group's first are handed over together when it closes. A customer has at most
 * one delta in a group: its second closes the group early (its update must be decided before the next is
 * merged on top of it) and opens the next. Nothing here is durable: the deltas stay queued in the job store
 * until decided, and after a restart they are added again, so a window lost with the process is only reopened.
 */
public final class MergeWindow implements AutoCloseable {

    /** A delta waiting in a window. */
    public record Entry(String transferId, String customer) {}

    private final Duration window;
    private final Consumer<List<Entry>> close;
    private final Map<String, List<Entry>> open = new LinkedHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cloud-merge-window");
        t.setDaemon(true);
        return t;
    });

    /** @param close called (on the window's timer thread) with each closed group's deltas, in arrival order */
    public MergeWindow(Duration window, Consumer<List<Entry>> close) {
        this.window = window;
        this.close = close;
    }

    /** Adds a delta to its group's open window, opening one (closed after the window) if there is none. */
    public synchronized void add(String group, Entry e) {
        List<Entry> g = open.get(group);
        if (g != null && g.stream().anyMatch(x -> x.customer().equals(e.customer()))) {
            closeNow(group);
            g = null;
        }
        if (g == null) {
            g = new ArrayList<>();
            open.put(group, g);
            List<Entry> opened = g;
            timer.schedule(() -> closeIfOpen(group, opened), window.toMillis(), TimeUnit.MILLISECONDS);
        }
        g.add(e);
    }

    /**
     * Adds a delta on the window's thread (finding its group reads the delta and models, too slow for the MQTT
     * callback that completes a transfer): into its group's window, or to {@code alone} when it has no group.
     */
    public void offer(Entry e, Function<Entry, Optional<String>> group, Consumer<Entry> alone) {
        timer.execute(() -> group.apply(e).ifPresentOrElse(g -> add(g, e), () -> alone.accept(e)));
    }

    /** The deltas waiting in open windows, per group. */
    public synchronized Map<String, List<Entry>> waiting() {
        Map<String, List<Entry>> m = new LinkedHashMap<>();
        open.forEach((k, v) -> m.put(k, List.copyOf(v)));
        return m;
    }

    private synchronized void closeIfOpen(String group, List<Entry> opened) {
        if (open.get(group) == opened) {
            closeNow(group);
        }
    }

    private void closeNow(String group) {
        close.accept(List.copyOf(open.remove(group)));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
