package org.diredi.vision.report;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress line for long loops (training epochs, dataset passes):
 * {@code label [=====>     ] 45/100  12.3 it/s  elapsed 00:04  ETA 00:05  loss=1.234}.
 *
 * <p>The rate is measured over a sliding window of the last {@value #WINDOW_SECONDS} seconds, so it
 * follows speed changes (warm-up, evaluation pauses) instead of averaging them away; the final line
 * written by {@link #close()} shows the whole-run average instead.
 *
 * <p>On an interactive terminal the line is redrawn in place with {@code '\r'} at most every
 * {@value #REDRAW_MILLIS} ms. Otherwise (CI, log files) full lines are printed only when another 10%
 * is done or {@value #LOG_SECONDS} s have passed, so logs stay short. Thread-safe.
 */
public final class ProgressBar implements AutoCloseable {

    public static final int WINDOW_SECONDS = 10;
    public static final long REDRAW_MILLIS = 200;
    public static final long LOG_SECONDS = 30;
    public static final int BAR_WIDTH = 30;

    private static final long NANOS = 1_000_000_000L;
    // A sample every 250 ms over a 10 s window needs 40 slots; 64 leaves slack.
    private static final int SAMPLES = 64;
    private static final long SAMPLE_NANOS = 250_000_000L;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final String unit;
    private final boolean interactive;
    private final LongSupplier clock;
    private final long start;

    private final long[] sampleTime = new long[SAMPLES];
    private final long[] sampleDone = new long[SAMPLES];
    private int sampleHead;   // index of the newest sample
    private int sampleCount;
    private long slotOpened;  // when the newest slot was opened

    private long done;
    private String metrics = "";
    private long lastDraw = Long.MIN_VALUE;
    private long lastDrawDone = -1;
    private long lastDecile = 0;
    private int lastLength;
    private boolean closed;

    /** Counts "it" (iterations); interactive when a console is attached and {@code out} is stdout/stderr. */
    public ProgressBar(String label, long total, PrintStream out) {
        this(label, total, out, "it");
    }

    public ProgressBar(String label, long total, PrintStream out, String unit) {
        this(label, total, out, unit, isTerminal() && (out == System.out || out == System.err));
    }

    /**
     * @param total       expected units; {@code <= 0} means unknown (no bar, no ETA)
     * @param unit        rate unit, e.g. "img/s" is shown for unit "img"
     * @param interactive redraw in place ({@code true}) or print throttled log lines
     */
    public ProgressBar(String label, long total, PrintStream out, String unit, boolean interactive) {
        this(label, total, out, unit, interactive, System::nanoTime);
    }

    ProgressBar(String label, long total, PrintStream out, String unit, boolean interactive, LongSupplier clock) {
        this.label = label == null ? "" : label;
        this.total = total;
        this.out = out;
        this.unit = unit == null || unit.isBlank() ? "it" : unit;
        this.interactive = interactive;
        this.clock = clock;
        this.start = clock.getAsLong();
        sampleTime[0] = start;
        sampleDone[0] = 0;
        sampleCount = 1;
        slotOpened = start;
    }

    /** Advances by {@code n} units; {@code metrics} (e.g. "loss=1.234") replaces the shown ones unless null. */
    public synchronized void step(long n, String metrics) {
        update(done + n, metrics);
    }

    public synchronized void step(long n) {
        update(done + n, null);
    }

    /** Sets the absolute progress; {@code metrics} replaces the shown ones unless null. */
    public synchronized void update(long done, String metrics) {
        if (closed) {
            return;
        }
        long now = clock.getAsLong();
        this.done = done;
        if (metrics != null) {
            this.metrics = metrics;
        }
        record(now, done);
        if (interactive) {
            if (lastDraw == Long.MIN_VALUE || now - lastDraw >= REDRAW_MILLIS * 1_000_000L) {
                redraw(now, windowRate(now));
            }
        } else {
            long decile = total > 0 ? Math.min(10, done * 10 / total) : 0;
            boolean newDecile = total > 0 && decile > lastDecile;
            boolean stale = now - (lastDraw == Long.MIN_VALUE ? start : lastDraw) >= LOG_SECONDS * NANOS;
            if (newDecile || stale) {
                lastDecile = Math.max(lastDecile, decile);
                println(now, windowRate(now));
            }
        }
    }

    public synchronized void update(long done) {
        update(done, null);
    }

    /** Prints the final state (whole-run average rate) and ends the line. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        long now = clock.getAsLong();
        double secs = (now - start) / (double) NANOS;
        double rate = secs > 0 ? done / secs : Double.NaN;
        if (interactive) {
            redraw(now, rate);
            out.println();
        } else if (lastDraw == Long.MIN_VALUE || done != lastDrawDone || now - lastDraw >= NANOS) {
            // Skipped only when the same state was just logged, to avoid a duplicate last line.
            println(now, rate);
        }
        out.flush();
        closed = true;
    }

    public synchronized long done() {
        return done;
    }

    /** Current rate in units per second over the sliding window; NaN before any time has passed. */
    public synchronized double rate() {
        return windowRate(clock.getAsLong());
    }

    /**
     * The progress line, a pure function of its inputs.
     *
     * @param total          {@code <= 0} for unknown: no bar and no ETA
     * @param rate           units per second; NaN or {@code <= 0} shows "?" and an unknown ETA
     * @param elapsedSeconds time since start
     * @param metrics        appended as is when non-empty
     * @param barWidth       characters inside the brackets
     */
    public static String format(String label, long done, long total, double rate, String unit,
                                double elapsedSeconds, String metrics, int barWidth) {
        StringBuilder sb = new StringBuilder(96);
        if (label != null && !label.isEmpty()) {
            sb.append(label).append(' ');
        }
        if (total > 0) {
            sb.append('[').append(bar(done, total, barWidth)).append("] ");
            sb.append(done).append('/').append(total);
        } else {
            sb.append(done);
        }
        sb.append("  ").append(formatRate(rate)).append(' ').append(unit).append("/s");
        sb.append("  elapsed ").append(formatDuration(elapsedSeconds));
        if (total > 0) {
            // Rounded up: "00:00" should only ever mean done.
            sb.append("  ETA ").append(formatDuration(Math.ceil(eta(done, total, rate) - 1e-9)));
        }
        if (metrics != null && !metrics.isEmpty()) {
            sb.append("  ").append(metrics);
        }
        return sb.toString();
    }

    /** The bar inside the brackets: '=' for done, '>' at the head, blanks for the rest; full when {@code done >= total}. */
    public static String bar(long done, long total, int width) {
        if (width <= 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder(width);
        if (total <= 0) {
            return " ".repeat(width);
        }
        double frac = Math.max(0, Math.min(1, done / (double) total));
        int filled = (int) Math.floor(frac * width);
        if (filled >= width) {
            sb.append("=".repeat(width));
        } else if (done <= 0) {
            sb.append(" ".repeat(width));
        } else {
            sb.append("=".repeat(filled)).append('>').append(" ".repeat(width - filled - 1));
        }
        return sb.toString();
    }

    /** Seconds left; 0 when done, NaN when unknown (no total or no rate). */
    public static double eta(long done, long total, double rate) {
        if (total <= 0) {
            return Double.NaN;
        }
        if (done >= total) {
            return 0;
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            return Double.NaN;
        }
        return (total - done) / rate;
    }

    /** {@code mm:ss}, or {@code h:mm:ss} from one hour, whole seconds rounded down; "--:--" for NaN, infinite or negative. */
    public static String formatDuration(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds) || seconds > 1e9) {
            return "--:--";
        }
        long s = (long) Math.floor(seconds + 1e-9);
        long h = s / 3600;
        long m = (s / 60) % 60;
        long sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                : String.format(Locale.ROOT, "%02d:%02d", m, sec);
    }

    /** Three significant digits or so: "1234", "12.3", "1.23", "0.05"; "?" when unknown. */
    public static String formatRate(double rate) {
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            return "?";
        }
        if (rate >= 100) {
            return String.format(Locale.ROOT, "%.0f", rate);
        }
        if (rate >= 10) {
            return String.format(Locale.ROOT, "%.1f", rate);
        }
        return String.format(Locale.ROOT, "%.2f", rate);
    }

    private void record(long now, long done) {
        if (now - slotOpened >= SAMPLE_NANOS) {
            sampleHead = (sampleHead + 1) % SAMPLES;
            sampleCount = Math.min(SAMPLES, sampleCount + 1);
            slotOpened = now;
        } else if (sampleCount == 1) {
            return; // keep the start sample as the baseline until the first slot opens
        }
        // Within a slot the newest sample is overwritten, so a tight loop costs O(1) and no memory.
        sampleTime[sampleHead] = now;
        sampleDone[sampleHead] = done;
    }

    private double windowRate(long now) {
        // Baseline: the oldest sample inside the window that is older than now; if every older sample
        // is outside the window (slow loop), the newest older one.
        long horizon = now - WINDOW_SECONDS * NANOS;
        int baseline = -1;
        for (int k = 0; k < sampleCount; k++) {
            int idx = Math.floorMod(sampleHead - k, SAMPLES);
            long t = sampleTime[idx];
            if (t >= now) {
                continue;
            }
            if (t >= horizon || baseline < 0) {
                baseline = idx;
                if (t < horizon) {
                    break;
                }
            } else {
                break;
            }
        }
        if (baseline < 0) {
            return Double.NaN;
        }
        double dt = (now - sampleTime[baseline]) / (double) NANOS;
        return (done - sampleDone[baseline]) / dt;
    }

    private String line(long now, double rate) {
        return format(label, done, total, rate, unit, (now - start) / (double) NANOS, metrics, BAR_WIDTH);
    }

    private void redraw(long now, double rate) {
        String s = line(now, rate);
        // Blank out the tail of a longer previous line.
        int pad = Math.max(0, lastLength - s.length());
        out.print('\r' + s + " ".repeat(pad));
        out.flush();
        lastLength = s.length();
        lastDraw = now;
        lastDrawDone = done;
    }

    private void println(long now, double rate) {
        out.println(line(now, rate));
        out.flush();
        lastDraw = now;
        lastDrawDone = done;
    }

    private static boolean isTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        // From JDK 22 System.console() is non-null even when redirected; isTerminal() tells the truth there.
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
