package org.diredi.workflow.experiment;

import java.util.ArrayList;
import java.util.List;
import org.diredi.core.train.DetectorTrainer;
import org.diredi.vision.report.MarkdownTable;

/**
 * The report's time section: training time of every stage, read from its history, so a resumed run
 * still reports the whole cost; and the time of this invocation.
 */
final class StageTimes {

    private record Timed(String stage, List<DetectorTrainer.EpochRecord> history, int images) {}

    private final List<Timed> stages = new ArrayList<>();

    /** Adds a stage: its training history and the images it saw per epoch. */
    StageTimes add(String stage, List<DetectorTrainer.EpochRecord> history, int images) {
        stages.add(new Timed(stage, history, images));
        return this;
    }

    /** The markdown section, quoting {@code command}; {@code startNanos} is when this invocation began. */
    String toMarkdown(String command, long startNanos) {
        MarkdownTable times = new MarkdownTable("stage", "epochs", "images/epoch", "minutes");
        double total = 0;
        for (Timed st : stages) {
            double sec = st.history().stream().mapToDouble(DetectorTrainer.EpochRecord::seconds).sum();
            total += sec;
            times.row(st.stage(), st.history().size(), st.images(), String.format("%.1f", sec / 60));
        }
        return "## Time\n\nCommand: `" + command + "`\n\n" + times + "\n\nTraining, all stages: "
                + String.format("%.1f min; this invocation (including evaluation and any stages reused from the cache):"
                        + " %.1f min.%n", total / 60, (System.nanoTime() - startNanos) / 6e10);
    }
}
