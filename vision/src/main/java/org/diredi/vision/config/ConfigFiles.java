package org.diredi.vision.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
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

    /** Reads {@code file} as YAML (.yaml, .yml) or JSON, over {@code defaults}. */
    public static <T> T load(Path file, Class<T> type, T defaults) {
        JsonNode user;
        try {
            ObjectMapper m = isYaml(file) ? YAML : JSON;
            user = m.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": configuration file not found");
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid " + (isYaml(file) ? "YAML" : "JSON") + " ("
                    + e.getOriginalMessage() + ", line " + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (user != null && !user.isNull() && !user.isObject()) {
            throw new ConfigException(file + ": expected a mapping of settings at the top level");
        }
        return overlay(defaults, user, type, file.toString());
    }

    /** Lays {@code overrides} (possibly null) over {@code defaults}; {@code source} names it in errors. */
    public static <T> T overlay(T defaults, JsonNode overrides, Class<T> type, String source) {
        ObjectNode base = JSON.valueToTree(defaults);
        if (overrides != null && overrides.isObject()) {
            merge(base, (ObjectNode) overrides);
        }
        try {
            return JSON.treeToValue(base, type);
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            if (e.getCause() instanceof IllegalArgumentException iae) {
                msg = iae.getMessage();
            }
            throw new ConfigException(source + ": " + msg);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
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
