package org.diredi.fleet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.registry.FleetRegistry;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.messaging.Ed25519;
import org.diredi.onprem.OnpremBundle;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.Datasets;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocWriter;

/**
 * {@code diredi fleet bundle-onprem C}: what a customer's PC needs for reverse distillation, as the
 * registry has it now (the customer's current tutor and deployed edge model, its class list) plus the
 * presumed data (the manufacturer's data showing only the customer's classes), signed as one
 * {@link OnpremBundle}.
 */
public final class OnpremBundles {

    private OnpremBundles() {}

    /** Writes {@code customer}'s bundle to {@code out} (atomically); every check comes before the writing. */
    public static OnpremBundle.Manifest make(FleetConfig config, String customer, Path out, PrintStream log)
            throws IOException {
        CloudConfig.Customer c = customer(new FleetRegistry(Path.of(config.registry())), customer);
        ManufacturerKeys keys = ManufacturerKeys.in(Path.of(config.keys()));
        keys.requirePublic();
        if (!Files.isRegularFile(keys.privateKey())) {
            throw new IllegalArgumentException(keys.privateKey() + ": the signing key is missing (fleet.yaml keys)");
        }
        ClassList classes = Checkpoint.read(Path.of(c.edge())).classes();
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(OnpremBundle.TUTOR, Files.readAllBytes(Checkpoint.read(Path.of(c.tutor())).file()));
        files.put(OnpremBundle.EDGE, Files.readAllBytes(Path.of(c.edge())));
        files.put(OnpremBundle.CLASSES, lines(classes.names()));
        int images = presumed(Path.of(config.presumedData()), classes, files);
        OnpremBundle.Manifest m = OnpremBundle.write(out, customer, c.version(), classes.names(), files,
                Ed25519.readPrivateKey(keys.privateKey()), Ed25519.readPublicKey(keys.publicKey()));
        log.printf("fleet: %s: the on-prem bundle of %s (version %d: tutor, edge model, %d presumed images of %s,"
                + " class list), signed by key %s%n", out, customer, c.version(), images, classes.names(), keys.keyId());
        log.printf("fleet: copy it to %s's PC and run there: diredi onprem unpack --bundle FILE --out manufacturer%n",
                customer);
        return m;
    }

    private static CloudConfig.Customer customer(FleetRegistry registry, String customer) {
        CloudConfig.Customer c = registry.read().customers().get(customer);
        if (c == null) {
            throw new IllegalArgumentException(registry.file() + ": unknown customer '" + customer
                    + "'; add it first: diredi fleet add-customer " + customer);
        }
        return c;
    }

    /**
     * The presumed data into {@code files} as a VOC folder: the images of {@code data}'s train split that
     * show only the customer's classes (an image showing another class would teach reverse distillation
     * that class is background).
     */
    private static int presumed(Path data, ClassList classes, Map<String, byte[]> files) throws IOException {
        ClassList own = Datasets.classes(data);
        List<String> others = own.names().stream().filter(n -> !classes.contains(n)).toList();
        VocDataset d = Datasets.load(data, "train", own).withoutImagesOf(others);
        if (d.size() == 0) {
            throw new IllegalArgumentException("presumedData " + data + ": no train image shows only the classes "
                    + classes.names());
        }
        VocWriter voc = new VocWriter(data, own, OnpremBundle.PRESUMED);
        List<String> ids = new ArrayList<>();
        for (VocImage img : d.images()) {
            String file = img.imagePath().getFileName().toString();
            files.put(OnpremBundle.PRESUMED + "/JPEGImages/" + file, Files.readAllBytes(img.imagePath()));
            files.put(OnpremBundle.PRESUMED + "/Annotations/" + img.id() + ".xml",
                    voc.annotationXml(file, img.width(), img.height(), img.objects()).getBytes(StandardCharsets.UTF_8));
            ids.add(img.id());
        }
        files.put(OnpremBundle.PRESUMED + "/classes.txt", lines(classes.names()));
        files.put(OnpremBundle.PRESUMED + "/ImageSets/Main/train.txt", lines(ids));
        return ids.size();
    }

    /** One item a line, as {@link ClassList#read} and VOC split files are read. */
    private static byte[] lines(List<String> items) {
        return (String.join("\n", items) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
