package org.diredi.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.diredi.messaging.Ed25519;

/**
 * The manufacturer's Ed25519 key pair in one folder: {@code manufacturer.key.pem} (PKCS#8, owner-only),
 * which signs every OTA update, and {@code manufacturer.pub.pem}, which every camera pins.
 */
public record ManufacturerKeys(Path privateKey, Path publicKey) {

    public static final String PRIVATE = "manufacturer.key.pem";
    public static final String PUBLIC = "manufacturer.pub.pem";

    /** The key files of {@code dir}, whether or not they exist. */
    public static ManufacturerKeys in(Path dir) {
        return new ManufacturerKeys(dir.resolve(PRIVATE), dir.resolve(PUBLIC));
    }

    /**
     * A new key pair in {@code dir}. Never replaces a key: losing the private key would leave every
     * deployed camera unable to accept another update.
     *
     * @throws IllegalArgumentException naming the file when either key file exists
     */
    public static ManufacturerKeys init(Path dir) {
        ManufacturerKeys k = in(dir);
        for (Path f : new Path[] {k.privateKey, k.publicKey}) {
            if (Files.exists(f)) {
                throw new IllegalArgumentException(f + ": a key already exists; keys init never overwrites a key"
                        + " (the cameras pin its public key); move it away first if you really mean to replace it");
            }
        }
        return k.generate();
    }

    /** The key pair of {@code dir}, made when it has none (a demo keeps its key across runs, as a manufacturer does). */
    public static ManufacturerKeys ensure(Path dir) {
        ManufacturerKeys k = in(dir);
        return Files.exists(k.privateKey) ? k : k.generate();
    }

    /** The public key file, which enrolment copies to every machine. */
    public Path requirePublic() {
        if (!Files.isRegularFile(publicKey)) {
            throw new IllegalArgumentException(publicKey + ": the manufacturer's public key is missing; make the key"
                    + " pair first: diredi keys init --out " + publicKey.getParent());
        }
        Ed25519.readPublicKey(publicKey); // a malformed key is named now, not on the first camera
        return publicKey;
    }

    /** What {@code keys init} made, for people: both files and the key id, never the key. */
    public String describe() {
        return privateKey + " (private, mode 600: keep it on this server) and " + publicKey + " (public), key id "
                + keyId();
    }

    /** Key id of the public key (a name, not a secret). */
    public String keyId() {
        return Ed25519.keyId(Ed25519.readPublicKey(publicKey));
    }

    private ManufacturerKeys generate() {
        KeyPair kp = Ed25519.generate();
        Ed25519.writePrivateKey(privateKey, kp.getPrivate()); // the private key first: 0600 from its creation
        Ed25519.writePublicKey(publicKey, kp.getPublic());
        return this;
    }
}
