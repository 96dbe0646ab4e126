package org.diredi.core.distill;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.model.FcosDetector;

/**
 * FGD's inheriting start ({@code init_student}): the student begins with the teacher's neck and head
 * wherever a tensor of the same name has the same shape, so distillation starts from the teacher's
 * decoding of features instead of a random one. The backbone is never copied (the architectures differ
 * there, and a pretrained student backbone is kept).
 */
public final class Inheritance {

    private Inheritance() {}

    /**
     * Copies the teacher's neck and head tensors into the student where names and shapes match.
     *
     * @return the names of the copied tensors, in the student's order
     */
    public static List<String> neckAndHead(FcosDetector teacher, FcosDetector student) {
        Map<String, Parameter> byName = new HashMap<>();
        for (Pair<String, Parameter> p : teacher.parameters(FcosDetector::isNeckOrHead)) {
            byName.put(p.getKey(), p.getValue());
        }
        List<String> copied = new ArrayList<>();
        for (Pair<String, Parameter> p : student.parameters(FcosDetector::isNeckOrHead)) {
            Parameter t = byName.get(p.getKey());
            if (t != null && t.getArray().getShape().equals(p.getValue().getArray().getShape())) {
                ModelWeights.overwrite(p.getValue().getArray(), t.getArray().toFloatArray());
                copied.add(p.getKey());
            }
        }
        return copied;
    }
}
