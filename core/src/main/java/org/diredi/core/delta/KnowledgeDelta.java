package org.diredi.core.delta;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.diredi.core.checkpoint.Bundle;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.provenance.Provenance;
import org.diredi.vision.config.ConfigFiles;

/**
 * The knowledge delta of DiReDi: {@code dW = W_tutor2 - gamma * W_tutor1} (paper Eq. 9) over the
 * neck and head (optionally every parameter, for the paper's ablation), stored as a {@code .delta}
 * bundle of {@code delta.json} (the {@link DeltaManifest}) and {@code delta.tensors}; and weight
 * substitution {@code W_new = W_tutor + lambda * dW} (Eq. 10), which refuses a delta that does not
 * fit the tutor it is applied to.
 */
public final class KnowledgeDelta {

    public static final String MANIFEST = "delta.json";
    public static final String TENSORS = "delta.tensors";

    private final DeltaManifest manifest;
    private final List<TensorFile.Tensor> tensors;

    public KnowledgeDelta(DeltaManifest manifest, List<TensorFile.Tensor> tensors) {
        this.manifest = manifest;
        this.tensors = List.copyOf(tensors);
    }

    public DeltaManifest manifest() {
        return manifest;
    }

    public List<TensorFile.Tensor> tensors() {
        return tensors;
    }

    /** Which parameters a delta covers. */
    public static Predicate<String> parts(boolean includeBackbone) {
        return includeBackbone ? n -> true : FcosDetector::isNeckOrHead;
    }

    /**
     * Eq. 9 over named tensors of two tutors with the same architecture.
     *
     * @param tutor2 weights of tutor 2 (RD A: presumed + private data)
     * @param tutor1 weights of tutor 1 (RD B: presumed data only)
     */
    public static List<TensorFile.Tensor> difference(List<TensorFile.Tensor> tutor2, List<TensorFile.Tensor> tutor1,
                                                     double gamma, Predicate<String> parts) {
        Map<String, TensorFile.Tensor> t1 = TensorFile.byName(tutor1);
        List<TensorFile.Tensor> out = new ArrayList<>();
        for (TensorFile.Tensor w2 : tutor2) {
            if (!parts.test(w2.name())) {
                continue;
            }
            TensorFile.Tensor w1 = t1.get(w2.name());
            if (w1 == null || !Arrays.equals(w1.shape(), w2.shape())) {
                throw new IllegalArgumentException("tutor 1 and tutor 2 differ at " + w2.name()
                        + ": they must share one architecture");
            }
            float[] d = new float[w2.data().length];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) (w2.data()[i] - gamma * w1.data()[i]);
            }
            out.add(new TensorFile.Tensor(w2.name(), w2.shape(), d));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the delta selects no parameter");
        }
        return out;
    }

    /**
     * Eq. 10: {@code W_new = W + lambda * dW} on the named tensors of the delta; every other tensor
     * (the backbone, by default) is returned unchanged. Refuses names or shapes the tutor lacks and
     * NaN or infinite values, before computing anything.
     */
    public List<TensorFile.Tensor> applyTo(List<TensorFile.Tensor> tutor, double lambda, String tutorSource) {
        Map<String, TensorFile.Tensor> byName = TensorFile.byName(tensors);
        Map<String, TensorFile.Tensor> base = TensorFile.byName(tutor);
        for (TensorFile.Tensor d : tensors) {
            TensorFile.Tensor w = base.get(d.name());
            if (w == null) {
                throw new DeltaException("delta tensor " + d.name() + " names no parameter of " + tutorSource);
            }
            if (!Arrays.equals(w.shape(), d.shape())) {
                throw new DeltaException("delta tensor " + d.name() + " has shape " + Arrays.toString(d.shape())
                        + " but " + tutorSource + " has " + Arrays.toString(w.shape()));
            }
            int bad = d.firstNonFinite();
            if (bad >= 0) {
                throw new DeltaException("delta tensor " + d.name() + " holds " + d.data()[bad] + " at index " + bad);
            }
        }
        List<TensorFile.Tensor> out = new ArrayList<>(tutor.size());
        for (TensorFile.Tensor w : tutor) {
            TensorFile.Tensor d = byName.get(w.name());
            if (d == null) {
                out.add(w);
                continue;
            }
            float[] v = new float[w.data().length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (w.data()[i] + lambda * d.data()[i]);
            }
            out.add(new TensorFile.Tensor(w.name(), w.shape(), v));
        }
        return out;
    }

    /** L2 norm over all values. */
    public static double l2Norm(List<TensorFile.Tensor> tensors) {
        double s = 0;
        for (TensorFile.Tensor t : tensors) {
            for (float v : t.data()) {
                s += (double) v * v;
            }
        }
        return Math.sqrt(s);
    }

    /**
     * The lineage of a delta (Eq. 9) made from {@code tutor1} and {@code tutor2}, both trained from
     * {@code base}: the three as parents, their provenance nested; the customer's data only as the hashes
     * tutor 2's provenance holds (RD A's split and class list).
     */
    public static Provenance lineage(Manifest base,
            Manifest tutor1, Manifest tutor2,
            Map<String, String> settings) {
        var data = tutor2.provenance() == null ? List.<Provenance.DataHash>of()
                : tutor2.provenance().data();
        return Provenance.of("delta", "knowledge delta", data, settings,
                List.of(base.asParent("base tutor"), tutor1.asParent("tutor1"), tutor2.asParent("tutor2")));
    }

    /** Writes a delta bundle atomically, dense float16 or float32; see {@link #write(Path, DeltaManifest, List, DeltaEncoding)}. */
    public static KnowledgeDelta write(Path target, DeltaManifest m, List<TensorFile.Tensor> tensors, boolean fp16)
            throws IOException {
        return write(target, m, tensors, fp16 ? DeltaEncoding.FLOAT16 : DeltaEncoding.FLOAT32);
    }

    /**
     * Writes a delta bundle atomically in {@code encoding}; the manifest's form, size, norm and hash are filled in
     * here ({@code m}'s privacy is kept). The norm and the returned delta are the tensors as the reader will decode
     * them, so a lossy form is measured as the cloud sees it.
     */
    public static KnowledgeDelta write(Path target, DeltaManifest m, List<TensorFile.Tensor> tensors,
                                       DeltaEncoding encoding) throws IOException {
        byte[] bytes = encoding.encode(tensors);
        List<TensorFile.Tensor> stored = DeltaEncoding.decode(bytes, encoding.form(), target + "!" + TENSORS);
        long values = tensors.stream().mapToLong(t -> t.data().length).sum();
        String created = java.time.Instant.now().toString();
        String sha = TensorFile.sha256(bytes);
        DeltaManifest full = new DeltaManifest(DeltaManifest.FORMAT, created,
                m.baseTutorId(), m.baseTutorSha256(), m.classes(), m.classesAdded(), m.classesRemoved(), m.gamma(),
                m.parts(), encoding.dtype(), m.dataCounts(), tensors.size(), values, l2Norm(stored),
                sha, m.provenance(), encoding.form().id(), encoding.sparseDensity(), m.privacy(),
                m.lineage() == null ? null : m.lineage().identified(sha, created),
                m.customerFigures());
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(MANIFEST, ConfigFiles.toJson(full).getBytes(StandardCharsets.UTF_8));
        entries.put(TENSORS, bytes);
        Bundle.write(target, entries);
        return new KnowledgeDelta(full, stored);
    }

    /**
     * Rewrites the delta bundle {@code file} with {@code manifest} (the customer's figures added), atomically,
     * its tensors byte for byte: the manifest must describe those same tensors.
     */
    public static KnowledgeDelta rewriteManifest(Path file, DeltaManifest manifest) throws IOException {
        Map<String, byte[]> e = Bundle.read(file, "delta");
        if (!TensorFile.sha256(e.get(TENSORS)).equals(manifest.tensorsSha256())) {
            throw new DeltaException(file + ": the new manifest describes other tensors; nothing was rewritten");
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(MANIFEST, ConfigFiles.toJson(manifest).getBytes(StandardCharsets.UTF_8));
        entries.put(TENSORS, e.get(TENSORS));
        Bundle.write(file, entries);
        return read(file);
    }

    /**
     * Reads and checks a delta bundle: format, hash of the tensors, counts, finiteness; every {@link DeltaForm}
     * (and files written before forms existed) decoded to dense tensors, so every reader of deltas reads them all.
     */
    public static KnowledgeDelta read(Path file) {
        Map<String, byte[]> e;
        try {
            e = Bundle.read(file, "delta");
        } catch (Bundle.BundleException ex) {
            throw new DeltaException(ex.getMessage());
        }
        if (!e.containsKey(MANIFEST) || !e.containsKey(TENSORS)) {
            throw new DeltaException(file + ": truncated or corrupt delta (no "
                    + (e.containsKey(MANIFEST) ? TENSORS : MANIFEST) + " inside)");
        }
        DeltaManifest m;
        try {
            m = ConfigFiles.JSON.readValue(e.get(MANIFEST), DeltaManifest.class);
        } catch (IOException ex) {
            throw new DeltaException(file + ": unreadable delta manifest (" + ex.getMessage() + ")");
        }
        if (!DeltaManifest.FORMAT.equals(m.format())) {
            throw new DeltaException(file + ": unsupported delta format '" + m.format() + "'");
        }
        if (!TensorFile.sha256(e.get(TENSORS)).equals(m.tensorsSha256())) {
            throw new DeltaException(file + ": tensors do not match the manifest's SHA-256 (tampered or corrupt)");
        }
        DeltaForm form = DeltaForm.find(m.formName());
        if (form == null) {
            throw new DeltaException(file + ": unknown delta form '" + m.formName() + "' (this reader knows "
                    + DeltaForm.names() + ")");
        }
        List<TensorFile.Tensor> t = DeltaEncoding.decode(e.get(TENSORS), form, file + "!" + TENSORS);
        if (t.size() != m.tensors()) {
            throw new DeltaException(file + ": manifest announces " + m.tensors() + " tensors, found " + t.size());
        }
        for (TensorFile.Tensor x : t) {
            int bad = x.firstNonFinite();
            if (bad >= 0) {
                throw new DeltaException(file + ": tensor " + x.name() + " holds " + x.data()[bad] + " at index " + bad);
            }
        }
        return new KnowledgeDelta(m, t);
    }

    /** A delta that cannot be used; the message says which file or tensor and why. */
    public static final class DeltaException extends Bundle.BundleException {
        public DeltaException(String message) {
            super(message);
        }
    }
}
