package org.diredi.bench.training;

import java.util.List;
import org.diredi.bench.report.Cells;
import org.diredi.vision.report.MarkdownTable;

/**
 * A preset's training throughput. {@code trainGflopsPerImage = 3 x forward} (backward ~ 2x
 * forward); {@code utilisation = achievedGflops / peakGflops}.
 */
public record ThroughputRow(String preset, long params, int batch, int timedSteps, double imagesPerSecond,
                            double forwardGflopsPerImage, double trainGflopsPerImage, double achievedGflops,
                            double peakGflops, double utilisation, String target, Boolean met, String limits,
                            TimedTraining.Phases perStepMs) {

    public static ThroughputRow of(TimedTraining.Result r, double peakGflops) {
        double train = 3 * r.forwardGflopsPerImage();
        double achieved = r.imagesPerSecond() * train;
        double u = achieved / peakGflops;
        return new ThroughputRow(r.preset(), r.params(), r.batch(), r.timedSteps(), r.imagesPerSecond(),
                r.forwardGflopsPerImage(), train, achieved, peakGflops, u, "utilisation >= 50%", u >= 0.5,
                limits(r, peakGflops), r.perStep());
    }

    /** Measured facts for the "what limits it" column: where a step's time goes and how fast each part ran. */
    private static String limits(TimedTraining.Result r, double peak) {
        TimedTraining.Phases p = r.perStep();
        double perImageFlop = r.forwardGflopsPerImage() * r.images() / Math.max(1, r.timedSteps());
        double fwd = perImageFlop / (p.forwardMs() / 1e3);
        double bwd = 2 * perImageFlop / (p.backwardMs() / 1e3);
        return String.format("%s; forward alone %.1f GFLOP/s (%.0f%% of peak), backward alone %.1f GFLOP/s (%.0f%%);"
                        + " FLOPs count convolutions only (GroupNorm, activations, loss are extra work)", p.shares(), fwd,
                100 * fwd / peak, bwd, 100 * bwd / peak);
    }

    public static String table(List<ThroughputRow> rows) {
        MarkdownTable t = new MarkdownTable("preset", "params", "batch", "steps", "img/s", "fwd GFLOP/img",
                "train GFLOP/img (3x fwd)", "achieved GFLOP/s", "peak GFLOP/s", "utilisation", "target", "met",
                "what limits it (measured, per timed step)");
        for (ThroughputRow r : rows) {
            t.row(r.preset(), String.format("%,d", r.params()), r.batch(), r.timedSteps(),
                    Cells.number("%.1f", r.imagesPerSecond()), Cells.number("%.3f", r.forwardGflopsPerImage()),
                    Cells.number("%.3f", r.trainGflopsPerImage()), Cells.number("%.1f", r.achievedGflops()),
                    Cells.number("%.1f", r.peakGflops()), Cells.number("%.1f%%", 100 * r.utilisation()), r.target(),
                    Cells.met(r.met()), r.limits());
        }
        return t.toString();
    }
}
