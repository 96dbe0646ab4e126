package org.diredi.bench.inference;

import java.util.List;
import org.diredi.bench.report.Cells;
import org.diredi.vision.report.MarkdownTable;

/**
 * One engine's batch-1 latency; {@code vsDjl = djl p50 / p50}, {@code vsOrtFp32 = ort fp32 p50 / p50}
 * (> 1: faster). A failed engine has {@code error} and NaN figures.
 */
public record InferenceRow(String engine, String file, double p50Ms, double p99Ms, double vsDjl, double vsOrtFp32,
                           double maxAbsDiffClsVsOrtFp32, String target, Boolean met, String notes, String error) {

    public static String table(List<InferenceRow> rows) {
        MarkdownTable t = new MarkdownTable("engine", "p50 ms", "p99 ms", "vs DJL (p50)", "vs ORT FP32 (p50)",
                "max abs diff, class logits vs ORT FP32", "target", "met", "notes");
        for (InferenceRow r : rows) {
            t.row(r.engine(), Cells.number("%.2f", r.p50Ms()), Cells.number("%.2f", r.p99Ms()),
                    Cells.number("%.2fx", r.vsDjl()), Cells.number("%.2fx", r.vsOrtFp32()),
                    Cells.number("%.2g", r.maxAbsDiffClsVsOrtFp32()), r.target(), Cells.met(r.met()),
                    r.error() == null ? r.notes() : "failed: " + r.error());
        }
        return t.toString();
    }
}
