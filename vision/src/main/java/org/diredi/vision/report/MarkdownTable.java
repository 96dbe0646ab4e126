package org.diredi.vision.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A small builder for Markdown tables whose source is aligned too (readable in a terminal or a
 * diff, not only when rendered).
 *
 * <p>Cells: {@code null} is empty; {@code Float}/{@code Double} are formatted with the column's
 * decimals (default 3, {@link Locale#ROOT}), NaN as {@link #nanText(String) "n/a"}; other numbers
 * and objects with {@code toString()}. {@code |} is escaped and line breaks become spaces. A column
 * left at {@link Align#AUTO} is right-aligned when all its non-empty cells are numbers.
 *
 * <pre>{@code
 * new MarkdownTable("class", "AP").decimals(1, 4).row("boot", 0.5).toString()
 * }</pre>
 */
public final class MarkdownTable {

    /** Column alignment; AUTO means right for numeric columns, left otherwise. */
    public enum Align { AUTO, LEFT, RIGHT, CENTER }

    private static final int DEFAULT_DECIMALS = 3;

    private final String[] headers;
    private final Align[] align;
    private final int[] decimals;
    // Cells are kept raw so that decimals() set after row() still applies.
    private final List<Object[]> raw = new ArrayList<>();
    private String nanText = "n/a";

    public MarkdownTable(String... headers) {
        if (headers.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.headers = new String[headers.length];
        for (int i = 0; i < headers.length; i++) {
            this.headers[i] = escape(headers[i] == null ? "" : headers[i]);
        }
        this.align = new Align[headers.length];
        Arrays.fill(align, Align.AUTO);
        this.decimals = new int[headers.length];
        Arrays.fill(decimals, DEFAULT_DECIMALS);
    }

    public MarkdownTable(List<String> headers) {
        this(headers.toArray(String[]::new));
    }

    public int columns() {
        return headers.length;
    }

    public int rows() {
        return raw.size();
    }

    public MarkdownTable align(int column, Align a) {
        align[column] = a;
        return this;
    }

    /** Decimals for floating-point cells of {@code column}, for all rows (formatting happens at render). */
    public MarkdownTable decimals(int column, int digits) {
        if (digits < 0) {
            throw new IllegalArgumentException("decimals must be >= 0: " + digits);
        }
        decimals[column] = digits;
        return this;
    }

    /** Text for NaN floating-point cells (default "n/a"). */
    public MarkdownTable nanText(String text) {
        this.nanText = text;
        return this;
    }

    /** Adds a row; it must have exactly one cell per column. */
    public MarkdownTable row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException(
                    "row has " + cells.length + " cells, table has " + headers.length + " columns");
        }
        raw.add(cells.clone());
        return this;
    }

    public MarkdownTable row(List<?> cells) {
        return row(cells.toArray());
    }

    @Override
    public String toString() {
        int n = headers.length;
        String[][] text = new String[raw.size()][];
        int[] width = new int[n];
        for (int c = 0; c < n; c++) {
            width[c] = Math.max(3, headers[c].length()); // "---" is the shortest valid separator
        }
        for (int r = 0; r < raw.size(); r++) {
            Object[] cells = raw.get(r);
            text[r] = new String[n];
            for (int c = 0; c < n; c++) {
                text[r][c] = format(cells[c], decimals[c]);
                width[c] = Math.max(width[c], text[r][c].length());
            }
        }
        Align[] eff = new Align[n];
        for (int c = 0; c < n; c++) {
            eff[c] = align[c] != Align.AUTO ? align[c] : autoAlign(c, text);
        }
        StringBuilder sb = new StringBuilder();
        line(sb, headers, width, eff);
        sb.append('|');
        for (int c = 0; c < n; c++) {
            int w = width[c];
            switch (eff[c]) {
                case RIGHT -> sb.append("-".repeat(w + 1)).append(':');
                case CENTER -> sb.append(':').append("-".repeat(w)).append(':');
                default -> sb.append(':').append("-".repeat(w + 1));
            }
            sb.append('|');
        }
        sb.append('\n');
        for (String[] row : text) {
            line(sb, row, width, eff);
        }
        return sb.toString();
    }

    private Align autoAlign(int c, String[][] text) {
        boolean any = false;
        for (int r = 0; r < raw.size(); r++) {
            if (text[r][c].isEmpty()) {
                continue;
            }
            if (!(raw.get(r)[c] instanceof Number)) {
                return Align.LEFT;
            }
            any = true;
        }
        return any ? Align.RIGHT : Align.LEFT;
    }

    private static void line(StringBuilder sb, String[] cells, int[] width, Align[] eff) {
        sb.append('|');
        for (int c = 0; c < cells.length; c++) {
            String s = cells[c];
            int pad = width[c] - s.length();
            sb.append(' ');
            switch (eff[c]) {
                case RIGHT -> sb.append(" ".repeat(pad)).append(s);
                case CENTER -> sb.append(" ".repeat(pad / 2)).append(s).append(" ".repeat(pad - pad / 2));
                default -> sb.append(s).append(" ".repeat(pad));
            }
            sb.append(" |");
        }
        sb.append('\n');
    }

    private String format(Object v, int digits) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d)) {
                return escape(nanText);
            }
            return String.format(Locale.ROOT, "%." + digits + "f", d);
        }
        return escape(v.toString());
    }

    private static String escape(String s) {
        return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ').replace("|", "\\|");
    }
}
