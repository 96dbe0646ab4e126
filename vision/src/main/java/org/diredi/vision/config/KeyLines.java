package org.diredi.vision.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each key of a settings file is (its line), so an error can point at it, and the check that
 * no key is given twice: a parsed tree keeps only the last of two, which would silently win.
 * Keys are named by JSON pointer ({@code /gate/maxDropOther}, {@code /customers/acme/devices/0/id}).
 */
final class KeyLines {

    private final Map<String, Integer> lines;

    private KeyLines(Map<String, Integer> lines) {
        this.lines = lines;
    }

    /**
     * Scans {@code text} with a parser of {@code factory} (YAML or JSON).
     *
     * @throws ConfigFiles.ConfigException naming both lines of a key given twice in one mapping
     * @throws IOException                 when the text does not parse (the caller reports it)
     */
    static KeyLines scan(JsonFactory factory, String text, String source) throws IOException {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = factory.createParser(text)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    continue;
                }
                String key = p.getParsingContext().pathAsPointer().toString();
                int line = p.currentTokenLocation().getLineNr();
                Integer first = lines.putIfAbsent(key, line);
                if (first != null) {
                    throw new ConfigFiles.ConfigException(source + ": line " + line + ": key '" + display(key)
                            + "' is given twice (first on line " + first + "); keep one");
                }
            }
        }
        return new KeyLines(lines);
    }

    /**
     * The line of the key a mapping error points at (for a list element, its list's key), or -1
     * (e.g. a value that came from the defaults).
     */
    int lineOf(List<JsonMappingException.Reference> path) {
        for (int n = path.size(); n > 0; n--) {
            Integer line = lines.get(pointer(path.subList(0, n)));
            if (line != null) {
                return line;
            }
        }
        return -1;
    }

    /** The dotted name of a mapping error's key, as a user would write it: {@code gate.maxDropOther}. */
    static String name(List<JsonMappingException.Reference> path) {
        return display(pointer(path));
    }

    private static String pointer(List<JsonMappingException.Reference> path) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            // Escaped as JsonPointer escapes the scanned keys: '~' as ~0, '/' as ~1.
            b.append('/').append(r.getFieldName() != null
                    ? r.getFieldName().replace("~", "~0").replace("/", "~1") : String.valueOf(r.getIndex()));
        }
        return b.toString();
    }

    private static String display(String pointer) {
        return pointer.isEmpty() ? "(top level)"
                : pointer.substring(1).replace('/', '.').replace("~1", "/").replace("~0", "~");
    }
}
