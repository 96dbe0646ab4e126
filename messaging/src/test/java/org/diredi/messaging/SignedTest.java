package org.diredi.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import org.diredi.messaging.SignatureRejected.Reason;
import org.junit.jupiter.api.Test;

class SignedTest {

    private static final KeyPair CLOUD = Ed25519.generate();
    private static final KeyPair OTHER = Ed25519.generate();
    // Deliberately not canonical JSON: the signature covers these exact bytes.
    private static final byte[] JSON = "{ \"b\":1,  \"a\":[2,3] }".getBytes(StandardCharsets.UTF_8);

    @Test
    void roundTripsThroughJsonAndReturnsTheExactBytes() {
        Signed s = Signed.sign(JSON, CLOUD.getPrivate(), CLOUD.getPublic());
        Signed back = Signed.fromJson(s.toJson());
        assertEquals(s, back);
        assertArrayEquals(JSON, back.verifiedPayload(CLOUD.getPublic()));
        assertEquals(Ed25519.keyId(CLOUD.getPublic()), back.keyId());
    }

    @Test
    void tamperedPayloadIsABadSignature() {
        Signed s = Signed.sign(JSON, CLOUD.getPrivate(), CLOUD.getPublic());
        byte[] altered = JSON.clone();
        altered[5] = '9';
        Signed forged = new Signed(Base64.getEncoder().encodeToString(altered), s.keyId(), s.signature());
        assertEquals(Reason.BAD_SIGNATURE, reject(forged).reason());
    }

    @Test
    void otherSignerIsTheWrongKey() {
        Signed s = Signed.sign(JSON, OTHER.getPrivate(), OTHER.getPublic());
        SignatureRejected e = reject(s);
        assertEquals(Reason.WRONG_KEY, e.reason());
        assertEquals("wrong key", e.reason().toString());
    }

    @Test
    void claimingThePinnedKeyIdDoesNotHelpAForger() {
        Signed s = Signed.sign(JSON, OTHER.getPrivate(), OTHER.getPublic());
        Signed lying = new Signed(s.payload(), Ed25519.keyId(CLOUD.getPublic()), s.signature());
        assertEquals(Reason.BAD_SIGNATURE, reject(lying).reason());
    }

    @Test
    void unsignedAndMalformedEnvelopes() {
        // A bare manifest where an envelope is expected.
        SignatureRejected e = assertThrows(SignatureRejected.class, () -> Signed.fromJson(JSON));
        assertEquals(Reason.UNSIGNED, e.reason());
        assertEquals(Reason.UNSIGNED, reject(new Signed("e30=", Ed25519.keyId(CLOUD.getPublic()), " ")).reason());

        e = assertThrows(SignatureRejected.class, () -> Signed.fromJson("not json".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Reason.MALFORMED, e.reason());
        e = assertThrows(SignatureRejected.class, () -> Signed.fromJson("[1,2]".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Reason.MALFORMED, e.reason());
        assertEquals(Reason.MALFORMED, reject(new Signed("%%%", Ed25519.keyId(CLOUD.getPublic()), "AAAA")).reason());
        assertEquals(Reason.MALFORMED, reject(new Signed(null, Ed25519.keyId(CLOUD.getPublic()), "AAAA")).reason());
    }

    private static SignatureRejected reject(Signed s) {
        return assertThrows(SignatureRejected.class, () -> s.verifiedPayload(CLOUD.getPublic()));
    }
}
