package org.diredi.core.provenance;

import java.util.Map;

/** A provenance chain as an indented tree for people: each artifact, then its parents one level deeper. */
public final class ProvenanceTree {

    /** What an artifact written before provenance was recorded shows. */
    public static final String UNKNOWN = "provenance unknown (written before provenance was recorded)";

    private ProvenanceTree() {}

    /** The tree of {@code p}; {@code p} null (an old file) prints as unknown. */
    public static String text(Provenance p) {
        StringBuilder out = new StringBuilder();
        if (p == null) {
            return UNKNOWN + "\n";
        }
        append(out, p, "", "");
        return out.toString();
    }

    private static void append(StringBuilder out, Provenance p, String indent, String relation) {
        out.append(indent).append(relation).append(p.kind()).append(' ').append(p.id() == null ? "?" : p.id())
                .append(" (").append(p.role()).append(')');
        out.append(p.created() == null ? "" : ", " + p.created()).append('\n');
        String in = indent + "    ";
        if (p.environment() != null) {
            out.append(in).append("made with ").append(p.environment().describe()).append('\n');
        }
        if (p.settings() != null && !p.settings().isEmpty()) {
            StringBuilder s = new StringBuilder();
            for (Map.Entry<String, String> e : p.settings().entrySet()) {
                s.append(s.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
            }
            out.append(in).append("settings: ").append(s).append('\n');
        }
        if (p.data() != null) {
            for (Provenance.DataHash d : p.data()) {
                out.append(in).append("data: ").append(d.what()).append(", ").append(d.count()).append(" in ")
                        .append(d.source()).append(", sha256 ").append(d.sha256()).append('\n');
            }
        }
        if (p.parents() == null) {
            return;
        }
        for (Provenance.Parent parent : p.parents()) {
            if (parent.provenance() == null) {
                out.append(in).append(parent.relation()).append(": ").append(parent.id() == null ? "?" : parent.id())
                        .append(", ").append(UNKNOWN).append('\n');
            } else {
                append(out, parent.provenance(), in, parent.relation() + ": ");
            }
        }
    }
}
