package org.diredi.cli;

import java.util.List;
import org.diredi.vision.report.MarkdownTable;

/**
 * The figures of {@code bench perf}, one record per table row, and their Markdown tables. Records
 * hold unrounded figures (perf.json); every ratio is computed here from the figures in the same
 * row or section, so a reader can recompute it. {@code met} is null where issue 8 sets no target.
 */
final class PerfRows {

    private PerfRows() {}

    /** A peak-throughput probe: one libtorch op timed alone (best of {@code reps}). */
    record Peak(String op, String shape, double gflop, int reps, double bestSeconds, double gflops) {
        static Peak of(String op, String shape, double flop, int reps, double bestSeconds) {
            return new Peak(op, shape, flop / 1e9, reps, bestSeconds, flop / 1e9 / bestSeconds);
        }
    }

    /**
     * A preset's training throughput. {@code trainGflopsPerImage = 3 x forward} (backward ~ 2x
     * forward); {@code utilisation = achievedGflops / peakGflops}.
     */
    record Training(String preset, long params, int batch, int timedSteps, double imagesPerSecond,
                    double forwardGflopsPerImage, double trainGflopsPerImage, double achievedGflops, double peakGflops,
                    double utilisation, String target, Boolean met, String limits, TimedTraining.Phases perStepMs) {

        static Training of(TimedTraining.Result r, double peakGflops, String limits) {
            double train = 3 * r.forwardGflopsPerImage();
            double achieved = r.imagesPerSecond() * train;
            double u = achieved / peakGflops;
            return new Training(r.preset(), r.params(), r.batch(), r.timedSteps(), r.imagesPerSecond(),
                    r.forwardGflopsPerImage(), train, achieved, peakGflops, u, "utilisation >= 50%", u >= 0.5, limits,
                    r.perStep());
        }
    }

    /**
     * One engine's batch-1 latency; {@code vsDjl = djl p50 / p50}, {@code vsOrtFp32 = ort fp32 p50 / p50}
     * (> 1: faster). A failed engine has {@code error} and NaN figures.
     */
    record Inference(String engine, String file, double p50Ms, double p99Ms, double vsDjl, double vsOrtFp32,
                     double maxAbsDiffClsVsOrtFp32, String target, Boolean met, String notes, String error) {}

    /**
     * Delta sizes and the updated tutor's accuracy. {@code vsFullTutor = bytes / full tutor bytes};
     * {@code mapPointsVsFp32 = 100 x (testMap - fp32-delta testMap)}.
     */
    record Delta(String what, long bytes, double vsFullTutor, double testMap, double mapPointsVsFp32, String target,
                 Boolean met, String notes) {}

    /** A transfer row with its target (every receiver gets the hash-checked file). */
    record Transfer(PerfTransfer.Row figures, String target, boolean met) {}

    /** A process's peak resident set (VmHWM). */
    record Memory(String process, long peakRssBytes, double peakRssMiB, String detail, String target, Boolean met) {}

    static String met(Boolean met) {
        return met == null ? "-" : met ? "met" : "**not met**";
    }

    static String f(String format, double v) {
        return Double.isFinite(v) ? String.format(format, v) : "-";
    }

    static String peaks(List<Peak> peaks) {
        MarkdownTable t = new MarkdownTable("libtorch op (DJL NDArray)", "shape", "GFLOP per call", "best of", "best s",
                "GFLOP/s");
        for (Peak p : peaks) {
            t.row(p.op(), p.shape(), f("%.2f", p.gflop()), p.reps(), f("%.4f", p.bestSeconds()), f("%.1f", p.gflops()));
        }
        return t.toString();
    }

    static String training(List<Training> rows) {
        MarkdownTable t = new MarkdownTable("preset", "params", "batch", "steps", "img/s", "fwd GFLOP/img",
                "train GFLOP/img (3x fwd)", "achieved GFLOP/s", "peak GFLOP/s", "utilisation", "target", "met",
                "what limits it (measured, per timed step)");
        for (Training r : rows) {
            t.row(r.preset(), String.format("%,d", r.params()), r.batch(), r.timedSteps(), f("%.1f", r.imagesPerSecond()),
                    f("%.3f", r.forwardGflopsPerImage()), f("%.3f", r.trainGflopsPerImage()),
                    f("%.1f", r.achievedGflops()), f("%.1f", r.peakGflops()), f("%.1f%%", 100 * r.utilisation()),
                    r.target(), met(r.met()), r.limits());
        }
        return t.toString();
    }

    static String inference(List<Inference> rows) {
        MarkdownTable t = new MarkdownTable("engine", "p50 ms", "p99 ms", "vs DJL (p50)", "vs ORT FP32 (p50)",
                "max abs diff, class logits vs ORT FP32", "target", "met", "notes");
        for (Inference r : rows) {
            t.row(r.engine(), f("%.2f", r.p50Ms()), f("%.2f", r.p99Ms()), f("%.2fx", r.vsDjl()), f("%.2fx", r.vsOrtFp32()),
                    f("%.2g", r.maxAbsDiffClsVsOrtFp32()), r.target(), met(r.met()),
                    r.error() == null ? r.notes() : "failed: " + r.error());
        }
        return t.toString();
    }

    static String delta(List<Delta> rows) {
        MarkdownTable t = new MarkdownTable("what", "bytes", "vs full tutor", "test mAP@0.5",
                "mAP vs fp32 delta (points)", "target", "met", "notes");
        for (Delta r : rows) {
            t.row(r.what(), String.format("%,d", r.bytes()), f("%.3fx", r.vsFullTutor()), f("%.4f", r.testMap()),
                    f("%+.3f", r.mapPointsVsFp32()), r.target(), met(r.met()), r.notes());
        }
        return t.toString();
    }

    static String transfer(List<Transfer> rows) {
        MarkdownTable t = new MarkdownTable("transfer", "payload bytes", "receivers", "sender connections", "chunk bytes",
                "seconds", "MB/s (aggregate)", "completed", "target", "met");
        for (Transfer r : rows) {
            PerfTransfer.Row x = r.figures();
            t.row(x.name(), String.format("%,d", x.payloadBytes()), x.receivers(), x.senders(),
                    String.format("%,d", x.chunkBytes()), f("%.2f", x.seconds()), f("%.1f", x.megabytesPerSecond()),
                    x.completed() + "/" + x.receivers(), r.target(), met(r.met()));
        }
        return t.toString();
    }

    static String memory(List<Memory> rows) {
        MarkdownTable t = new MarkdownTable("process", "peak RSS MiB", "detail", "target", "met");
        for (Memory r : rows) {
            t.row(r.process(), f("%.0f", r.peakRssMiB()), r.detail(), r.target(), met(r.met()));
        }
        return t.toString();
    }
}
