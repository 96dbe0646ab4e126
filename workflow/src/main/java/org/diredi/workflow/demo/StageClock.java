package org.diredi.workflow.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.diredi.vision.report.MarkdownTable;

/**
 * Where the demo's time goes: its run cut into consecutive stages, each ended by a lap. Stages that run
 * inside another party (the on-prem trainer's RD B, the cloud's gate and Distill C) end at the moment
 * their evidence appeared (a checkpoint written, an audit line), clamped to the run so far: a stage
 * reused from an earlier run takes no time in this one. The stages add up to the total.
 */
final class StageClock {

    /** One stage: its name, wall time, and what it was (trained, bundled, reused...). */
    record Lap(String stage, Duration time, String note) {}

    private final Instant start;
    private final List<Lap> laps = new ArrayList<>();
    private Instant last;

    StageClock(Instant start) {
        this.start = start;
        this.last = start;
    }

    /** Ends the current stage now. */
    void lap(String stage, String note) {
        lapAt(stage, Instant.now(), note);
    }

    /**
     * Ends the current stage at {@code end} (null: it did not run), never after now; a stage that ended
     * before the previous one (its result was there from an earlier run) took no time in this run.
     */
    void lapAt(String stage, Instant end, String note) {
        Instant now = Instant.now();
        boolean reused = end != null && end.isBefore(last);
        Instant at = end == null || reused ? last : end.isAfter(now) ? now : end;
        laps.add(new Lap(stage, Duration.between(last, at), reused ? "reused from an earlier run; " + note : note));
        last = at;
    }

    List<Lap> laps() {
        return List.copyOf(laps);
    }

    /** From the start to the last lap. */
    Duration total() {
        return Duration.between(start, last);
    }

    /** Minutes since the start, for the progress lines. */
    double minutesSoFar() {
        return Duration.between(start, Instant.now()).toMillis() / 60_000.0;
    }

    /** The stage-time table: each stage's wall time and share of the total, then the total. */
    MarkdownTable table() {
        MarkdownTable t = new MarkdownTable("stage", "time", "share", "note");
        double total = Math.max(1, total().toMillis());
        for (Lap l : laps) {
            t.row(l.stage(), format(l.time()), String.format("%.0f%%", 100 * l.time().toMillis() / total), l.note());
        }
        t.row("**total**", "**" + format(total()) + "**", "100%", "");
        return t;
    }

    /** {@code m:ss}, the way a stopwatch shows it. */
    static String format(Duration d) {
        long s = Math.round(d.toMillis() / 1000.0);
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
