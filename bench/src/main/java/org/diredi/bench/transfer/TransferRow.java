package org.diredi.bench.transfer;

import java.util.List;
import org.diredi.bench.report.Cells;
import org.diredi.vision.report.MarkdownTable;

/** A transfer row with its target (every receiver gets the hash-checked file). */
public record TransferRow(TransferFigures figures, String target, boolean met) {

    public static String table(List<TransferRow> rows) {
        MarkdownTable t = new MarkdownTable("transfer", "payload bytes", "receivers", "sender connections", "chunk bytes",
                "seconds", "MB/s (aggregate)", "completed", "target", "met");
        for (TransferRow r : rows) {
            TransferFigures x = r.figures();
            t.row(x.name(), String.format("%,d", x.payloadBytes()), x.receivers(), x.senders(),
                    String.format("%,d", x.chunkBytes()), Cells.number("%.2f", x.seconds()),
                    Cells.number("%.1f", x.megabytesPerSecond()), x.completed() + "/" + x.receivers(), r.target(),
                    Cells.met(r.met()));
        }
        return t.toString();
    }
}
