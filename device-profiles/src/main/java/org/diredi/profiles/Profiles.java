package org.diredi.profiles;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The bundled device profiles ({@code jetson-nano}, {@code imx500}, {@code local-pc}, {@code cpu};
 * YAML resources next to this class, listed in {@code index.txt}) and profile files of the user's
 * own. Every problem names the profile or file and what is wrong.
 */
public final class Profiles {

    private static final String DIR = "/org/diredi/profiles/";
    // Unknown keys are errors: a misspelt budget must not silently become "no budget".
    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    private static final Set<String> OPTIONAL = Set.of("inputSizes", "description", "notes");

    private Profiles() {}

    /** Names of the bundled profiles, in the index's order. */
    public static List<String> list() {
        try (InputStream in = Profiles.class.getResourceAsStream(DIR + "index.txt")) {
            if (in == null) {
                throw new ProfileException("the bundled profile index " + DIR + "index.txt is missing from the classpath");
            }
            List<String> names = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String n = line.strip();
                if (!n.isEmpty() && !n.startsWith("#")) {
                    names.add(n);
                }
            }
            return List.copyOf(names);
        } catch (IOException e) {
            throw new ProfileException("cannot read the bundled profile index: " + e.getMessage(), e);
        }
    }

    /** All bundled profiles. */
    public static List<DeviceProfile> all() {
        return list().stream().map(Profiles::load).toList();
    }

    /** A bundled profile by name; an unknown name lists the known ones. */
    public static DeviceProfile load(String name) {
        List<String> known = list();
        if (name == null || !known.contains(name)) {
            throw new ProfileException("unknown device profile '" + name + "' (known: " + String.join(", ", known)
                    + "; or pass a profile file)");
        }
        String resource = DIR + name + ".yaml";
        try (InputStream in = Profiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ProfileException("bundled profile " + name + " is listed but " + resource + " is missing");
            }
            DeviceProfile p = parse(in.readAllBytes(), "bundled profile " + name);
            if (!p.name().equals(name)) {
                throw new ProfileException("bundled profile " + resource + " is named '" + p.name() + "'");
            }
            return p;
        } catch (IOException e) {
            throw new ProfileException("cannot read bundled profile " + name + ": " + e.getMessage(), e);
        }
    }

    /** A profile from a YAML (or JSON, which is YAML) file of the user's. */
    public static DeviceProfile load(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new ProfileException(file + ": profile file not found");
        } catch (IOException e) {
            throw new ProfileException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** A bundled profile name, or else a path to a profile file: what a command-line option takes. */
    public static DeviceProfile resolve(String nameOrFile) {
        if (list().contains(nameOrFile)) {
            return load(nameOrFile);
        }
        Path p = Path.of(nameOrFile);
        if (nameOrFile.endsWith(".yaml") || nameOrFile.endsWith(".yml") || nameOrFile.endsWith(".json")
                || Files.isRegularFile(p)) {
            return load(p);
        }
        return load(nameOrFile); // the unknown-name error, with the known names
    }

    static DeviceProfile parse(byte[] yaml, String source) {
        JsonNode tree;
        try {
            tree = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : ", line " + e.getLocation().getLineNr();
            throw new ProfileException(source + ": not valid YAML (" + e.getOriginalMessage() + where + ")", e);
        } catch (IOException e) {
            throw new ProfileException(source + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (tree == null || !tree.isObject()) {
            throw new ProfileException(source + ": expected a mapping of profile settings");
        }
        // Keys are checked here, before binding: a record's creator would report a misspelt key
        // only as "null for a primitive", which does not say what to fix.
        Set<String> known = new LinkedHashSet<>();
        for (RecordComponent c : DeviceProfile.class.getRecordComponents()) {
            known.add(c.getName());
        }
        for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new ProfileException(source + ": unknown key '" + k + "' (known: " + String.join(", ", known) + ")");
            }
        }
        List<String> missing = known.stream().filter(k -> !OPTIONAL.contains(k) && !tree.has(k)).toList();
        if (!missing.isEmpty()) {
            throw new ProfileException(source + ": missing " + String.join(", ", missing));
        }
        try {
            return YAML.treeToValue(tree, DeviceProfile.class);
        } catch (JsonProcessingException e) {
            String msg = e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage() : e.getOriginalMessage();
            throw new ProfileException(source + ": " + msg, e);
        }
    }
}
