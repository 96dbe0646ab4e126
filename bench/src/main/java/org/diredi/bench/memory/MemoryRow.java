package org.diredi.bench.memory;

import java.util.List;
import org.diredi.bench.report.Cells;
import org.diredi.vision.report.MarkdownTable;

/** A process's peak resident set (VmHWM). */
public record MemoryRow(String process, long peakRssBytes, double peakRssMiB, String detail, String target,
                        Boolean met) {

    public static String table(List<MemoryRow> rows) {
        MarkdownTable t = new MarkdownTable("process", "peak RSS MiB", "detail", "target", "met");
        for (MemoryRow r : rows) {
            t.row(r.process(), Cells.number("%.0f", r.peakRssMiB()), r.detail(), r.target(), Cells.met(r.met()));
        }
        return t.toString();
    }
}
