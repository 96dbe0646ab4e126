package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.CallableDeclaration;
import com.github.javaparser.ast.body.CompactConstructorDeclaration;
import com.github.javaparser.ast.expr.AnnotationExpr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the code readable as it grows: no method of the product ({@code src/main} of every module) over
 * {@value #MAX_METHOD_LINES} lines, and the CLI a thin shell (no source file in {@code cli/src/main} over
 * {@value #MAX_CLI_FILE_LINES} lines) whose work lives in the library modules.
 *
 * <p>How lines are counted: a method, constructor or record compact constructor spans from the line of its
 * first modifier, type or name (annotations and javadoc excluded) to the line of its closing brace,
 * inclusive, as JavaParser reports them; lambdas and local or anonymous classes count toward the method that
 * holds them. A CLI class is measured as its whole file.
 */
class CodeShapeTest {

    static final int MAX_METHOD_LINES = 60;
    static final int MAX_CLI_FILE_LINES = 200;
    private static final Path ROOT = Path.of("..");

    record Span(Path file, String name, int lines) {
        @Override
        public String toString() {
            return ROOT.relativize(file) + " " + name + ": " + lines + " lines";
        }
    }

    @Test
    void noMethodIsLongerThanTheLimit() throws IOException {
        List<Span> spans = methodSpans(mainSources());
        assertTrue(spans.size() > 1000, "the scan found the product's methods (" + spans.size() + ")");
        List<Span> over = spans.stream().filter(s -> s.lines() > MAX_METHOD_LINES).toList();
        assertEquals(List.of(), over, "methods over " + MAX_METHOD_LINES + " lines: split them into named steps");
    }

    @Test
    void theCliIsAThinShell() throws IOException {
        List<String> over = new ArrayList<>();
        for (Path f : sources(ROOT.resolve("cli/src/main/java"))) {
            long lines = Files.readAllLines(f).size();
            if (lines > MAX_CLI_FILE_LINES) {
                over.add(ROOT.relativize(f) + ": " + lines + " lines");
            }
        }
        assertEquals(List.of(), over, "cli classes over " + MAX_CLI_FILE_LINES + " lines: move the work to a library module");
    }

    @Test
    void theCounterMeasuresFromTheSignatureToTheClosingBrace() throws IOException {
        Path f = Files.createTempFile("Shape", ".java");
        Files.writeString(f, String.join("\n",
                "class Shape {",
                "    /** doc */",
                "    @Deprecated",
                "    void three() {",
                "        int a = 1;",
                "    }",
                "    record R(int x) {",
                "        R {",
                "            if (x < 0) throw new IllegalArgumentException();",
                "        }",
                "    }",
                "}"));
        List<Span> spans = methodSpans(List.of(f));
        assertEquals(List.of(new Span(f, "three", 3), new Span(f, "R", 3)), spans);
    }

    private static List<Path> mainSources() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path m : modules.filter(d -> Files.isDirectory(d.resolve("src/main/java"))).sorted().toList()) {
                all.addAll(sources(m.resolve("src/main/java")));
            }
        }
        return all;
    }

    private static List<Path> sources(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    static List<Span> methodSpans(List<Path> files) throws IOException {
        JavaParser parser = new JavaParser(new ParserConfiguration()
                .setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17));
        List<Span> spans = new ArrayList<>();
        for (Path f : files) {
            CompilationUnit cu = parser.parse(f).getResult()
                    .orElseThrow(() -> new IllegalStateException(f + ": does not parse"));
            for (CallableDeclaration<?> c : cu.findAll(CallableDeclaration.class)) {
                spans.add(new Span(f, c.getNameAsString(), lines(c, c.getAnnotations())));
            }
            for (CompactConstructorDeclaration c : cu.findAll(CompactConstructorDeclaration.class)) {
                spans.add(new Span(f, c.getNameAsString(), lines(c, c.getAnnotations())));
            }
        }
        return spans;
    }

    /** Lines from the first line after the annotations (or the node's first line) to its last, inclusive. */
    private static int lines(Node n, List<AnnotationExpr> annotations) {
        int begin = n.getBegin().orElseThrow().line;
        for (AnnotationExpr a : annotations) {
            begin = Math.max(begin, a.getEnd().orElseThrow().line + 1);
        }
        return n.getEnd().orElseThrow().line - begin + 1;
    }
}
