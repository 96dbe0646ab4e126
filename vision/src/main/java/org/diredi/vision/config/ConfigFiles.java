package org.diredi.vision.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Configuration as files: YAML or JSON (by extension), laid over working defaults, unknown keys
 * rejected (a typo must not silently fall back to a default), and every problem reported with the
 * file name. The target type validates its own values in its constructor.
 */
public final class ConfigFiles {

    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .findAndRegisterModules();
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .findAndRegisterModules();

    private ConfigFiles() {}

    /**
     * Reads {@code file} as YAML (.yaml, .yml) or JSON, over {@code defaults}. A key given twice, a
     * fraction for a whole-number setting or a value of the wrong type is an error naming the file,
     * the line and the key.
     */
    public static <T> T load(Path file, Class<T> type, T defaults) {
        JsonNode user;
        KeyLines keys;
        try {
            ObjectMapper m = isYaml(file) ? YAML : JSON;
            String text = Files.readString(file);
            keys = KeyLines.scan(m.getFactory(), text, file.toString());
            user = m.readTree(text);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": configuration file not found");
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid " + (isYaml(file) ? "YAML" : "JSON") + " ("
                    + syntaxProblem(e) + ", line " + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (user != null && !user.isNull() && !user.isMissingNode() && !user.isObject()) {
            throw new ConfigException(file + ": expected a mapping of settings at the top level");
        }
        return overlay(defaults, user, type, file.toString(), keys);
    }

    /**
     * Reads a complete settings file from the classpath ({@code resource}, relative to {@code type}'s
     * package): every component of the record {@code type} must be given, so the shipped file is the
     * one statement of the defaults (the build copies {@code configs/*.yaml} there).
     */
    public static <T extends Record> T defaults(Class<T> type, String resource) {
        String source = "bundled " + resource;
        try (java.io.InputStream in = type.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ConfigException(source + ": missing from the classpath (the build copies it from configs/)");
            }
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            JsonNode tree = YAML.readTree(text);
            for (java.lang.reflect.RecordComponent c : type.getRecordComponents()) {
                if (tree == null || !tree.has(c.getName())) {
                    throw new ConfigException(source + ": the default of '" + c.getName() + "' is missing");
                }
            }
            KeyLines.scan(YAML.getFactory(), text, source); // a key given twice is an error here too
            return JSON.readerFor(type).without(DeserializationFeature.ACCEPT_FLOAT_AS_INT).readValue(tree);
        } catch (IOException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    /**
     * The parser's complaint on one line: SnakeYAML's spans several, with the offending text and a caret
     * under it; its last non-location line says what was expected.
     */
    static String syntaxProblem(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage();
        List<String> lines = m.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("in '") && !l.equals("^")).toList();
        if (lines.size() <= 1) {
            return lines.isEmpty() ? "syntax error" : lines.get(0);
        }
        // context line, offending text, then the problem: keep the first and the problem
        String problem = lines.stream().filter(l -> l.startsWith("expected") || l.startsWith("found")
                || l.startsWith("mapping values") || l.startsWith("could not")).findFirst().orElse(lines.get(lines.size() - 1));
        return lines.get(0) + ": " + problem;
    }

    /** Lays {@code overrides} (possibly null) over {@code defaults}; {@code source} names it in errors. */
    public static <T> T overlay(T defaults, JsonNode overrides, Class<T> type, String source) {
        return overlay(defaults, overrides, type, source, null);
    }

    private static <T> T overlay(T defaults, JsonNode overrides, Class<T> type, String source, KeyLines keys) {
        ObjectNode base = JSON.valueToTree(defaults);
        if (overrides != null && overrides.isObject()) {
            merge(base, (ObjectNode) overrides);
        }
        try {
            // Not the lenient default: "epochs: 1.7" must not quietly become 1 epoch.
            return JSON.readerFor(type).without(DeserializationFeature.ACCEPT_FLOAT_AS_INT).readValue(base);
        } catch (JsonMappingException e) {
            throw new ConfigException(describe(e, source, keys, base));
        } catch (IOException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    /** One line for a mapping error: the file, the key's line when known, the key and what was wrong. */
    private static String describe(JsonMappingException e, String source, KeyLines keys, JsonNode merged) {
        if (e.getCause() instanceof IllegalArgumentException iae) {
            return source + ": " + iae.getMessage(); // the settings' own validation names the setting
        }
        List<JsonMappingException.Reference> path = e.getPath();
        if (path.isEmpty()) {
            return source + ": " + e.getOriginalMessage();
        }
        int line = keys == null ? -1 : keys.lineOf(path);
        String where = source + (line > 0 ? ": line " + line : "") + ": ";
        if (e instanceof UnrecognizedPropertyException u) {
            return where + "unknown key '" + KeyLines.name(path) + "'" + known(u.getKnownPropertyIds());
        }
        if (e instanceof MismatchedInputException mi && mi.getTargetType() != null) {
            JsonNode given = merged.at(pointerOf(path));
            return where + KeyLines.name(path) + ": expected " + expected(mi.getTargetType())
                    + (given.isMissingNode() ? "" : ", got " + given);
        }
        return where + KeyLines.name(path) + ": " + e.getOriginalMessage();
    }

    private static String known(Collection<Object> ids) {
        if (ids == null || ids.isEmpty()) {
            return "";
        }
        return " (known: " + String.join(", ", ids.stream().map(String::valueOf).sorted().toList()) + ")";
    }

    private static JsonPointer pointerOf(List<JsonMappingException.Reference> path) {
        JsonPointer p = JsonPointer.empty();
        for (JsonMappingException.Reference r : path) {
            p = r.getFieldName() != null ? p.appendProperty(r.getFieldName()) : p.appendIndex(r.getIndex());
        }
        return p;
    }

    /** What a setting of {@code type} takes, in a user's words rather than Java's. */
    private static String expected(Class<?> type) {
        if (type == int.class || type == long.class || type == short.class || type == Integer.class
                || type == Long.class || type == Short.class) {
            return "a whole number";
        }
        if (type == float.class || type == double.class || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.toString(type.getEnumConstants());
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a mapping of settings";
    }

    private static void merge(ObjectNode base, ObjectNode over) {
        Iterator<Map.Entry<String, JsonNode>> it = over.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = base.get(e.getKey());
            if (existing instanceof ObjectNode eo && e.getValue() instanceof ObjectNode vo) {
                merge(eo, vo);
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isYaml(Path file) {
        String n = file.getFileName().toString().toLowerCase();
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }

    /** A configuration problem, with the file name in the message. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
