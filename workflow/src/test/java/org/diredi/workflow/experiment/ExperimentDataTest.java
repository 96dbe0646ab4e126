package org.diredi.workflow.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.scenes.FashionScenes;
import org.diredi.vision.scenes.FashionScenesConfig;
import org.diredi.vision.scenes.SceneDomain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spec's {@code domain}: which scenes its data holds, so an experiment runs on ShapeScenes as on FashionScenes. */
class ExperimentDataTest {

    @TempDir
    Path tmp;

    @Test
    void aShapesSpecLoadsShapeScenesAndCutsThePresumedDataAsOnFashion() throws Exception {
        Path data = tmp.resolve("shapes");
        FashionScenes.generate(SceneDomain.SHAPES, FashionScenesConfig.DEFAULT.withImageSize(64)
                .withObjectSize(16, 32).withImages(40, 4, 4), data);
        Path f = tmp.resolve("spec.yaml");
        Files.writeString(f, String.join("\n", "name: s", "data: " + data, "domain: shapes",
                "presumed: [star, ring, triangle, cross, heart]", "added: [key]", "unseen: [key, bolt]", ""));
        ExperimentSpec spec = ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
        assertEquals("shapes", spec.domain());
        ExperimentData d = ExperimentData.load(spec);
        assertEquals(ClassList.SHAPES, d.classes());
        assertEquals(40, d.manufacturer().size() + d.customer().size());
        VocDataset presumed = d.presumed(spec);
        assertTrue(presumed.size() > 0 && presumed.size() < d.manufacturer().size(), "no image left out");
        List<Integer> kept = ClassList.SHAPES.ids(spec.presumed());
        presumed.images().forEach(i -> i.objects().forEach(o -> assertTrue(kept.contains(o.classId()), i.id())));
        for (VocDataset part : List.of(d.manufacturer(), d.customer())) {
            assertTrue(part.images().stream().allMatch(i -> i.id().startsWith("train_")));
        }
    }

    @Test
    void theDomainDefaultsToFashionAndAnUnknownOneIsRefusedNamingTheFile() throws Exception {
        Path f = tmp.resolve("spec.yaml");
        Files.writeString(f, "name: a\nadded: [boot]\n");
        assertEquals("fashion", ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS).domain());
        Files.writeString(f, "name: a\nadded: [boot]\ndomain: cubes\n");
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigFiles.load(f, ExperimentSpec.class, ExperimentSpec.DEFAULTS));
        String msg = e.getMessage() + (e.getCause() == null ? "" : e.getCause().getMessage());
        assertTrue(msg.contains("spec.yaml") && msg.contains("'cubes'") && msg.contains("shapes"), msg);
    }
}
