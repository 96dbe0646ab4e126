package org.diredi.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The command lines of a Markdown text's {@code ```bash} blocks, as a reader would type them: comments
 * dropped, {@code \} continuations joined, split into commands at {@code &&}, {@code ||}, {@code ;} and
 * {@code |}, each command into shell words.
 */
final class ReadmeLines {

    private ReadmeLines() {}

    /** One logical line: where it starts in the Markdown (1-based) and its text, continuations joined. */
    record Line(int number, String text) {
        @Override
        public String toString() {
            return "README line " + number + ": " + text;
        }
    }

    /** Every command line of every {@code ```bash} / {@code ```sh} block, in order. */
    static List<Line> of(String markdown) {
        List<Line> lines = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder pending = null;
        int start = 0;
        String[] physical = markdown.split("\r?\n", -1);
        for (int i = 0; i < physical.length; i++) {
            String raw = physical[i];
            if (raw.strip().startsWith("```")) {
                inBlock = !inBlock && isShell(raw.strip().substring(3).strip());
                pending = null;
                continue;
            }
            String code = inBlock ? withoutComment(raw).stripTrailing() : "";
            if (code.isBlank() && pending == null) {
                continue;
            }
            boolean continues = code.endsWith("\\");
            String part = continues ? code.substring(0, code.length() - 1).strip() : code.strip();
            if (pending == null) {
                pending = new StringBuilder(part);
                start = i + 1;
            } else if (!part.isEmpty()) {
                pending.append(' ').append(part);
            }
            if (!continues) {
                lines.add(new Line(start, pending.toString()));
                pending = null;
            }
        }
        return lines;
    }

    private static boolean isShell(String info) {
        return info.equals("bash") || info.equals("sh") || info.equals("shell") || info.equals("console");
    }

    /** The line up to an unquoted {@code #} that starts a word. */
    static String withoutComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '\\') {
                i++;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** The commands of one line, each as its shell words (quotes removed). */
    static List<List<String>> commands(String line) {
        List<List<String>> commands = new ArrayList<>();
        List<String> words = new ArrayList<>();
        for (String w : words(line)) {
            if (w.equals("&&") || w.equals("||") || w.equals(";") || w.equals("|")) {
                commands.add(words);
                words = new ArrayList<>();
            } else {
                words.add(w);
            }
        }
        commands.add(words);
        commands.removeIf(List::isEmpty);
        return commands;
    }

    /** Shell words: whitespace separates, quotes group, a backslash escapes the next character. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (w != null) {
                    words.add(w.toString());
                    w = null;
                }
                continue;
            }
            w = w == null ? new StringBuilder() : w;
            if (quote != 0 && c == quote) {
                quote = 0;
            } else if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == '\\' && quote != '\'' && i + 1 < line.length()) {
                w.append(line.charAt(++i));
            } else {
                w.append(c);
            }
        }
        if (w != null) {
            words.add(w.toString());
        }
        return words;
    }
}
