package org.diredi.bench.workers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.diredi.core.model.Presets;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.onprem.OnPremConfig;
import org.diredi.onprem.OnPremTrainer;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.scenes.FashionScenes;
import org.diredi.vision.scenes.FashionScenesConfig;
import org.diredi.vision.data.VocDataset;

/**
 * What the cloud-workers runs decide: tiny FashionScenes (96 px, 8 training images), a tiny tutor and edge
 * model (one epoch each) and one knowledge delta of reverse distillation (one epoch) that adds the class
 * with the most validation objects. Small so that a delta's full path (Eq. 10, gate, Distill C, export,
 * signing) takes seconds; cached in its folder.
 *
 * @param added the class the delta adds
 */
public record WorkersFixture(Path data, Path tutor, Path edge, Path delta, String added) {

    /** Makes (or finds) the fixture in {@code dir}. */
    public static WorkersFixture make(Path dir, PrintStream out) throws IOException {
        Path data = dir.resolve("data");
        if (!java.nio.file.Files.isDirectory(data.resolve("ImageSets"))) {
            FashionScenes.generate(FashionScenesConfig.DEFAULT.withImageSize(96).withImages(8, 2, 2).withObjects(1, 2)
                .withObjectSize(28, 44).withSeed(3), data);
        }
        VocDataset train = VocDataset.load(data, "train", ClassList.FASHION);
        String added = addedClass(data, train);
        List<String> presumed = classesOf(train).stream().filter(c -> !c.equals(added)).sorted().toList();
        VocDataset presumedData = train.restrictTo(presumed);
        TrainConfig one = TrainConfig.DEFAULTS.withEpochs(1).withBatchSize(4);
        Path tutor = Stages.run(Stages.Stage.direct("tutor", Presets.get("tiny/tutor"), one, presumedData),
                ClassList.FASHION, dir.resolve("tutor")).checkpoint();
        Path edge = Stages.run(Stages.Stage.direct("edge", Presets.get("tiny/edge"), one, presumedData),
                ClassList.FASHION, dir.resolve("edge")).checkpoint();
        OnPremConfig onprem = OnPremConfig.DEFAULTS.with(Map.ofEntries(Map.entry("customer", "c0"),
                Map.entry("presumedData", data.toString()), Map.entry("presumed", presumed),
                Map.entry("privateData", data.toString()), Map.entry("added", List.of(added)),
                Map.entry("edgeModel", edge.toString()), Map.entry("tutor", tutor.toString()),
                Map.entry("tutorPreset", "tiny/tutor"), Map.entry("workDir", dir.resolve("onprem").toString()),
                Map.entry("epochs", 1), Map.entry("beta", 0.1f)));
        Path delta = new OnPremTrainer(onprem, out).train().delta();
        return new WorkersFixture(data, tutor, edge, delta, added);
    }

    /** The most frequent class that the validation split shows too (the gate verifies its gain there). */
    private static String addedClass(Path data, VocDataset train) {
        Set<String> inVal = classesOf(VocDataset.load(data, "val", ClassList.FASHION));
        Map<String, Integer> freq = new TreeMap<>();
        train.images().forEach(i -> i.objects().forEach(o -> freq.merge(ClassList.FASHION.name(o.classId()), 1,
                Integer::sum)));
        return freq.entrySet().stream().filter(e -> inVal.contains(e.getKey())).max(Map.Entry.comparingByValue())
                .orElseThrow().getKey();
    }

    private static Set<String> classesOf(VocDataset d) {
        Set<String> s = new HashSet<>();
        d.images().forEach(i -> i.objects().forEach(o -> s.add(ClassList.FASHION.name(o.classId()))));
        return s;
    }
}
