package org.diredi.fleet;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Map;
import org.diredi.cloud.CloudConfig;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.Topics;
import org.diredi.onprem.OnpremBundle;

/**
 * What goes into each enrolled machine's folder: its configuration, the password file (written by
 * {@link Accounts}), the manufacturer's public key and the broker's CA when there is one. A camera's and
 * an on-prem PC's paths are relative to the folder, which is copied to that machine and run from; the
 * cloud runs on this server, so its paths are absolute.
 */
final class FleetFiles {

    /** The folder, beside onprem.yaml, that the manufacturer's bundle is unpacked into. */
    static final String MANUFACTURER = "manufacturer";
    /** The on-prem PC's own private key, which signs the figures its deltas carry. */
    static final String CUSTOMER_KEY = "customer.key.pem";

    private FleetFiles() {}

    static void camera(MachineFolder f, FleetConfig config, String customer, String device, String profile,
                       Path publicKey) throws IOException {
        f.copy(publicKey, ManufacturerKeys.PUBLIC);
        MachineConfigs.Broker b = broker(f, config, Accounts.device(customer, device), false);
        var c = MachineConfigs.camera(customer, device, profile, b, ManufacturerKeys.PUBLIC,
                Map.of("modelDir", "models", "mqtt", Map.of("persistenceDir", "mqtt")));
        MachineConfigs.write(f.file("edge.yaml"), """
                diredi edge run --config edge.yaml      (in this folder: the paths below are relative to it)
                Camera %s of customer %s, device profile %s, written by diredi fleet add-device.
                broker.password: this camera's broker password (keep it mode 600); manufacturer.pub.pem: the only
                key whose updates it accepts. Its topics, the only ones its account may use: %s/ota/# (updates
                in), .../detections, .../status, .../ota/report (out). It starts without a model: on first
                contact the cloud sends it its customer's current model, exported for profile %s (initialModel,
                an export of the edge model, runs one before that). Set source to the camera.
                """.formatted(device, customer, profile, Topics.device(customer, device), profile), c);
    }

    static void onprem(MachineFolder f, FleetConfig config, String customer, CloudConfig.Customer c, Path publicKey,
                       PrivateKey figuresKey) throws IOException {
        f.copy(publicKey, ManufacturerKeys.PUBLIC);
        Ed25519.writePrivateKey(f.file(CUSTOMER_KEY), figuresKey);
        String account = f.target().getFileName().toString();
        MachineConfigs.Broker b = broker(f, config, account, false);
        String from = MANUFACTURER + "/";
        var o = MachineConfigs.onprem(customer, b, Map.of("tutor", from + OnpremBundle.TUTOR,
                "edgeModel", from + OnpremBundle.EDGE, "classes", from + OnpremBundle.CLASSES,
                "presumedData", from + OnpremBundle.PRESUMED, "tutorPreset", tutorPreset(c.edgePreset()),
                "workDir", "work", "signingKey", CUSTOMER_KEY));
        MachineConfigs.write(f.file("onprem.yaml"), """
                diredi onprem run --config onprem.yaml  (in this folder: the paths below are relative to it)
                The on-prem PC of customer %s (broker account %s), written by diredi fleet add-onprem.
                broker.password: its broker password (keep it mode 600); manufacturer.pub.pem: the only key whose
                bundles it accepts; customer.key.pem (keep it mode 600): signs the figures its deltas carry. What
                reverse distillation starts from comes from the manufacturer as one signed bundle (diredi fleet
                bundle-onprem %s --out %s.bundle): check and unpack it here first with
                diredi onprem unpack --bundle %s.bundle --out %s (the tutor, the deployed edge model, now
                preset %s, version %d, the class list, the presumed data); set presumed to the classes it was
                trained on (%s/%s), privateData and added / removed to the customer's own labelled data.
                """.formatted(customer, account, customer, customer, customer, MANUFACTURER, c.edgePreset(),
                c.version(), MANUFACTURER, OnpremBundle.CLASSES), o);
    }

    static void cloud(MachineFolder f, FleetConfig config, ManufacturerKeys keys, boolean worker) throws IOException {
        MachineConfigs.Broker b = broker(f, config, f.target().getFileName().toString(), true);
        ManufacturerKeys abs = new ManufacturerKeys(keys.privateKey().toAbsolutePath(), keys.publicKey().toAbsolutePath());
        Map<String, Object> more = new java.util.HashMap<>(Map.of("registry",
                Path.of(config.registry()).toAbsolutePath().toString()));
        if (worker) {
            more.put("jobs", Map.of("shared", true));
        }
        var c = MachineConfigs.cloud(b, abs, more);
        MachineConfigs.write(f.file("cloud.yaml"), """
                diredi cloud serve %s--config %s
                A cloud %s(broker account %s), written by diredi fleet add-cloud. Its customers and their
                devices come from the registry, re-read when enrolment changes it. Set data to the manufacturer's
                own data (the gate's validation split, Distill C's training split).%s
                """.formatted(worker ? "--worker " : "", f.placed("cloud.yaml"), worker ? "worker " : "", b.username(),
                worker ? "\nA worker shares the intake's workDir (README Deploy, Several cloud workers): set it." : ""),
                c);
    }

    /** The broker account's connection; relative file names for a machine that runs from its folder. */
    private static MachineConfigs.Broker broker(MachineFolder f, FleetConfig config, String account, boolean absolute)
            throws IOException {
        String ca = null;
        if (config.brokerCaCertificate() != null) {
            f.copy(Path.of(config.brokerCaCertificate()), MachineFolder.CA);
            ca = absolute ? f.placed(MachineFolder.CA).toString() : MachineFolder.CA;
        }
        String password = absolute ? f.placed(MachineFolder.PASSWORD).toString() : MachineFolder.PASSWORD;
        return new MachineConfigs.Broker(config.brokerUri(), account, password, ca);
    }

    /** The tutor of the edge model's family (the on-prem trainer builds it before loading the checkpoint). */
    static String tutorPreset(String edgePreset) {
        return (edgePreset.contains("/") ? edgePreset.substring(0, edgePreset.indexOf('/')) : "cpu") + "/tutor";
    }
}
