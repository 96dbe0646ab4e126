package org.diredi.messaging;

/** A signed envelope that must not be trusted, with the reason why. */
public final class SignatureRejected extends MessagingException {

    public enum Reason {
        UNSIGNED("unsigned"),
        WRONG_KEY("wrong key"),
        BAD_SIGNATURE("bad signature"),
        MALFORMED("malformed");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final Reason reason;

    public SignatureRejected(Reason reason, String detail) {
        super("signature rejected (" + reason + "): " + detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
