package org.diredi.vision.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MarkdownTableTest {

    @Test
    void alignsColumnsAndFormatsNumbers() {
        String t = new MarkdownTable("class", "GT", "AP")
                .row("tshirt", 12, 0.5)
                .row("a|b", 3, Double.NaN)
                .row("coat", null, 0.123456)
                .decimals(2, 4) // applies to rows added before, too
                .toString();
        assertEquals("""
                | class  |  GT |     AP |
                |:-------|----:|-------:|
                | tshirt |  12 | 0.5000 |
                | a\\|b   |   3 |    n/a |
                | coat   |     | 0.1235 |
                """, t);
    }

    @Test
    void explicitAlignmentShortHeadersAndNanText() {
        String t = new MarkdownTable(List.of("k", "v"))
                .align(0, MarkdownTable.Align.CENTER)
                .align(1, MarkdownTable.Align.LEFT)
                .nanText("-")
                .row("ab", 1.0f)
                .row("line\nbreak", Double.NaN)
                .toString();
        assertEquals("""
                |     k      | v     |
                |:----------:|:------|
                |     ab     | 1.000 |
                | line break | -     |
                """, t);
    }

    @Test
    void headerOnlyTableAndRowArity() {
        MarkdownTable t = new MarkdownTable("a", "b");
        assertEquals("| a   | b   |\n|:----|:----|\n", t.toString());
        assertEquals(0, t.rows());
        assertThrows(IllegalArgumentException.class, () -> t.row("x"));
        assertThrows(IllegalArgumentException.class, MarkdownTable::new);
    }
}
