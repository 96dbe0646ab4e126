package org.diredi.core.delta;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.diredi.core.checkpoint.TensorFile;

/**
 * Merges the knowledge deltas of several customers made against one base tutor into one delta, which the
 * manufacturer then applies (Eq. 10) and verifies once. This is only the policy (like a federated-learning
 * strategy): which deltas arrive and who is answered is the cloud's business.
 *
 * <ul>
 *   <li>{@link Strategy#WEIGHTED}: {@code dW = sum_i w_i dW_i / sum_i w_i} over every tensor.</li>
 *   <li>{@link Strategy#PER_CLASS}: the same, except the rows of the class-logit convolution (FcosHead's
 *       {@code clsLogits}: one output channel per class) of a class some customers ADDED, which are the weighted
 *       mean of only those customers' rows: a customer without that class's data taught its row nothing but
 *       "background", and averaging it in would dilute the new class by the share of the others.</li>
 * </ul>
 */
public final class DeltaMerge {

    /** The suffixes of FcosHead's class-logit convolution tensors, whose first dimension is the class. */
    static final List<String> CLASS_ROWS = List.of("clsLogits_weight", "clsLogits_bias");

    /** How the deltas are combined. */
    public enum Strategy {
        WEIGHTED("weighted"), PER_CLASS("perClass");

        private final String key;

        Strategy(String key) {
            this.key = key;
        }

        /** {@code weighted} or {@code perClass}, as in cloud.yaml and on the command line. */
        public static Strategy of(String key) {
            return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("merge strategy must be weighted or perClass, got '" + key + "'"));
        }

        @Override
        public String toString() {
            return key;
        }
    }

    /**
     * What a delta weighs: the private data it learned from, RD A's count minus RD B's (RD A sees the presumed data
     * plus the private data, RD B the presumed data only). {@code images} is the default because it is always the
     * number of private images; the objects difference also loses the objects of a removed class (unlabelled in RD
     * A's presumed images), so a removal-only delta can weigh zero or less, and is refused then. {@code equal} weighs
     * every delta 1, for deltas without data counts.
     */
    public enum Weight {
        IMAGES, OBJECTS, EQUAL;

        /** {@code images}, {@code objects} or {@code equal}. */
        public static Weight of(String key) {
            try {
                return valueOf(key.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("merge weight must be images, objects or equal, got '" + key + "'");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A strategy and what each delta weighs. */
    public record Settings(Strategy strategy, Weight weight) {
        public static final Settings DEFAULTS = new Settings(Strategy.WEIGHTED, Weight.IMAGES);
    }

    /**
     * One delta to merge.
     *
     * @param id    what names it in errors and in the merged provenance: a file name or a transfer id
     * @param delta the delta
     */
    public record Source(String id, KnowledgeDelta delta) {
        /** Reads a delta file; its id is the file's path. */
        public static Source read(Path file) {
            return new Source(file.toString(), KnowledgeDelta.read(file));
        }
    }

    /** The merged delta before it is written: its manifest (size, norm, hash filled in by the write) and tensors. */
    public record Merged(DeltaManifest manifest, List<TensorFile.Tensor> tensors) {
        /** Writes it atomically ({@link KnowledgeDelta#write}); float16 only when every source was. */
        public KnowledgeDelta write(Path out) throws IOException {
            return KnowledgeDelta.write(out, manifest, tensors, "float16".equals(manifest.dtype()));
        }
    }

    private DeltaMerge() {}

    /**
     * Merges {@code sources} (at least two); refuses, naming the delta files or ids, deltas against different base
     * tutors, with different class lists or tensor names or shapes, and a weight that is not positive.
     */
    public static Merged merge(List<Source> sources, Settings s) {
        if (sources.size() < 2) {
            throw new IllegalArgumentException("merging needs at least two deltas, got " + sources.size());
        }
        requireCompatible(sources);
        double[] w = new double[sources.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = weight(sources.get(i), s.weight());
        }
        List<String> classes = sources.get(0).delta().manifest().classes();
        List<Map<String, TensorFile.Tensor>> byName = sources.stream()
                .map(x -> TensorFile.byName(x.delta().tensors())).toList();
        List<TensorFile.Tensor> out = new ArrayList<>();
        for (TensorFile.Tensor t : sources.get(0).delta().tensors()) {
            List<float[]> values = byName.stream().map(m -> m.get(t.name()).data()).toList();
            float[] merged = mean(values, w, all(w.length));
            if (s.strategy() == Strategy.PER_CLASS && isClassRows(t.name())) {
                addedClassRows(t, classes, sources, values, w, merged);
            }
            out.add(new TensorFile.Tensor(t.name(), t.shape(), merged));
        }
        return new Merged(manifest(sources, s, w), out);
    }

    /** What {@code source} weighs under {@code weight}: its private images or objects (RD A - RD B), or 1. */
    public static double weight(Source source, Weight weight) {
        if (weight == Weight.EQUAL) {
            return 1;
        }
        Map<String, Map<String, Integer>> c = source.delta().manifest().dataCounts();
        String key = weight.toString();
        // ReverseDistillation writes rdA / rdB; `diredi delta create` the tutors' training data, tutor2 / tutor1
        Map<String, Integer> a = c == null ? null : c.containsKey("rdA") ? c.get("rdA") : c.get("tutor2");
        Map<String, Integer> b = c == null ? null : c.containsKey("rdB") ? c.get("rdB") : c.get("tutor1");
        if (a == null || b == null || a.get(key) == null || b.get(key) == null) {
            throw new KnowledgeDelta.DeltaException(source.id() + ": no " + key + " counts of RD A and RD B in its"
                    + " manifest's dataCounts, so its private data cannot weigh it (merge weight: equal does not ask)");
        }
        double w = a.get(key) - b.get(key);
        if (!(w > 0)) {
            throw new KnowledgeDelta.DeltaException(source.id() + ": its private " + key + " (RD A - RD B) number " + w
                    + ", so it weighs nothing in a merge by " + key);
        }
        return w;
    }

    private static void requireCompatible(List<Source> sources) {
        Source first = sources.get(0);
        DeltaManifest m0 = first.delta().manifest();
        Map<String, TensorFile.Tensor> t0 = TensorFile.byName(first.delta().tensors());
        for (Source x : sources.subList(1, sources.size())) {
            DeltaManifest m = x.delta().manifest();
            String pair = first.id() + " and " + x.id();
            if (!m0.baseTutorSha256().equals(m.baseTutorSha256())) {
                throw new KnowledgeDelta.DeltaException(pair + " were made against different base tutors ("
                        + m0.baseTutorId() + ", " + m.baseTutorId() + "): only deltas of one tutor can be merged");
            }
            if (!m0.classes().equals(m.classes())) {
                throw new KnowledgeDelta.DeltaException(pair + " have different class lists (" + m0.classes() + ", "
                        + m.classes() + ")");
            }
            Map<String, TensorFile.Tensor> t = TensorFile.byName(x.delta().tensors());
            if (!t.keySet().equals(t0.keySet())) {
                throw new KnowledgeDelta.DeltaException(pair + " hold different tensors (" + t0.size() + " and "
                        + t.size() + " named; e.g. " + firstDifference(t0.keySet(), t.keySet()) + ")");
            }
            for (TensorFile.Tensor a : t0.values()) {
                if (!Arrays.equals(a.shape(), t.get(a.name()).shape())) {
                    throw new KnowledgeDelta.DeltaException(pair + " differ in the shape of " + a.name() + " ("
                            + Arrays.toString(a.shape()) + ", " + Arrays.toString(t.get(a.name()).shape()) + ")");
                }
            }
        }
    }

    private static String firstDifference(java.util.Set<String> a, java.util.Set<String> b) {
        return a.stream().filter(n -> !b.contains(n)).findFirst()
                .orElseGet(() -> b.stream().filter(n -> !a.contains(n)).findFirst().orElse("?"));
    }

    static boolean isClassRows(String name) {
        return CLASS_ROWS.stream().anyMatch(name::endsWith);
    }

    /** PER_CLASS: each added class's rows of {@code t} become the weighted mean of the customers that added it. */
    private static void addedClassRows(TensorFile.Tensor t, List<String> classes, List<Source> sources,
                                       List<float[]> values, double[] w, float[] merged) {
        if (t.shape().length == 0 || t.shape()[0] != classes.size()) {
            throw new KnowledgeDelta.DeltaException(t.name() + " has shape " + Arrays.toString(t.shape())
                    + ": its first dimension should be the " + classes.size() + " classes");
        }
        int row = merged.length / classes.size();
        for (String added : union(sources, true)) {
            boolean[] members = new boolean[sources.size()];
            for (int i = 0; i < members.length; i++) {
                members[i] = sources.get(i).delta().manifest().classesAdded().contains(added);
            }
            int c = classes.indexOf(added);
            if (c < 0) {
                throw new KnowledgeDelta.DeltaException("added class '" + added + "' is not in the class list");
            }
            List<float[]> rows = values.stream().map(v -> Arrays.copyOfRange(v, c * row, (c + 1) * row)).toList();
            System.arraycopy(mean(rows, w, members), 0, merged, c * row, row);
        }
    }

    /** {@code sum w_i v_i / sum w_i} over the members. */
    static float[] mean(List<float[]> values, double[] w, boolean[] members) {
        double total = 0;
        for (int i = 0; i < w.length; i++) {
            total += members[i] ? w[i] : 0;
        }
        float[] out = new float[values.get(0).length];
        for (int k = 0; k < out.length; k++) {
            double s = 0;
            for (int i = 0; i < w.length; i++) {
                s += members[i] ? w[i] * values.get(i)[k] : 0;
            }
            out[k] = (float) (s / total);
        }
        return out;
    }

    private static boolean[] all(int n) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, true);
        return b;
    }

    private static List<String> union(List<Source> sources, boolean added) {
        LinkedHashSet<String> u = new LinkedHashSet<>();
        sources.forEach(s -> u.addAll(added ? s.delta().manifest().classesAdded() : s.delta().manifest().classesRemoved()));
        return List.copyOf(u);
    }

    /** The union of added and removed classes, the summed counts, and the sources in the provenance. */
    private static DeltaManifest manifest(List<Source> sources, Settings s, double[] w) {
        DeltaManifest m0 = sources.get(0).delta().manifest();
        Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
        double gamma = 0;
        double total = Arrays.stream(w).sum();
        for (int i = 0; i < w.length; i++) {
            DeltaManifest m = sources.get(i).delta().manifest();
            gamma += w[i] * m.gamma() / total; // only a record of Eq. 9: Eq. 10 adds the merged dW whatever it was
            if (m.dataCounts() != null) {
                m.dataCounts().forEach((run, c) -> c.forEach((k, v) ->
                        counts.computeIfAbsent(run, r -> new LinkedHashMap<>()).merge(k, v, Integer::sum)));
            }
        }
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("mergedFrom", joined(sources, x -> x.id()));
        prov.put("mergedTensorsSha256", joined(sources, x -> x.delta().manifest().tensorsSha256()));
        prov.put("mergeStrategy", s.strategy().toString());
        prov.put("mergeWeights", s.weight() + " " + Arrays.stream(w).mapToObj(x -> String.format(Locale.ROOT, "%.0f", x))
                .collect(Collectors.joining(",")));
        String customers = joined(sources, x -> x.delta().manifest().provenance() == null ? ""
                : x.delta().manifest().provenance().getOrDefault("customer", ""));
        if (!customers.replace(",", "").isEmpty()) {
            prov.put("customers", customers);
        }
        boolean fp16 = sources.stream().allMatch(x -> "float16".equals(x.delta().manifest().dtype()));
        return new DeltaManifest(null, null, m0.baseTutorId(), m0.baseTutorSha256(), m0.classes(), union(sources, true),
                union(sources, false), gamma, m0.parts(), fp16 ? "float16" : "float32", counts, 0, 0, 0, null, prov);
    }

    private static String joined(List<Source> sources, java.util.function.Function<Source, String> f) {
        return sources.stream().map(f).collect(Collectors.joining(","));
    }
}
