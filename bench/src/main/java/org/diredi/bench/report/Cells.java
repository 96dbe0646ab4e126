package org.diredi.bench.report;

/**
 * Table cells of {@code bench perf}: figures rounded for people (the JSON keeps them unrounded) and
 * the "met" column, where null means the benchmark sets no target for the row.
 */
public final class Cells {

    private Cells() {}

    public static String met(Boolean met) {
        return met == null ? "-" : met ? "met" : "**not met**";
    }

    /** {@code v} in {@code format}, or "-" when it is not a finite number (an engine that did not run). */
    public static String number(String format, double v) {
        return Double.isFinite(v) ? String.format(format, v) : "-";
    }
}
