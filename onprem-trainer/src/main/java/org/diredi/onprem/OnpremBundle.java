package org.diredi.onprem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.diredi.core.checkpoint.Bundle;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.MessagingException;
import org.diredi.messaging.Signed;
import org.diredi.vision.config.ConfigFiles;

/**
 * What reverse distillation needs from the manufacturer, as one file for the customer's PC: the tutor,
 * the deployed edge model, the presumed data and the class list. A bundle (zip) whose first entry is a
 * manifest listing every other entry's SHA-256 and size, signed with the manufacturer's Ed25519 key as
 * OTA updates are ({@link Signed}): the PC checks the signature against its pinned key and every entry
 * against the manifest before anything is written, then extracts into a new folder in one rename.
 */
public final class OnpremBundle {

    public static final String FORMAT = "diredi-onprem-bundle/1";
    /** The signed manifest, the bundle's first entry. */
    public static final String MANIFEST = "manifest.signed.json";
    public static final String TUTOR = "tutor.ckpt";
    public static final String EDGE = "edge.ckpt";
    public static final String CLASSES = "classes.txt";
    /** The presumed data's folder (VOC: Annotations/, JPEGImages/, ImageSets/Main/train.txt). */
    public static final String PRESUMED = "presumed";

    /** One file of the bundle, as the manifest lists it. */
    public record Entry(String name, String sha256, long size) {}

    /** The signed list: whose models, which version, the class list, every entry. */
    public record Manifest(String format, String customer, long version, List<String> classes, List<Entry> entries) {}

    private OnpremBundle() {}

    /** Writes {@code files} (name to bytes) and their signed manifest to {@code target}, atomically. */
    public static Manifest write(Path target, String customer, long version, List<String> classes,
                                 Map<String, byte[]> files, PrivateKey key, PublicKey publicKey) throws IOException {
        List<Entry> entries = files.entrySet().stream().map(e -> new Entry(checkName(e.getKey(), target),
                Hashes.sha256Hex(e.getValue()), e.getValue().length)).toList();
        Manifest m = new Manifest(FORMAT, customer, version, List.copyOf(classes), entries);
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put(MANIFEST, Signed.sign(ConfigFiles.JSON.writeValueAsBytes(m), key, publicKey).toJson());
        all.putAll(files);
        Bundle.write(target, all);
        return m;
    }

    /**
     * Checks {@code bundle} (signed by {@code pinned}, every entry as listed, nothing more or less) and only
     * then extracts it into {@code out}, a folder that must not exist yet: built beside it and renamed, so
     * a refused or interrupted unpack leaves nothing.
     *
     * @throws IllegalArgumentException one line naming the file and the problem
     */
    public static Manifest unpack(Path bundle, Path out, PublicKey pinned) throws IOException {
        if (Files.exists(out)) {
            throw new IllegalArgumentException("--out " + out + ": already exists; unpack writes a new folder");
        }
        Map<String, byte[]> entries = Bundle.read(bundle, "on-prem bundle");
        Manifest m = verify(bundle, entries, pinned);
        Path abs = out.toAbsolutePath().normalize();
        Files.createDirectories(abs.getParent());
        Path staging = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".unpack");
        try {
            for (Entry e : m.entries()) {
                Path f = staging.resolve(e.name());
                Files.createDirectories(f.getParent());
                Files.write(f, entries.get(e.name()));
            }
            Files.move(staging, abs, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(staging);
        }
        return m;
    }

    /** The manifest, if its signature is the pinned key's and the entries are exactly the ones it lists. */
    static Manifest verify(Path bundle, Map<String, byte[]> entries, PublicKey pinned) {
        byte[] envelope = entries.get(MANIFEST);
        if (envelope == null) {
            throw new IllegalArgumentException(bundle + ": not an on-prem bundle (no " + MANIFEST + ")");
        }
        Manifest m;
        try {
            m = ConfigFiles.JSON.readValue(Signed.fromJson(envelope).verifiedPayload(pinned), Manifest.class);
        } catch (MessagingException e) {
            throw new IllegalArgumentException(bundle + ": signature refused, not from the pinned manufacturer key ("
                    + e.getMessage() + "); nothing was extracted");
        } catch (IOException e) {
            throw new IllegalArgumentException(bundle + ": unreadable manifest (" + e.getMessage() + ")");
        }
        if (!FORMAT.equals(m.format())) {
            throw new IllegalArgumentException(bundle + ": unsupported bundle format '" + m.format() + "'");
        }
        if (entries.size() != m.entries().size() + 1) {
            throw new IllegalArgumentException(bundle + ": holds " + (entries.size() - 1) + " files, its manifest lists "
                    + m.entries().size() + "; nothing was extracted");
        }
        m.entries().forEach(e -> checkEntry(bundle, e, entries.get(checkName(e.name(), bundle))));
        return m;
    }

    private static void checkEntry(Path bundle, Entry e, byte[] data) {
        if (data == null) {
            throw new IllegalArgumentException(bundle + ": " + e.name() + " is listed but missing; nothing was extracted");
        }
        if (data.length != e.size() || !Hashes.sha256Hex(data).equals(e.sha256())) {
            throw new IllegalArgumentException(bundle + ": " + e.name() + " does not match its signed SHA-256 / size"
                    + " (tampered or corrupt); nothing was extracted");
        }
    }

    /** A relative path inside the bundle's folder (never {@code ..} or absolute). */
    private static String checkName(String name, Path bundle) {
        Path p = Path.of(name).normalize();
        if (name.isBlank() || p.isAbsolute() || p.startsWith("..") || name.contains("\\") || MANIFEST.equals(name)) {
            throw new IllegalArgumentException(bundle + ": entry name '" + name + "' is not allowed");
        }
        return name;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
