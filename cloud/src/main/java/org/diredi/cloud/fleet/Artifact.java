package org.diredi.cloud.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.Signed;
import org.diredi.messaging.UpdateManifest;
import org.diredi.vision.io.AtomicFiles;

/**
 * One signed update, ready to send to every camera of one profile: the exported model and its signed
 * manifest envelope, kept beside it ({@code <file>.signed.json}) so a later send (the rest of a
 * rollout, a camera that was offline) uses the very bytes that were checked and signed.
 *
 * @param transferId the knowledge delta this release came from (audit trail)
 */
public record Artifact(String profile, long version, String file, String envelope, String sha256, String expiresAt,
                       String transferId) {

    /** Signs {@code m} (which describes {@code file}) and writes the envelope beside the file. */
    public static Artifact sign(UpdateManifest m, Path file, PrivateKey key, PublicKey publicKey, String transferId)
            throws IOException {
        Path envelope = file.resolveSibling(file.getFileName() + ".signed.json");
        AtomicFiles.writeBytes(envelope, Signed.sign(m.toJson(), key, publicKey).toJson());
        return new Artifact(m.targetProfile(), m.version(), file.toAbsolutePath().toString(),
                envelope.toAbsolutePath().toString(), Hashes.sha256Hex(file), m.expiresAt(), transferId);
    }

    public Path path() {
        return Path.of(file);
    }

    /** The signed manifest envelope as sent. */
    public byte[] envelopeBytes() throws IOException {
        return Files.readAllBytes(Path.of(envelope));
    }

    /** Whether it is still valid {@code margin} from now (a camera may apply it a while after it arrives). */
    public boolean validFor(Instant now, Duration margin) {
        return Instant.parse(expiresAt).isAfter(now.plus(margin));
    }

    /** The same model and version with a new validity window, signed again (the envelope replaced). */
    public Artifact resigned(Instant now, Duration validity, PrivateKey key, PublicKey publicKey) throws IOException {
        UpdateManifest m = UpdateManifest.fromJson(Signed.fromJson(envelopeBytes()).verifiedPayload(publicKey));
        UpdateManifest fresh = m.validFrom(now, now.plus(validity));
        return sign(fresh, path(), key, publicKey, transferId);
    }
}
