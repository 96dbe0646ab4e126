package org.diredi.onprem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.diredi.core.TestData;
import org.diredi.core.stage.Stages;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RD A trains on what the customer wants: a removed class is unlabelled in both halves of its data. */
class RdADataTest {

    @Test
    void aRemovedClassIsUnlabelledInThePresumedHalfAndAnAddedOneKept(@TempDir Path dir) {
        VocDataset all = TestData.scenes(dir, 40);
        List<String> names = Stages.labelledClasses(all);
        String removed = names.get(0);
        String added = names.get(names.size() - 1);
        List<String> presumedClasses = names.subList(0, names.size() - 1);
        VocDataset presumed = VocDataset.of(all.root(), "train", all.classes(), all.images().subList(0, 20))
                .withoutImagesOf(List.of(added)).restrictTo(presumedClasses);
        List<String> update = new java.util.ArrayList<>(presumedClasses.subList(1, presumedClasses.size()));
        update.add(added);
        VocDataset privateData = VocDataset.of(all.root(), "train", all.classes(), all.images().subList(20, 40))
                .restrictTo(update);
        assertTrue(Stages.labelledClasses(presumed).contains(removed), "the presumed data labels " + removed);

        VocDataset a = ReverseDistillation.rdAData(presumed, privateData, List.of(removed), all.classes());
        assertEquals(presumed.size() + privateData.size(), a.size(), "every image of both halves");
        assertTrue(!Stages.labelledClasses(a).contains(removed), removed + " is still labelled");
        assertTrue(Stages.labelledClasses(a).contains(added), added + " lost");
        // with nothing removed, the presumed half is unchanged
        VocDataset b = ReverseDistillation.rdAData(presumed, privateData, List.of(), all.classes());
        assertEquals(presumed.objectCount() + privateData.objectCount(), b.objectCount());
    }
}
