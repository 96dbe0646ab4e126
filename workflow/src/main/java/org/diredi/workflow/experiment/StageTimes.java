package org.diredi.workflow.experiment;

import java.util.ArrayList;
import java.util.List;
import org.diredi.core.train.DetectorTrainer;
import org.diredi.vision.report.MarkdownTable;

/**
 * The report's time section: training time of every stage, read from its history, so a resumed run
 * still reports the whole cost, with DiReDi's own stages apart from the direct-training comparisons that
 * only the experiment needs; and the time of this invocation.
 */
final class StageTimes {

    private record Timed(String stage, List<DetectorTrainer.EpochRecord> history, int images, boolean comparison) {

        double seconds() {
            return history.stream().mapToDouble(DetectorTrainer.EpochRecord::seconds).sum();
        }
    }

    private final List<Timed> stages = new ArrayList<>();

    /** Adds one of DiReDi's stages: its training history and the images it saw per epoch. */
    StageTimes add(String stage, List<DetectorTrainer.EpochRecord> history, int images) {
        stages.add(new Timed(stage, history, images, false));
        return this;
    }

    /** Adds a stage that only the comparison with direct training needs. */
    StageTimes comparison(String stage, List<DetectorTrainer.EpochRecord> history, int images) {
        stages.add(new Timed(stage, history, images, true));
        return this;
    }

    /** The markdown section, quoting {@code command}; {@code startNanos} is when this invocation began. */
    String toMarkdown(String command, long startNanos) {
        MarkdownTable times = new MarkdownTable("stage", "epochs", "images/epoch", "minutes");
        double method = 0;
        double comparisons = 0;
        for (Timed st : stages) {
            double sec = st.seconds();
            if (st.comparison()) {
                comparisons += sec;
            } else {
                method += sec;
            }
            times.row(st.stage() + (st.comparison() ? " (comparison)" : ""), st.history().size(), st.images(),
                    String.format("%.1f", sec / 60));
        }
        return "## Time\n\nCommand: `" + command + "`\n\n" + times + "\n\nTraining, all stages: "
                + String.format("%.1f min (DiReDi's stages %.1f, the direct-training comparisons %.1f); this invocation"
                        + " (including evaluation and any stages reused from the cache): %.1f min.%n",
                (method + comparisons) / 60, method / 60, comparisons / 60, (System.nanoTime() - startNanos) / 6e10);
    }
}
