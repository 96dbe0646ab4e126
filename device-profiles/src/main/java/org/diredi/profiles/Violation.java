package org.diredi.profiles;

/**
 * One way a model breaks a device profile.
 *
 * @param kind    what rule is broken
 * @param subject the node, input or file concerned
 * @param message a sentence for people, naming the subject, the found and the allowed value
 */
public record Violation(Kind kind, String subject, String message) {

    /** The rules a {@link ProfileChecker} applies. */
    public enum Kind {
        /** An operator the device's converter or runtime does not accept. */
        OPERATOR,
        /** The default-domain opset is outside the device's range. */
        OPSET,
        /** The model file is larger than the device takes. */
        MODEL_SIZE,
        /** The weights alone exceed the device's memory budget. */
        MEMORY,
        /** An input dimension is symbolic or missing where the device needs fixed shapes. */
        DYNAMIC_INPUT,
        /** The image input is not the size the device pipeline feeds. */
        INPUT_SIZE,
        /** The model's numeric precision is not what the device executes. */
        PRECISION
    }

    @Override
    public String toString() {
        return kind + ": " + message;
    }
}
