package org.diredi.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import org.diredi.messaging.SignatureRejected.Reason;

/**
 * A signed message: the exact payload bytes (base64), the signer's key id and an Ed25519 signature
 * over those bytes. Signing bytes rather than a parsed object means no JSON canonicalisation: the
 * receiver verifies the bytes it got and only then parses them.
 *
 * @param payload   base64 of the signed bytes (typically JSON)
 * @param keyId     {@link Ed25519#keyId} of the signer; a hint for a clear error, never trusted on its own
 * @param signature base64 of the Ed25519 signature over the decoded payload
 */
public record Signed(String payload, String keyId, String signature) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static Signed sign(byte[] json, PrivateKey key, PublicKey publicKey) {
        Base64.Encoder b64 = Base64.getEncoder();
        return new Signed(b64.encodeToString(json), Ed25519.keyId(publicKey), b64.encodeToString(Ed25519.sign(key, json)));
    }

    /**
     * The payload bytes, only if signed by {@code pinned} (the one key the receiver trusts).
     *
     * @throws SignatureRejected with the reason otherwise
     */
    public byte[] verifiedPayload(PublicKey pinned) {
        if (payload == null) {
            throw new SignatureRejected(Reason.MALFORMED, "no payload");
        }
        if (signature == null || signature.isBlank()) {
            throw new SignatureRejected(Reason.UNSIGNED, "no signature");
        }
        String expected = Ed25519.keyId(pinned);
        if (!expected.equals(keyId)) {
            throw new SignatureRejected(Reason.WRONG_KEY, "signed by key " + keyId + ", trusted key is " + expected);
        }
        byte[] data;
        byte[] sig;
        try {
            data = Base64.getDecoder().decode(payload);
            sig = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            throw new SignatureRejected(Reason.MALFORMED, "bad base64 (" + e.getMessage() + ")");
        }
        if (!Ed25519.verify(pinned, data, sig)) {
            throw new SignatureRejected(Reason.BAD_SIGNATURE, "payload or signature altered (key " + expected + ")");
        }
        return data;
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses an envelope. Bytes that are not an envelope at all are {@link Reason#MALFORMED}; a
     * JSON object without signature (an unsigned manifest posing as one) is {@link Reason#UNSIGNED}.
     */
    public static Signed fromJson(byte[] json) {
        com.fasterxml.jackson.databind.JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (IOException e) {
            throw new SignatureRejected(Reason.MALFORMED, "not JSON (" + e.getMessage() + ")");
        }
        if (tree == null || !tree.isObject()) {
            throw new SignatureRejected(Reason.MALFORMED, "not a JSON object");
        }
        if (!tree.hasNonNull("signature")) {
            throw new SignatureRejected(Reason.UNSIGNED, "no 'signature' field");
        }
        try {
            return JSON.treeToValue(tree, Signed.class);
        } catch (JsonProcessingException e) {
            throw new SignatureRejected(Reason.MALFORMED, e.getOriginalMessage());
        }
    }
}
