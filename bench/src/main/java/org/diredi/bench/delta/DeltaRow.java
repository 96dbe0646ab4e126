package org.diredi.bench.delta;

import java.util.List;
import org.diredi.bench.report.Cells;
import org.diredi.vision.report.MarkdownTable;

/**
 * Delta sizes and the updated tutor's accuracy. {@code vsFullTutor = bytes / full tutor bytes};
 * {@code mapPointsVsFp32 = 100 x (testMap - fp32-delta testMap)}.
 */
public record DeltaRow(String what, long bytes, double vsFullTutor, double testMap, double mapPointsVsFp32,
                       String target, Boolean met, String notes) {

    public static String table(List<DeltaRow> rows) {
        MarkdownTable t = new MarkdownTable("what", "bytes", "vs full tutor", "test mAP@0.5",
                "mAP vs fp32 delta (points)", "target", "met", "notes");
        for (DeltaRow r : rows) {
            t.row(r.what(), String.format("%,d", r.bytes()), Cells.number("%.3fx", r.vsFullTutor()),
                    Cells.number("%.4f", r.testMap()), Cells.number("%+.3f", r.mapPointsVsFp32()), r.target(),
                    Cells.met(r.met()), r.notes());
        }
        return t.toString();
    }
}
