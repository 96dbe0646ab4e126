package org.diredi.bench.training;

import java.util.List;
import org.diredi.bench.report.Cells;
import org.diredi.vision.report.MarkdownTable;

/** A peak-throughput probe: one libtorch op timed alone (best of {@code reps}). */
public record Peak(String op, String shape, double gflop, int reps, double bestSeconds, double gflops) {

    public static Peak of(String op, String shape, double flop, int reps, double bestSeconds) {
        return new Peak(op, shape, flop / 1e9, reps, bestSeconds, flop / 1e9 / bestSeconds);
    }

    public static String table(List<Peak> peaks) {
        MarkdownTable t = new MarkdownTable("libtorch op (DJL NDArray)", "shape", "GFLOP per call", "best of", "best s",
                "GFLOP/s");
        for (Peak p : peaks) {
            t.row(p.op(), p.shape(), Cells.number("%.2f", p.gflop()), p.reps(), Cells.number("%.4f", p.bestSeconds()),
                    Cells.number("%.1f", p.gflops()));
        }
        return t.toString();
    }
}
