package org.diredi.vision.report;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBarTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    @Test
    void formatsTheLine() {
        // 45% of a 10-wide bar: 4 '=' + head; ETA = 55 / 12.3 = 4.47 s, shown rounded up.
        assertEquals("train [====>     ] 45/100  12.3 it/s  elapsed 00:04  ETA 00:05  loss=1.234",
                ProgressBar.format("train", 45, 100, 12.3, "it", 4.0, "loss=1.234", 10));
    }

    @Test
    void unknownTotalHasNoBarAndNoEta() {
        assertEquals("scan 7  2.00 img/s  elapsed 01:05",
                ProgressBar.format("scan", 7, 0, 2.0, "img", 65, "", 10));
        assertEquals("7  2.00 img/s  elapsed 01:05",
                ProgressBar.format("", 7, -1, 2.0, "img", 65, null, 10));
    }

    @Test
    void overshootIsAFullBarWithZeroEta() {
        assertEquals("x [====] 120/100  5.00 it/s  elapsed 1:01:02  ETA 00:00",
                ProgressBar.format("x", 120, 100, 5, "it", 3662, null, 4));
    }

    @Test
    void startHasEmptyBarAndUnknownRate() {
        assertEquals("x [    ] 0/100  ? it/s  elapsed 00:00  ETA --:--",
                ProgressBar.format("x", 0, 100, Double.NaN, "it", 0, null, 4));
    }

    @Test
    void barWidths() {
        assertEquals("          ", ProgressBar.bar(0, 100, 10));
        assertEquals(">         ", ProgressBar.bar(1, 100, 10));
        assertEquals("=========>", ProgressBar.bar(99, 100, 10));
        assertEquals("==========", ProgressBar.bar(100, 100, 10));
        assertEquals("==========", ProgressBar.bar(500, 100, 10));
        assertEquals("          ", ProgressBar.bar(5, 0, 10));
        assertEquals("", ProgressBar.bar(5, 10, 0));
        assertEquals(30, ProgressBar.bar(17, 100, 30).length());
    }

    @Test
    void etaAndDurations() {
        assertEquals(10.0, ProgressBar.eta(50, 100, 5), 1e-12);
        assertEquals(0.0, ProgressBar.eta(100, 100, 0));
        assertTrue(Double.isNaN(ProgressBar.eta(10, 100, 0)));
        assertTrue(Double.isNaN(ProgressBar.eta(10, 0, 5)));
        assertEquals("01:23", ProgressBar.formatDuration(83));
        assertEquals("00:00", ProgressBar.formatDuration(0));
        assertEquals("00:00", ProgressBar.formatDuration(0.7));
        assertEquals("x [==> ] 50/100  100 it/s  elapsed 00:00  ETA 00:01",
                ProgressBar.format("x", 50, 100, 100, "it", 0.5, null, 4), "ETA 0.5 s rounds up");
        assertEquals("59:59", ProgressBar.formatDuration(3599));
        assertEquals("27:46:40", ProgressBar.formatDuration(100_000));
        assertEquals("--:--", ProgressBar.formatDuration(Double.NaN));
        assertEquals("--:--", ProgressBar.formatDuration(Double.POSITIVE_INFINITY));
        assertEquals("1234", ProgressBar.formatRate(1234.4));
        assertEquals("12.3", ProgressBar.formatRate(12.34));
        assertEquals("0.05", ProgressBar.formatRate(0.05));
        assertEquals("?", ProgressBar.formatRate(Double.NaN));
    }

    @Test
    void logModePrintsEveryTenPercent() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong(0);
        try (ProgressBar bar = new ProgressBar("epoch", 100, new PrintStream(buf, true, StandardCharsets.UTF_8),
                "img", false, clock::get)) {
            for (int i = 1; i <= 100; i++) {
                clock.addAndGet(10 * MS);
                bar.step(1, "loss=" + i);
            }
        }
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(10, lines.length, String.join("\n", lines));
        assertTrue(lines[0].startsWith("epoch [===>"), lines[0]);
        assertTrue(lines[0].contains(" 10/100 ") && lines[0].endsWith("loss=10"), lines[0]);
        assertTrue(lines[9].contains(" 100/100 ") && lines[9].contains("100 img/s") && lines[9].contains("ETA 00:00"), lines[9]);
        assertTrue(buf.toString(StandardCharsets.UTF_8).indexOf('\r') < 0);
    }

    @Test
    void logModeWithoutTotalPrintsEveryThirtySeconds() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong(0);
        ProgressBar bar = new ProgressBar("scan", 0, new PrintStream(buf, true, StandardCharsets.UTF_8), "it", false, clock::get);
        for (int i = 1; i <= 95; i++) {
            clock.addAndGet(S);
            bar.step(2, null);
        }
        bar.close();
        bar.close(); // idempotent
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length, String.join("\n", lines)); // t = 30, 60, 90 s and close
        assertEquals("scan 60  2.00 it/s  elapsed 00:30", lines[0]);
        assertEquals("scan 190  2.00 it/s  elapsed 01:35", lines[3]);
    }

    @Test
    void terminalModeRedrawsInPlaceAtMostEvery200ms() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong(0);
        try (ProgressBar bar = new ProgressBar("t", 100, new PrintStream(buf, true, StandardCharsets.UTF_8),
                "it", true, clock::get)) {
            for (int i = 1; i <= 100; i++) {
                clock.addAndGet(10 * MS);
                bar.update(i, null);
            }
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        // Draws at 10, 210, 410, 610, 810 ms and on close.
        assertEquals(6, out.chars().filter(c -> c == '\r').count(), out);
        assertTrue(out.endsWith(System.lineSeparator()));
        assertTrue(out.contains("\rt [" + "=".repeat(ProgressBar.BAR_WIDTH) + "] 100/100"), out);
    }

    @Test
    void rateFollowsTheSlidingWindowAndCloseShowsTheAverage() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong(0);
        ProgressBar bar = new ProgressBar("r", 0, new PrintStream(buf, true, StandardCharsets.UTF_8), "it", false, clock::get);
        for (int i = 0; i < 200; i++) { // 20 s at 10 it/s
            clock.addAndGet(100 * MS);
            bar.step(1, null);
        }
        assertEquals(10.0, bar.rate(), 1e-9);
        for (int i = 0; i < 100; i++) { // 10 s at 100 it/s
            clock.addAndGet(100 * MS);
            bar.step(10, null);
        }
        assertEquals(100.0, bar.rate(), 1e-9, "the window has forgotten the slow phase");
        clock.addAndGet(10 * S);
        bar.close();
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        // 1200 in 40 s: the final line shows the whole-run average, not the window rate.
        assertEquals("r 1200  30.0 it/s  elapsed 00:40", lines[lines.length - 1]);
    }
}
