package org.diredi.core.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.TensorFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merge arithmetic on hand-made tensors, the refusals, and the merged manifest. */
class DeltaMergeTest {

    @TempDir
    Path dir;

    static final List<String> CLASSES = List.of("a", "b", "c");
    static final String W = "03head_03clsLogits_weight";
    static final String B = "03head_03clsLogits_bias";
    static final String NECK = "02neck_00lateral_weight";

    /** A delta of 3 classes: a neck tensor of 2 values, class-logit weight rows of 2 values and a bias. */
    static DeltaMerge.Source delta(String id, String base, List<String> added, List<String> removed, int rdA, int rdB,
                                   float neck, float[] clsW, float[] clsB) {
        DeltaManifest m = new DeltaManifest(DeltaManifest.FORMAT, "now", base, base + "-sha", CLASSES, added, removed,
                1.0, "neck+head", "float32", Map.of("rdA", Map.of("images", rdA, "objects", rdA * 2),
                "rdB", Map.of("images", rdB, "objects", rdB * 2 + 50)), 3, 10, 1, id + "-tensors",
                Map.of("customer", id));
        return new DeltaMerge.Source(id + ".delta", new KnowledgeDelta(m, List.of(
                new TensorFile.Tensor(NECK, new long[] {2}, new float[] {neck, -neck}),
                new TensorFile.Tensor(W, new long[] {3, 2}, clsW),
                new TensorFile.Tensor(B, new long[] {3}, clsB))));
    }

    // acme: 30 private images (40 - 10), adds c; globex: 10 (20 - 10), adds nothing
    static DeltaMerge.Source acme() {
        return delta("acme", "t0", List.of("c"), List.of(), 40, 10, 4,
                new float[] {1, 1, 2, 2, 8, 8}, new float[] {1, 2, 8});
    }

    static DeltaMerge.Source globex() {
        return delta("globex", "t0", List.of(), List.of("a"), 20, 10, 0,
                new float[] {5, 5, 6, 6, -8, -8}, new float[] {5, 6, -8});
    }

    static float[] tensor(DeltaMerge.Merged m, String name) {
        return TensorFile.byName(m.tensors()).get(name).data();
    }

    @Test
    void weightedIsTheMeanWeightedByPrivateImages() {
        DeltaMerge.Merged m = DeltaMerge.merge(List.of(acme(), globex()), DeltaMerge.Settings.DEFAULTS);
        // weights 30 and 10: (30 * x + 10 * y) / 40
        assertArrayEquals(new float[] {3, -3}, tensor(m, NECK), 1e-6f);
        assertArrayEquals(new float[] {2, 2, 3, 3, 4, 4}, tensor(m, W), 1e-6f);
        assertArrayEquals(new float[] {2, 3, 4}, tensor(m, B), 1e-6f);
    }

    @Test
    void perClassTakesAnAddedClassesRowsOnlyFromTheCustomersThatAddedIt() {
        DeltaMerge.Merged m = DeltaMerge.merge(List.of(acme(), globex()),
                new DeltaMerge.Settings(DeltaMerge.Strategy.PER_CLASS, DeltaMerge.Weight.IMAGES));
        assertArrayEquals(new float[] {3, -3}, tensor(m, NECK), 1e-6f, "not a class row: the mean of all");
        // rows a and b: the weighted mean of both; row c (added by acme only): acme's
        assertArrayEquals(new float[] {2, 2, 3, 3, 8, 8}, tensor(m, W), 1e-6f);
        assertArrayEquals(new float[] {2, 3, 8}, tensor(m, B), 1e-6f);
    }

    @Test
    void perClassAveragesAnAddedClassOverEveryCustomerThatAddedItByWeight() {
        DeltaMerge.Source initech = delta("initech", "t0", List.of("c"), List.of(), 20, 10, 0,
                new float[] {0, 0, 0, 0, 4, 4}, new float[] {0, 0, 4});
        DeltaMerge.Merged m = DeltaMerge.merge(List.of(acme(), globex(), initech),
                new DeltaMerge.Settings(DeltaMerge.Strategy.PER_CLASS, DeltaMerge.Weight.IMAGES));
        // c: (30 * 8 + 10 * 4) / 40 = 7, globex left out; a: (30 * 1 + 10 * 5 + 10 * 0) / 50 = 1.6
        assertArrayEquals(new float[] {1.6f, 7}, new float[] {tensor(m, B)[0], tensor(m, B)[2]}, 1e-6f);
        assertArrayEquals(new float[] {7, 7}, new float[] {tensor(m, W)[4], tensor(m, W)[5]}, 1e-6f);
    }

    @Test
    void theWeightIsConfigurable() {
        DeltaMerge.Merged equal = DeltaMerge.merge(List.of(acme(), globex()),
                new DeltaMerge.Settings(DeltaMerge.Strategy.WEIGHTED, DeltaMerge.Weight.EQUAL));
        assertArrayEquals(new float[] {2, -2}, tensor(equal, NECK), 1e-6f);
        // by objects: acme 80 - 70 = 10, globex 40 - 70 < 0 (it removed a class): refused, naming it
        DeltaMerge.Settings byObjects = new DeltaMerge.Settings(DeltaMerge.Strategy.WEIGHTED, DeltaMerge.Weight.OBJECTS);
        assertEquals(10, DeltaMerge.weight(acme(), DeltaMerge.Weight.OBJECTS));
        KnowledgeDelta.DeltaException e = assertThrows(KnowledgeDelta.DeltaException.class,
                () -> DeltaMerge.merge(List.of(acme(), globex()), byObjects));
        assertTrue(e.getMessage().startsWith("globex.delta"), e.getMessage());
    }

    @Test
    void deltasOfDifferentBasesClassesOrShapesAreRefusedNamingTheFiles() {
        DeltaMerge.Source other = delta("other", "t1", List.of(), List.of(), 20, 10, 0,
                new float[6], new float[3]);
        String e = assertThrows(KnowledgeDelta.DeltaException.class,
                () -> DeltaMerge.merge(List.of(acme(), other), DeltaMerge.Settings.DEFAULTS)).getMessage();
        assertTrue(e.contains("acme.delta and other.delta") && e.contains("different base tutors"), e);

        DeltaManifest m = globex().delta().manifest();
        DeltaMerge.Source classes = new DeltaMerge.Source("classes.delta", new KnowledgeDelta(new DeltaManifest(
                m.format(), m.created(), m.baseTutorId(), m.baseTutorSha256(), List.of("a", "b", "d"), m.classesAdded(),
                m.classesRemoved(), 1, m.parts(), m.dtype(), m.dataCounts(), 3, 10, 1, "x", Map.of()),
                globex().delta().tensors()));
        e = assertThrows(KnowledgeDelta.DeltaException.class,
                () -> DeltaMerge.merge(List.of(acme(), classes), DeltaMerge.Settings.DEFAULTS)).getMessage();
        assertTrue(e.contains("classes.delta") && e.contains("different class lists"), e);

        List<TensorFile.Tensor> t = new java.util.ArrayList<>(globex().delta().tensors());
        t.set(0, new TensorFile.Tensor(NECK, new long[] {1, 2}, new float[] {0, 0}));
        DeltaMerge.Source shape = new DeltaMerge.Source("shape.delta", new KnowledgeDelta(m, t));
        e = assertThrows(KnowledgeDelta.DeltaException.class,
                () -> DeltaMerge.merge(List.of(acme(), shape), DeltaMerge.Settings.DEFAULTS)).getMessage();
        assertTrue(e.contains("shape.delta") && e.contains(NECK), e);

        t.set(0, new TensorFile.Tensor("02neck_99other_weight", new long[] {2}, new float[] {0, 0}));
        DeltaMerge.Source names = new DeltaMerge.Source("names.delta", new KnowledgeDelta(m, t));
        e = assertThrows(KnowledgeDelta.DeltaException.class,
                () -> DeltaMerge.merge(List.of(acme(), names), DeltaMerge.Settings.DEFAULTS)).getMessage();
        assertTrue(e.contains("names.delta") && e.contains("different tensors"), e);
        assertThrows(IllegalArgumentException.class, () -> DeltaMerge.merge(List.of(acme()),
                DeltaMerge.Settings.DEFAULTS));
    }

    @Test
    void theMergedManifestListsTheUnionOfClassesSummedCountsAndItsSourcesAndIsWrittenWhole() throws Exception {
        DeltaMerge.Merged m = DeltaMerge.merge(List.of(acme(), globex()),
                new DeltaMerge.Settings(DeltaMerge.Strategy.PER_CLASS, DeltaMerge.Weight.IMAGES));
        Path out = dir.resolve("merged.delta");
        m.write(out);
        KnowledgeDelta back = KnowledgeDelta.read(out);
        DeltaManifest mm = back.manifest();
        assertEquals(List.of("c"), mm.classesAdded());
        assertEquals(List.of("a"), mm.classesRemoved());
        assertEquals("t0-sha", mm.baseTutorSha256());
        assertEquals(Map.of("images", 60, "objects", 120), mm.dataCounts().get("rdA"));
        assertEquals(Map.of("images", 20, "objects", 140), mm.dataCounts().get("rdB"));
        assertEquals("acme.delta,globex.delta", mm.provenance().get("mergedFrom"));
        assertEquals("acme-tensors,globex-tensors", mm.provenance().get("mergedTensorsSha256"));
        assertEquals("perClass", mm.provenance().get("mergeStrategy"));
        assertEquals("images 30,10", mm.provenance().get("mergeWeights"));
        assertEquals("acme,globex", mm.provenance().get("customers"));
        assertArrayEquals(tensor(m, B), TensorFile.byName(back.tensors()).get(B).data());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList(), "nothing but the finished file is left");
        }
    }
}
