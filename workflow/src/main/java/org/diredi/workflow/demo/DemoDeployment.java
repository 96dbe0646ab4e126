package org.diredi.workflow.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.broker.BrokerConfig;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.update.PseudoLabels;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.fleet.Enrolment;
import org.diredi.fleet.FleetConfig;
import org.diredi.fleet.MachineConfigs;
import org.diredi.fleet.ManufacturerKeys;
import org.diredi.fleet.OnpremBundles;
import org.diredi.messaging.Ed25519;
import org.diredi.onprem.OnPremConfig;
import org.diredi.onprem.OnpremBundle;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * The README's Deploy section as the demo runs it on one machine: the library calls behind
 * {@code diredi keys init}, {@code broker serve}, {@code fleet add-cloud / add-customer / add-onprem /
 * add-device / bundle-onprem} and {@code onprem unpack}, on the same files: configs/broker.yaml and
 * configs/fleet.yaml copied into the demo's folder, then the files enrolment writes for each machine. What
 * a user is told to set in those files (paths, each camera's source, the on-prem PC's data and classes,
 * the training budgets) is written into them as key edits ({@link MachineConfigs#set}); nothing is
 * configured in Java alone. Every step is printed as the command line, or the edit, a user would make.
 */
final class DemoDeployment {

    /** The device profile of the demo's cameras: they run ONNX Runtime on this machine's CPU. */
    static final String PROFILE = "cpu";

    /**
     * What enrolment made.
     *
     * @param fleet   the fleet settings (fleet.yaml) enrolment ran with
     * @param cloud   the cloud's cloud.yaml
     * @param onprem  the customer's on-prem PC's folder (onprem.yaml, broker.password, manufacturer.pub.pem)
     * @param bundle  what that PC starts from, signed ({@code fleet bundle-onprem})
     * @param cameras camera -> its folder (edge.yaml, broker.password, manufacturer.pub.pem)
     */
    record Enrolled(FleetConfig fleet, Path cloud, Path onprem, Path bundle, Map<String, Path> cameras) {}

    private final DemoSettings s;
    private final PrintStream out;

    DemoDeployment(DemoSettings s, PrintStream out) {
        this.s = s;
        this.out = out;
    }

    /**
     * Removes the last run's broker (sessions, retained messages, accounts) and fleet (registry, machine
     * folders): enrolment never overwrites an account or a folder, and each run enrols afresh.
     */
    void clearLastRun() throws IOException {
        AtomicFiles.deleteTree(s.out().resolve("broker"));
        AtomicFiles.deleteTree(s.out().resolve("fleet"));
    }

    /** {@code diredi keys init}: the manufacturer's key pair, kept across runs as a manufacturer keeps its key. */
    ManufacturerKeys keys() {
        Path dir = s.out().resolve("keys");
        boolean kept = Files.exists(ManufacturerKeys.in(dir).privateKey());
        ManufacturerKeys k = ManufacturerKeys.ensure(dir);
        command("keys init --out " + dir, kept ? "the key of an earlier run, kept (keys init never overwrites one): "
                + k.keyId() : k.describe());
        return k;
    }

    /**
     * configs/broker.yaml on any free port, its data and account store (where enrolment writes) in the
     * demo's folder.
     */
    Path brokerConfig() throws IOException {
        Path file = s.out().resolve("broker.yaml");
        Path dir = s.out().resolve("broker");
        copyShipped(file, "broker", BrokerConfig.defaults());
        edit(file, BrokerConfig.class, BrokerConfig.defaults(), keys("port", 0, "dataDir", abs(dir),
                "accountStore", abs(dir.resolve("accounts.yaml"))));
        command("broker serve --config " + file + " &", "the trial broker, any free port (port: 0)");
        return file;
    }

    /**
     * configs/fleet.yaml with the demo's paths, the running broker's address and the manufacturer's
     * models, then every enrolment of the README in its order and the on-prem PC's bundle.
     */
    Enrolled enrol(String brokerUri, ManufacturerStages.Models m, DemoData d) throws IOException {
        FleetConfig fleet = FleetConfig.load(fleetConfig(brokerUri, m, d));
        String with = " --config " + s.out().resolve("fleet.yaml");
        Enrolment e = new Enrolment(fleet, out);
        command("fleet add-cloud" + with, null);
        Path cloud = e.addCloud(null).folder().resolve("cloud.yaml");
        command("fleet add-customer " + DemoWorkflow.CUSTOMER + with, "models.* of fleet.yaml as its version 0");
        e.addCustomer(DemoWorkflow.CUSTOMER, fleet.models());
        command("fleet add-onprem " + DemoWorkflow.CUSTOMER + with, null);
        Path onprem = e.addOnprem(DemoWorkflow.CUSTOMER, null).folder();
        Map<String, Path> cameras = new LinkedHashMap<>();
        for (String cam : DemoWorkflow.CAMERAS) {
            command("fleet add-device " + DemoWorkflow.CUSTOMER + " " + cam + " --profile " + PROFILE + with, null);
            cameras.put(cam, e.addDevice(DemoWorkflow.CUSTOMER, cam, PROFILE).folder());
        }
        Path bundle = s.out().resolve("fleet").resolve(DemoWorkflow.CUSTOMER + ".bundle");
        command("fleet bundle-onprem " + DemoWorkflow.CUSTOMER + " --out " + bundle + with, null);
        OnpremBundles.make(fleet, DemoWorkflow.CUSTOMER, bundle, out);
        return new Enrolled(fleet, cloud, onprem, bundle, cameras);
    }

    private Path fleetConfig(String brokerUri, ManufacturerStages.Models m, DemoData d) throws IOException {
        Path file = s.out().resolve("fleet.yaml");
        Path fleet = s.out().resolve("fleet");
        copyShipped(file, "fleet", FleetConfig.DEFAULTS);
        edit(file, FleetConfig.class, FleetConfig.DEFAULTS, keys("registry", abs(fleet.resolve("registry.json")),
                "accountStore", abs(s.out().resolve("broker/accounts.yaml")),
                "mosquittoDir", abs(fleet.resolve("mosquitto")), "machines", abs(fleet.resolve("machines")),
                "keys", abs(s.out().resolve("keys")), "brokerUri", brokerUri,
                "models", keys("tutor", abs(m.tutor()), "edge", abs(m.edge()), "edgePreset", s.family() + "/edge"),
                "presumedData", abs(d.presumedShare())));
        return file;
    }

    /**
     * The enrolled cloud.yaml with the manufacturer's data, what that data knows of the added class, Eq. 10's
     * lambda, the demo's gate, Distill C's budget and pseudo-label score; its customers come from the registry.
     */
    Path cloud(Enrolled e, DemoData d) throws IOException {
        edit(e.cloud(), CloudConfig.class, CloudConfig.DEFAULTS, keys("workDir", abs(s.out().resolve("cloud")),
                "data", abs(d.manufacturerData()), "addedClassKnowledge", s.addedClassKnowledge().id(),
                "device", s.device(),
                "lambda", Double.parseDouble(Float.toString(s.lambda())), // 0.6, not 0.6000000238
                "gate", keys("maxDropOther", 10.0, "minGainAdded", 5.0), "distillCEpochs", s.epochs().distillC(),
                "distillCFeatureWeight", s.fgdWeight(), "pseudoLabels", keys("scoreThreshold",
                        Double.parseDouble(Float.toString(s.pseudoLabelScore())), "maxPerClass",
                        PseudoLabels.Settings.DEFAULTS.maxPerClass()), "otaExpiryHours", 24));
        command("cloud serve --config " + e.cloud() + " &", null);
        return e.cloud();
    }

    /**
     * A camera's enrolled edge.yaml with its source (the frame folder, looped at 4 fps), edge model v0 to
     * start with, and a status every 5 s; the camera runs in its folder, as on the device.
     */
    Path camera(Enrolled e, String cam, Path v0, Path frames) throws IOException {
        Path folder = e.cameras().get(cam);
        Path file = folder.resolve("edge.yaml");
        edit(file, EdgeConfig.class, EdgeConfig.DEFAULTS, keys("initialModel", abs(v0),
                "source", keys("type", "folder", "path", abs(frames), "loop", true, "fpsLimit", 4),
                "mqtt", keys("sessionExpirySeconds", 3600), "statusEverySeconds", 5, "threads", 1));
        command("edge run --config edge.yaml &", "in " + folder);
        return file;
    }

    /**
     * The customer's PC: the bundle checked and unpacked where its onprem.yaml expects it, then that file
     * with the customer's data and classes, the reverse-distillation budget and the cloud's lambda for the
     * figures (the updated tutor they measure is the one the cloud makes); enrolment's signingKey stays. The
     * configuration as {@code onprem run} in that folder reads it.
     */
    OnPremConfig onprem(Enrolled e, DemoData d) throws IOException {
        Path file = e.onprem().resolve("onprem.yaml");
        Path into = Path.of(OnPremConfig.load(file).tutor()).getParent(); // the folder onprem.yaml points into
        command("onprem unpack --bundle " + abs(e.bundle()) + " --out " + into, "in " + e.onprem());
        OnpremBundle.Manifest b = OnpremBundle.unpack(e.bundle(), e.onprem().resolve(into),
                Ed25519.readPublicKey(e.onprem().resolve(ManufacturerKeys.PUBLIC)));
        out.printf("onprem: %s checked (signed by the pinned key, %d files): the models of %s, version %d,"
                + " classes %s%n",
                e.bundle(), b.entries().size(), b.customer(), b.version(), b.classes());
        edit(file, OnPremConfig.class, OnPremConfig.DEFAULTS, keys("presumed", s.presumed(),
                "privateData", abs(d.customerData()), "added", List.of(s.added()),
                "workDir", abs(s.out().resolve("onprem")), "device", s.device(), "epochs", s.epochs().rd(),
                "learningRate", s.rd().learningRate(), "alpha", s.rd().alpha(), "beta", s.rd().beta(),
                "figuresLambda", Double.parseDouble(Float.toString(s.lambda()))));
        command("onprem run --config onprem.yaml", "in " + e.onprem());
        return OnPremConfig.load(file).in(e.onprem());
    }

    /** The shipped defaults (configs/NAME.yaml, which the types' defaults state) as the user's copy. */
    private void copyShipped(Path file, String name, Object defaults) throws IOException {
        MachineConfigs.write(file, "diredi " + (name.equals("broker") ? "broker serve" : "fleet add-*") + " --config "
                + file + "\nconfigs/" + name + ".yaml, copied by diredi demo, with the keys it sets", defaults);
        out.printf("$ cp configs/%s.yaml %s%n", name, file);
    }

    /** Sets keys in a configuration file, as the README tells a user to, and says so. */
    private <T> void edit(Path file, Class<T> type, T defaults, Map<String, ?> keys) throws IOException {
        MachineConfigs.set(file, type, defaults, keys);
        try {
            out.printf("# in %s set %s%n", file, ConfigFiles.JSON.writer().without(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(keys));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private void command(String diredi, String note) {
        out.printf("$ ./diredi %s%s%n", diredi, note == null ? "" : "    # " + note);
    }

    /** Keys in the order given: the printed edit reads as the file does. */
    private static Map<String, Object> keys(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** Absolute: the cameras and the on-prem PC run from their own folders. */
    private static String abs(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }
}
