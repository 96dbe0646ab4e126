package org.diredi.vision.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocImage;

/**
 * What {@code diredi eval} reports: the VOC evaluation and COCO's AP@[.5:.95], AP50 and AP75 of the
 * same detections. Its JSON is the VOC result's ({@link EvalResult#fromJson} still reads it) with a
 * {@code coco} object added.
 */
public record EvalReport(EvalResult voc, CocoResult coco) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Both evaluations of {@code detections} (image id to detections) against {@code groundTruth}. */
    public static EvalReport evaluate(List<VocImage> groundTruth, Map<String, List<Detection>> detections,
                                      ClassList classes, EvalConfig config) {
        return new EvalReport(VocEvaluator.evaluate(groundTruth, detections, classes, config),
                CocoEvaluator.evaluate(groundTruth, detections, classes, config));
    }

    /** The VOC report with the COCO columns and summary line ({@link EvalResult#toMarkdown(CocoResult)}). */
    public String toMarkdown() {
        return voc.toMarkdown(coco);
    }

    public ObjectNode toJsonTree() {
        ObjectNode o = voc.toJsonTree();
        o.set("coco", coco.toJsonTree());
        return o;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(toJsonTree());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of plain nodes always serialises
        }
    }
}
