package org.diredi.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.model.Presets;
import org.diredi.messaging.Ed25519;
import org.diredi.onprem.OnPremConfig;
import org.diredi.onprem.OnpremBundle;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.Datasets;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.data.VocWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnpremBundlesTest {

    @TempDir
    Path dir;

    /** A fleet whose customer acme has real (weightless) checkpoints over tshirt and bag, and data with a boot too. */
    private FleetConfig fleet() throws Exception {
        FleetConfig fleet = EnrolmentTest.fleetIn(dir); // its model files are placeholders: replaced here
        List<String> classes = List.of("tshirt", "bag");
        Path tutor = dir.resolve("models/tutor.ckpt");
        Path edge = dir.resolve("models/edge.ckpt");
        Checkpoint.write(tutor, Manifest.builder("tutor", Presets.get("tiny/tutor"), classes).build(), List.of(), null);
        Checkpoint.write(edge, Manifest.builder("edge", Presets.get("tiny/edge"), classes).build(), List.of(), null);
        ClassList data = new ClassList(List.of("tshirt", "bag", "boot"));
        Path root = dir.resolve("data");
        VocWriter voc = new VocWriter(root, data);
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        voc.write("a", img, List.of(new VocObject(0, new Box(2, 2, 20, 20), false, false)));
        voc.write("b", img, List.of(new VocObject(1, new Box(4, 4, 28, 28), false, false)));
        voc.write("c", img, List.of(new VocObject(1, new Box(4, 4, 12, 12), false, false),
                new VocObject(2, new Box(14, 14, 30, 30), false, false)));
        voc.writeSplit("train", List.of("a", "b", "c"));
        data.write(root.resolve("classes.txt"));
        FleetConfig c = fleet.with(Map.of("presumedData", root.toString(),
                "models", Map.of("tutor", tutor.toString(), "edge", edge.toString(), "edgePreset", "tiny/edge")));
        new Enrolment(c, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .addCustomer("acme", c.models());
        return c;
    }

    @Test
    void theBundleHoldsTheCustomersModelsClassesAndOnlyImagesOfItsClasses() throws Exception {
        FleetConfig c = fleet();
        Path bundle = dir.resolve("acme.bundle");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        OnpremBundles.make(c, "acme", bundle, new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("2 presumed images"), printed.toString());

        Path out = dir.resolve("pc/manufacturer");
        OnpremBundle.Manifest m = OnpremBundle.unpack(bundle, out,
                Ed25519.readPublicKey(ManufacturerKeys.in(dir.resolve("keys")).publicKey()));
        assertEquals(List.of("tshirt", "bag"), m.classes());
        assertEquals(0, m.version());
        assertArrayEquals(Files.readAllBytes(dir.resolve("models/edge.ckpt")), Files.readAllBytes(out.resolve("edge.ckpt")));
        assertEquals(List.of("tshirt", "bag"), Checkpoint.read(out.resolve("tutor.ckpt")).classes().names());
        ClassList classes = ClassList.read(out.resolve(OnpremBundle.CLASSES));
        VocDataset presumed = Datasets.load(out.resolve(OnpremBundle.PRESUMED), "train", classes);
        assertEquals(List.of("a", "b"), presumed.images().stream().map(i -> i.id()).toList(), "the boot image left out");
        assertEquals(Map.of("tshirt", 1, "bag", 1), presumed.countsPerClass());
    }

    @Test
    void theOnpremConfigReadsTheUnpackedBundleAndItsFolderPinsTheKey() throws Exception {
        FleetConfig c = fleet();
        Enrolment.Enrolled o = new Enrolment(c, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).addOnprem("acme", null);
        OnPremConfig on = OnPremConfig.load(o.folder().resolve("onprem.yaml"));
        assertEquals(List.of("manufacturer/tutor.ckpt", "manufacturer/edge.ckpt", "manufacturer/classes.txt",
                "manufacturer/presumed"), List.of(on.tutor(), on.edgeModel(), on.classes(), on.presumedData()));
        assertArrayEquals(Files.readAllBytes(dir.resolve("keys").resolve(ManufacturerKeys.PUBLIC)),
                Files.readAllBytes(o.folder().resolve(ManufacturerKeys.PUBLIC)));
    }

    @Test
    void anUnknownCustomerOrAMissingKeyIsRefusedBeforeAnythingIsWritten() throws Exception {
        FleetConfig c = fleet();
        Path bundle = dir.resolve("x.bundle");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnpremBundles.make(c, "globex", bundle, quiet));
        assertTrue(e.getMessage().contains("unknown customer 'globex'"), e.getMessage());
        Files.delete(ManufacturerKeys.in(dir.resolve("keys")).privateKey());
        e = assertThrows(IllegalArgumentException.class, () -> OnpremBundles.make(c, "acme", bundle, quiet));
        assertTrue(e.getMessage().contains("the signing key is missing"), e.getMessage());
        assertFalse(Files.exists(bundle));
    }
}
