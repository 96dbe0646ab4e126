package org.diredi.cli;

import ai.djl.engine.Engine;
import java.util.List;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.vision.data.VocDataset;

/** Small helpers shared by the commands that train. */
final class Runs {

    private Runs() {}

    /** Seeds libtorch so initial weights are reproducible. */
    static void seed(long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
    }

    static Manifest.DataInfo dataInfo(VocDataset ds, List<String> subset) {
        return new Manifest.DataInfo(ds.root().toAbsolutePath().toString(), ds.split(), subset, ds.size(),
                ds.objectCount());
    }
}
