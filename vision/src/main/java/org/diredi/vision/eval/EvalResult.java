package org.diredi.vision.eval;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diredi.vision.report.MarkdownTable;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * Result of {@link VocEvaluator#evaluate}.
 *
 * @param map       mean AP over the evaluated classes that have ground truth; NaN if there is none
 * @param numImages images in the ground truth
 * @param classes   one entry per evaluated class, ascending class id (absent classes included)
 * @param tp        micro totals at the score threshold, summed over all evaluated classes
 *                  (absent ones add their false positives)
 * @param fp        see {@code tp}
 * @param fn        see {@code tp}
 * @param precision micro precision, 0 when there is no detection above the threshold
 * @param recall    micro recall, 0 when there is no positive
 * @param f1        micro F1
 * @param config    the configuration used
 */
public record EvalResult(double map, int numImages, List<ClassResult> classes, int tp, int fp, int fn,
                         double precision, double recall, double f1, EvalConfig config) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EvalResult {
        classes = List.copyOf(classes);
    }

    /** Number of classes averaged into {@link #map()}. */
    public int numClassesInMap() {
        int n = 0;
        for (ClassResult c : classes) {
            if (c.hasGroundTruth()) {
                n++;
            }
        }
        return n;
    }

    /** The result of class {@code name}; throws if it was not evaluated. */
    public ClassResult byName(String name) {
        ClassResult c = find(name);
        if (c == null) {
            throw new IllegalArgumentException("class '" + name + "' was not evaluated");
        }
        return c;
    }

    /** The result of class {@code name}, or null when it was not evaluated (no ground truth). */
    public ClassResult find(String name) {
        for (ClassResult c : classes) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Pretty-printed JSON; NaN values (absent AP, mAP without classes) are {@code null}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toJsonTree());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of plain nodes always serialises
        }
    }

    public static EvalResult fromJson(String json) {
        try {
            return fromJsonTree(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an evaluation result: " + e.getOriginalMessage(), e);
        }
    }

    /** JSON form; Jackson uses it for this record too (e.g. {@code AtomicFiles.writeJson}). */
    @JsonValue
    public ObjectNode toJsonTree() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        putNumber(o, "mAP", map);
        o.put("numClassesInMap", numClassesInMap());
        o.put("numImages", numImages);
        o.put("tp", tp);
        o.put("fp", fp);
        o.put("fn", fn);
        o.put("precision", precision);
        o.put("recall", recall);
        o.put("f1", f1);
        ObjectNode c = o.putObject("config");
        c.put("iouThreshold", config.iouThreshold());
        c.put("apMethod", config.apMethod().name());
        c.put("scoreThreshold", config.scoreThreshold());
        if (config.classIds() == null) {
            c.putNull("classIds");
        } else {
            ArrayNode ids = c.putArray("classIds");
            config.classIds().forEach(ids::add);
        }
        ArrayNode arr = o.putArray("classes");
        for (ClassResult cr : classes) {
            arr.add(cr.toJsonTree());
        }
        return o;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static EvalResult fromJsonTree(JsonNode o) {
        JsonNode c = req(o, "config");
        TreeSet<Integer> ids = null;
        JsonNode idsNode = c.path("classIds");
        if (idsNode.isArray()) {
            ids = new TreeSet<>();
            for (JsonNode id : idsNode) {
                ids.add(id.asInt());
            }
        }
        EvalConfig config = new EvalConfig(req(c, "iouThreshold").asDouble(),
                ApMethod.valueOf(req(c, "apMethod").asText()), req(c, "scoreThreshold").asDouble(), ids);
        List<ClassResult> classes = new ArrayList<>();
        for (JsonNode cr : req(o, "classes")) {
            classes.add(ClassResult.fromJsonTree(cr));
        }
        return new EvalResult(getNumber(o, "mAP"), req(o, "numImages").asInt(), classes,
                req(o, "tp").asInt(), req(o, "fp").asInt(), req(o, "fn").asInt(),
                getNumber(o, "precision"), getNumber(o, "recall"), getNumber(o, "f1"), config);
    }

    /**
     * A Markdown report: a table {@code class | GT | AP@t | P | R | F1} (GT = non-difficult objects,
     * AP "absent" for classes without ground truth), then paragraphs with the mAP, the overall
     * micro P/R/F1, and the configuration (interpolation method, IoU rule, score threshold).
     */
    public String toMarkdown() {
        return toMarkdown(null);
    }

    /**
     * {@link #toMarkdown()} with, when {@code coco} is given, COCO's AP@[.5:.95], AP50 and AP75 as
     * columns after AP@t and as a line after the mAP.
     */
    public String toMarkdown(CocoResult coco) {
        String iou = plain(config.iouThreshold());
        StringJoiner absent = new StringJoiner(", ");
        MarkdownTable t = table(iou, coco, absent);
        String score = plain(config.scoreThreshold());
        StringBuilder sb = new StringBuilder(t.toString()).append('\n');
        sb.append("**mAP@").append(iou).append(" = ")
                .append(Double.isNaN(map) ? "n/a" : String.format(Locale.ROOT, "%.4f", map))
                .append("** over ").append(numClassesInMap()).append(numClassesInMap() == 1 ? " class" : " classes")
                .append(" with ground truth");
        if (absent.length() > 0) {
            sb.append(" (absent, not in mAP: ").append(absent).append(')');
        }
        sb.append("\n\n");
        if (coco != null) {
            sb.append(coco.summary()).append("\n\n");
        }
        sb.append(String.format(Locale.ROOT, "Overall (micro, score >= %s): P %.3f, R %.3f, F1 %.3f (TP %d, FP %d, FN %d)\n\n",
                score, precision, recall, f1, tp, fp, fn));
        sb.append("Config: AP ").append(config.apMethod().label())
                .append(", match IoU > ").append(iou)
                .append(", P/R/F1 at score >= ").append(score)
                .append(", ").append(numImages).append(numImages == 1 ? " image\n" : " images\n");
        return sb.toString();
    }

    /** The per-class table; the names of classes without ground truth go to {@code absent}. */
    private MarkdownTable table(String iou, CocoResult coco, StringJoiner absent) {
        List<String> headers = new ArrayList<>(List.of("class", "GT", "AP@" + iou));
        if (coco != null) {
            headers.addAll(List.of("AP@[.5:.95]", "AP50", "AP75"));
        }
        headers.addAll(List.of("P", "R", "F1"));
        MarkdownTable t = new MarkdownTable(headers);
        int apColumns = coco == null ? 1 : 4;
        for (int c = 2; c < 2 + apColumns; c++) {
            t.decimals(c, 4).align(c, MarkdownTable.Align.RIGHT);
        }
        for (ClassResult cr : classes) {
            List<Object> row = new ArrayList<>(List.of(cr.name(), cr.numGt(), cr.hasGroundTruth() ? cr.ap() : "absent"));
            if (!cr.hasGroundTruth()) {
                absent.add(cr.name());
            }
            if (coco != null) {
                CocoResult.ClassAp ca = coco.find(cr.classId());
                row.addAll(ca == null ? List.of("absent", "absent", "absent") : List.of(ca.ap(), ca.ap50(), ca.ap75()));
            }
            row.addAll(List.of(cr.precision(), cr.recall(), cr.f1()));
            t.row(row);
        }
        return t;
    }

    private static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    static double getNumber(JsonNode o, String key) {
        JsonNode n = o.path(key);
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }

    static JsonNode req(JsonNode o, String key) {
        JsonNode n = o.get(key);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("evaluation JSON lacks '" + key + "'");
        }
        return n;
    }
}
