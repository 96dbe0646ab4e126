package org.diredi.core.provenance;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A provenance chain as an indented tree for people: each artifact, then its parents one level deeper. */
public final class ProvenanceTree {

    /** What an artifact written before provenance was recorded shows. */
    public static final String UNKNOWN = "provenance unknown (written before provenance was recorded)";

    private ProvenanceTree() {}

    /**
     * The tree of {@code p}; {@code p} null (an old file) prints as unknown. An artifact met again (the base
     * tutor under the delta's tutors) is named, not repeated; software and machine are printed where they
     * change from the level above.
     */
    public static String text(Provenance p) {
        if (p == null) {
            return UNKNOWN + "\n";
        }
        StringBuilder out = new StringBuilder();
        append(out, p, "", "", null, new HashSet<>());
        return out.toString();
    }

    private static void append(StringBuilder out, Provenance p, String indent, String relation, Environment above,
                               Set<String> shown) {
        out.append(indent).append(relation).append(p.kind()).append(' ').append(p.id() == null ? "?" : p.id())
                .append(" (").append(p.role()).append(')');
        if (p.id() != null && !shown.add(p.kind() + " " + p.id())) { // a release shares its export's hash
            out.append(", shown above\n");
            return;
        }
        out.append(p.created() == null ? "" : ", " + p.created()).append('\n');
        String in = indent + "    ";
        if (p.environment() != null && !p.environment().equals(above)) {
            out.append(in).append("made with ").append(p.environment().describe()).append('\n');
        }
        if (p.settings() != null && !p.settings().isEmpty()) {
            StringBuilder s = new StringBuilder();
            for (Map.Entry<String, String> e : p.settings().entrySet()) {
                s.append(s.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
            }
            out.append(in).append("settings: ").append(s).append('\n');
        }
        for (Provenance.DataHash d : p.data() == null ? List.<Provenance.DataHash>of() : p.data()) {
            out.append(in).append("data: ").append(d.what()).append(" (").append(d.count()).append(", ")
                    .append(d.source()).append(") sha256 ").append(d.sha256()).append('\n');
        }
        for (Provenance.Parent parent : p.parents() == null ? List.<Provenance.Parent>of() : p.parents()) {
            if (parent.provenance() == null) {
                out.append(in).append(parent.relation()).append(": ").append(parent.id() == null ? "?" : parent.id())
                        .append(", ").append(UNKNOWN).append('\n');
            } else {
                append(out, parent.provenance(), in, parent.relation() + ": ",
                        p.environment() == null ? above : p.environment(), shown);
            }
        }
    }
}
