package org.diredi.cloud.update;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What the manufacturer's own data knows about a class a customer's delta adds. The paper's experiments
 * (and {@link #LABELS}) let the manufacturer's images carry its labels, so Distill C and direct training
 * could learn it without the customer; the other two are the case the paper leaves as future work, where
 * only the customer's delta brings the class.
 */
public enum AddedClassKnowledge {
    /** The manufacturer's images label the added class (the paper's setup). */
    LABELS,
    /** The manufacturer's images that show it are kept, but those objects carry no label. */
    UNLABELLED,
    /** The manufacturer has no image of it at all. */
    ABSENT;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code labels}, {@code unlabelled} or {@code absent}; anything else is an error naming the choices. */
    @JsonCreator
    public static AddedClassKnowledge parse(String s) {
        for (AddedClassKnowledge k : values()) {
            if (k.id().equalsIgnoreCase(s == null ? "" : s.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown added-class knowledge '" + s + "': use labels, unlabelled or absent");
    }
}
