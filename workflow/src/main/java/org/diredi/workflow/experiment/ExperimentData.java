package org.diredi.workflow.experiment;

import java.nio.file.Path;
import org.diredi.cloud.update.ManufacturerUpdate;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.scenes.FashionScenes;
import org.diredi.vision.scenes.SceneDomain;

/**
 * The data plan of {@link ExperimentSpec}: the training split cut by image order into the
 * manufacturer's part and the customer's private part (share {@code customerShare}), and the
 * validation and test splits.
 */
public record ExperimentData(ClassList classes, VocDataset manufacturer, VocDataset customer, VocDataset validation,
                             VocDataset test) {

    /**
     * Loads the spec's data (generating the scenes of the spec's domain there first if the folder has
     * none) and checks that it knows every class the spec names.
     */
    public static ExperimentData load(ExperimentSpec spec) {
        Path data = Path.of(spec.data());
        FashionScenes.ensure(data, SceneDomain.parse(spec.domain()));
        ClassList classes = ClassList.read(data.resolve("classes.txt"));
        classes.ids(spec.presumed());
        classes.ids(spec.added());
        classes.ids(spec.unseen());
        VocDataset train = VocDataset.load(data, "train", classes);
        int cut = (int) Math.round(train.size() * (1 - spec.customerShare()));
        return new ExperimentData(classes,
                VocDataset.of(data, "train", classes, train.images().subList(0, cut)),
                VocDataset.of(data, "train", classes, train.images().subList(cut, train.size())),
                VocDataset.load(data, spec.validationSplit(), classes),
                VocDataset.load(data, spec.testSplit(), classes));
    }

    /**
     * The manufacturer's presumed data: its part without any image that shows an unseen class (so the
     * added classes are absent, not unlabelled background; {@link VocDataset#withoutImagesOf}), labelled
     * with the presumed classes.
     */
    public VocDataset presumed(ExperimentSpec spec) {
        return manufacturer.withoutImagesOf(spec.unseen()).restrictTo(spec.presumed());
    }

    /** The customer's private data, labelled with the classes the update covers. */
    public VocDataset privateData(ExperimentSpec spec) {
        return customer.restrictTo(spec.updateClasses());
    }

    /**
     * The manufacturer's own data for the update (the gate's validation split and its training part) as the
     * spec's {@code addedClassKnowledge} leaves them; the test split is not among them.
     */
    public ManufacturerUpdate.OwnData ownData(ExperimentSpec spec) {
        return ManufacturerUpdate.OwnData.of(validation, manufacturer, spec.updateClasses(), spec.added(),
                spec.addedClassKnowledge());
    }

    /** The manufacturer's own data labelled with the update's classes it knows (the direct-training baseline's). */
    public VocDataset ownUpdate(ExperimentSpec spec) {
        return ownData(spec).updateTrain();
    }
}
