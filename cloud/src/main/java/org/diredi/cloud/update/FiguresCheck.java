package org.diredi.cloud.update;

import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import org.diredi.core.delta.CustomerFigures;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.messaging.Ed25519;

/**
 * The cloud's check of the figures a delta carries, before anything is applied: signed by one of the
 * customer's enrolled on-prem keys, over these figures and this delta's tensors and base tutor (so changed
 * figures, or figures moved from another delta, do not verify). When the manufacturer has no labels of a
 * class the delta adds, the figures are the only evidence of its gain, so a delta without them is refused.
 */
public final class FiguresCheck {

    private FiguresCheck() {}

    /**
     * Null when the delta may go on; else the one-line reason, naming the customer and the problem.
     *
     * @param figureKeys the customer's enrolled public keys ({@code CloudConfig.Customer.figureKeys})
     */
    public static String problem(String customer, List<String> figureKeys, DeltaManifest m,
                                 AddedClassKnowledge knowledge) {
        CustomerFigures f = m.customerFigures();
        if (f == null) {
            return knowledge == AddedClassKnowledge.LABELS || m.classesAdded().isEmpty() ? null
                    : "customer " + customer + ": the delta carries no signed figures, and the manufacturer has no "
                    + "labels of the added class(es) " + m.classesAdded() + ", so nothing can verify their gain";
        }
        if (figureKeys.isEmpty()) {
            return "customer " + customer + ": the delta carries figures, but the cloud knows no figures key of this"
                    + " customer (figureKeys of its registry entry or cloud.yaml entry; a PC enrolled before PCs had"
                    + " keys: enrol it again, diredi fleet add-onprem), so they cannot be verified";
        }
        PublicKey signer = null;
        for (String k : figureKeys) {
            PublicKey key = Ed25519.decodePublic(k, "figures key of customer " + customer);
            if (Ed25519.keyId(key).equals(f.keyId())) {
                signer = key;
            }
        }
        if (signer == null) {
            return "customer " + customer + ": the figures are signed by key " + f.keyId()
                    + ", which is not an enrolled key of this customer";
        }
        if (!Ed25519.verify(signer, f.signedBytes(m.tensorsSha256(), m.baseTutorSha256()), decode(f.signature()))) {
            return "customer " + customer + ": the figures' signature does not verify against its enrolled key "
                    + f.keyId() + " (figures changed after signing, or taken from another delta)";
        }
        return null;
    }

    private static byte[] decode(String signature) {
        try {
            return signature == null ? null : Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return null; // not base64: not a valid signature
        }
    }
}
