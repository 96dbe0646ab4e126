package org.diredi.vision.eval;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Evaluation of one class.
 *
 * @param classId      index in the evaluation's {@code ClassList}
 * @param name         class name
 * @param ap           average precision, or NaN when the class is absent ({@code numGt == 0}):
 *                     AP is undefined without positives, so such a class is left out of mAP
 * @param numGt        non-difficult ground-truth objects (VOC's npos)
 * @param numDifficult difficult ground-truth objects (neither positives nor negatives)
 * @param numDet       detections of this class, at any score
 * @param tp           true positives among detections with score >= the score threshold
 * @param fp           false positives among those (detections matching a difficult object are neither)
 * @param fn           {@code numGt - tp}
 * @param precision    {@code tp / (tp + fp)}, 0 when there is no detection
 * @param recall       {@code tp / numGt}, 0 when there is no positive
 * @param f1           harmonic mean of precision and recall, 0 when both are 0
 */
public record ClassResult(int classId, String name, double ap, int numGt, int numDifficult, int numDet,
                          int tp, int fp, int fn, double precision, double recall, double f1) {

    /** False for an absent class (no non-difficult ground truth): its AP is NaN and not part of mAP. */
    public boolean hasGroundTruth() {
        return numGt > 0;
    }

    /** JSON form; Jackson uses it for this record too. NaN (absent AP) is written as {@code null}. */
    @JsonValue
    public ObjectNode toJsonTree() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("classId", classId);
        o.put("name", name);
        EvalResult.putNumber(o, "ap", ap);
        o.put("numGt", numGt);
        o.put("numDifficult", numDifficult);
        o.put("numDet", numDet);
        o.put("tp", tp);
        o.put("fp", fp);
        o.put("fn", fn);
        o.put("precision", precision);
        o.put("recall", recall);
        o.put("f1", f1);
        return o;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ClassResult fromJsonTree(JsonNode o) {
        return new ClassResult(
                EvalResult.req(o, "classId").asInt(), EvalResult.req(o, "name").asText(),
                EvalResult.getNumber(o, "ap"),
                EvalResult.req(o, "numGt").asInt(), o.path("numDifficult").asInt(0),
                EvalResult.req(o, "numDet").asInt(),
                EvalResult.req(o, "tp").asInt(), EvalResult.req(o, "fp").asInt(), EvalResult.req(o, "fn").asInt(),
                EvalResult.getNumber(o, "precision"), EvalResult.getNumber(o, "recall"),
                EvalResult.getNumber(o, "f1"));
    }
}
