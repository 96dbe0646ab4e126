package org.diredi.onprem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.core.TestData;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.DetectorTrainer;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With equal steps, RD B takes as many optimiser steps as RD A over its smaller data; without, the same epochs. */
class RdEqualStepsTest {

    @Test
    void epochsForStepsMatchesTheReferenceStepCount() {
        TrainConfig t = TrainConfig.DEFAULTS.withEpochs(12).withBatchSize(16);
        // ShapeScenes Experiment 1: RD A 1591 images (100 batches), RD B 591 (37 batches): 1200 / 37 = 32.4
        assertEquals(32, ReverseDistillation.epochsForSteps(t, 1591, 591));
        assertEquals(12, ReverseDistillation.epochsForSteps(t, 591, 591));
        // a larger set than the reference still trains at least one epoch
        assertEquals(1, ReverseDistillation.epochsForSteps(t.withEpochs(1), 16, 1000));
    }

    @Test
    void rdBTakesRdAsStepsOnlyWhenAsked(@TempDir Path dir) throws Exception {
        VocDataset all = TestData.scenes(dir.resolve("data"), 16);
        List<String> names = Stages.labelledClasses(all);
        String added = names.get(names.size() - 1);
        List<String> presumedClasses = names.subList(0, names.size() - 1);
        VocDataset presumed = VocDataset.of(all.root(), "train", all.classes(), all.images().subList(0, 8))
                .restrictTo(presumedClasses);
        VocDataset privateData = VocDataset.of(all.root(), "train", all.classes(), all.images().subList(8, 16));
        Map<String, Path> models = TestData.tinyTutorAndEdge(dir.resolve("m"), presumed);
        ReverseDistillation.Settings same = new ReverseDistillation.Settings(
                TrainConfig.DEFAULTS.withEpochs(1).withBatchSize(4), 1f, 1f, 1.0, false, FgdConfig.DEFAULTS);

        for (boolean equal : new boolean[] {false, true}) {
            Path run = dir.resolve("rd-" + equal);
            ReverseDistillation.Outcome o = ReverseDistillation.run(models.get("edge"), models.get("tutor"),
                    Presets.get("tiny/tutor"), ClassList.FASHION, presumed, privateData, List.of(added), List.of(),
                    same.withEqualSteps(equal), run, Map.of());
            List<DetectorTrainer.EpochRecord> rdB = DetectorTrainer.readHistory(o.tutor1().getParent());
            List<DetectorTrainer.EpochRecord> rdA = DetectorTrainer.readHistory(o.tutor2().getParent());
            // RD A: 16 images at batch 4, one epoch = 4 steps; RD B: 8 images = 2 steps an epoch
            assertEquals(4, rdA.get(rdA.size() - 1).step(), "RD A's steps");
            assertEquals(equal ? 2 : 1, rdB.size(), "RD B's epochs, equal steps " + equal);
            assertEquals(equal ? 4 : 2, rdB.get(rdB.size() - 1).step(), "RD B's steps, equal steps " + equal);
        }
    }
}
