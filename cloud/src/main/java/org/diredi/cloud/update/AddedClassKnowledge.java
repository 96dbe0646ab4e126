package org.diredi.cloud.update;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collection;
import java.util.Locale;
import org.diredi.vision.data.VocDataset;

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

    /**
     * A manufacturer-side dataset as this knowledge leaves it: as it is ({@link #LABELS}); every image kept but
     * the objects of {@code added} unlabelled, as in a device maker's unlabelled pool ({@link #UNLABELLED});
     * or without the images that show one ({@link #ABSENT}).
     */
    public VocDataset apply(VocDataset data, Collection<String> added) {
        return switch (this) {
            case LABELS -> data;
            case UNLABELLED -> data.restrictTo(data.classes().names().stream().filter(c -> !added.contains(c)).toList());
            case ABSENT -> data.withoutImagesOf(added);
        };
    }

    /** {@code labels}, {@code unlabelled} or {@code absent}; anything else is an error naming the key and the choices. */
    @JsonCreator
    public static AddedClassKnowledge parse(String s) {
        return parse("addedClassKnowledge", s);
    }

    /** {@link #parse(String)} whose error names {@code key}, the setting or option the value came from. */
    public static AddedClassKnowledge parse(String key, String s) {
        for (AddedClassKnowledge k : values()) {
            if (k.id().equalsIgnoreCase(s == null ? "" : s.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException(key + " must be one of labels, unlabelled or absent, got '" + s + "'");
    }
}
