package org.diredi.core.provenance;

import java.util.List;
import java.util.Map;

/**
 * Where an artifact came from, after Tribuo's provenance: the software and machine that made it, the
 * SHA-256 of the data lists it learnt from (split files and class lists, never images or the names of
 * private files), its settings, and its parents' provenance nested inside, so one file holds the whole
 * chain from a shipped model back to the data. Null parts are unknown (written before provenance was).
 *
 * @param kind        checkpoint, delta, export or release
 * @param id          first 16 hex digits of {@code sha256}: the artifact's identity
 * @param sha256      SHA-256 of the artifact's content (weights, delta tensors, ONNX file)
 * @param role        what it is: tutor, edge, tutor1, tutor+delta, ...
 * @param created     ISO-8601 time of writing
 * @param environment the software and machine that made it
 * @param data        hashes of the split and class lists it learnt from (none for a derived artifact)
 * @param settings    what else decided its content (lambda, export profile and precision, the gate's decision)
 * @param parents     the artifacts it was made from, each with its own provenance
 */
public record Provenance(String kind, String id, String sha256, String role, String created,
                         Environment environment, List<DataHash> data, Map<String, String> settings,
                         List<Parent> parents) {

    /** A new artifact's provenance made here and now; its identity is filled when it is written. */
    public static Provenance of(String kind, String role, List<DataHash> data, Map<String, String> settings,
                                List<Parent> parents) {
        return new Provenance(kind, null, null, role, null, Environment.current(), List.copyOf(data),
                new java.util.LinkedHashMap<>(settings), List.copyOf(parents));
    }

    /** This provenance with the identity of the written artifact ({@code sha256} of its content). */
    public Provenance identified(String contentSha256, String createdAt) {
        return new Provenance(kind, contentSha256.substring(0, 16), contentSha256, role, createdAt, environment,
                data, settings, parents);
    }

    /** This provenance with another parent list (Eq. 10's updated tutor adds the delta to its base tutor). */
    public Provenance withParents(List<Parent> newParents) {
        return new Provenance(kind, id, sha256, role, created, environment, data, settings, List.copyOf(newParents));
    }

    /** This provenance with more settings. */
    public Provenance withSettings(Map<String, String> more) {
        Map<String, String> s = new java.util.LinkedHashMap<>(settings == null ? Map.of() : settings);
        s.putAll(more);
        return new Provenance(kind, id, sha256, role, created, environment, data, s, parents);
    }

    /** This artifact as the parent of another, by {@code relation}. */
    public Parent asParent(String relation) {
        return new Parent(relation, id, sha256, this);
    }

    /**
     * A parent artifact: how the child relates to it (teacher, init, base tutor, delta, ...), its id and
     * SHA-256, and its provenance (null: unknown, an artifact written before provenance was recorded).
     */
    public record Parent(String relation, String id, String sha256, Provenance provenance) {}

    /**
     * The SHA-256 of a list the artifact learnt from.
     *
     * @param what   e.g. {@code train split}, {@code class list}
     * @param source what was hashed: the split file ({@code ImageSets/Main/train.txt}), or the image ids or
     *               class names one per line, as such a file holds them
     * @param count  image ids or class names in it
     */
    public record DataHash(String what, String source, int count, String sha256) {}
}
