package org.diredi.cloud;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.core.engine.Devices;
import java.util.Optional;
import org.diredi.cloud.fleet.RolloutSettings;
import org.diredi.cloud.jobs.JobSettings;
import org.diredi.cloud.merge.MergeSettings;
import org.diredi.cloud.update.ManufacturerUpdate;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;

/**
 * {@code diredi cloud serve --config cloud.yaml}: the manufacturer's delta intake. Every customer
 * names the tutor its deltas are made against, the edge model its cameras run, and its devices.
 * Customers come from the fleet {@code registry} that enrolment ({@code diredi fleet add-*}) writes,
 * re-read when it changes; customers listed in this file instead are served as given (tests, a trial
 * without enrolment) and the registry is then not read.
 *
 * @param brokerCaCertificate for an {@code ssl://} broker: PEM of the CA that signed its certificate
 *                        (trusted instead of the JVM's CAs); null = the JVM's trust store
 * @param data            the manufacturer's own data (VOC root): the gate's validation split and
 *                        Distill C's training split; never the customer's
 * @param device          where the gate's evaluations and Distill C run: cpu, gpu or gpu:N
 * @param lambdaSearch    Eq. 10's lambda chosen from a grid on the manufacturer's training split instead of
 *                        {@code lambda} ({@link org.diredi.cloud.update.LambdaSearch}); an empty grid: off
 * @param calibration     what is done to the scores of the updated tutor (between Eq. 10 and the gate) and of the
 *                        edge model shipped (after Distill C): none, or classBias (a logit shift per class for the
 *                        best F1 at the gate's score threshold, the cameras', on the manufacturer's training split;
 *                        {@link org.diredi.core.eval.ClassBiasCalibration})
 * @param distillCEpochs  Distill C (updated tutor -> edge, from the current edge weights); the paper
 *                        uses 20 epochs, batch 8, temperature 1.5; {@code distillCFeatureWeight} (default 0.01: heavier FGD made
 *                        the edge model worse in every run, BENCHMARKS.md §5) weighs
 *                        the FGD loss against the detection loss
 * @param addedClassKnowledge what the manufacturer's data knows of a class a customer adds: labels (its images
 *                        label it), unlabelled (they show it unlabelled) or absent (none shows it); with the last
 *                        two Distill C learns it from the updated tutor's pseudo-labels ({@code pseudoLabels})
 * @param registry        the fleet registry file ({@link org.diredi.cloud.registry.FleetRegistry}); null = none
 * @param rollout         staged rollout of every accepted update: canaries first, the rest once they run it
 *                        healthily ({@link RolloutSettings})
 * @param jobs            who decides the received deltas: this process, or {@code cloud serve --worker} processes
 *                        through the broker ({@link JobSettings})
 * @param merge           the merge window: deltas of several customers against one base tutor merged and verified
 *                        as one update ({@link MergeSettings}); off by default
 */
public record CloudConfig(String broker, String username, String password, String passwordFile,
                          String brokerCaCertificate, String signingKey,
                          String publicKey, String workDir, String data, String validationSplit, String trainSplit,
                          String device, double lambda, org.diredi.cloud.update.LambdaSearch lambdaSearch,
                          org.diredi.cloud.update.Calibration calibration,
                          GatePolicy gate, int distillCEpochs, int distillCBatch,
                          float distillCTemperature, float distillCFeatureWeight,
                          org.diredi.cloud.update.AddedClassKnowledge addedClassKnowledge,
                          org.diredi.cloud.update.PseudoLabels.Settings pseudoLabels, int otaExpiryHours, long maxDeltaBytes, int chunkBytes,
                          String registry, Map<String, Customer> customers, RolloutSettings rollout,
                          JobSettings jobs, MergeSettings merge) {

    /**
     * A customer: its base tutor, current edge model, model version, cameras and the broker accounts of
     * its on-prem PCs; {@code figureKeys}: the Ed25519 public keys (base64 X.509, {@code Ed25519.encodePublic})
     * of its on-prem PCs, which sign the figures a delta carries (none: an entry enrolled before PCs had keys,
     * whose deltas with figures are refused).
     */
    public record Customer(String tutor, String edge, String edgePreset, long version, List<Device> devices,
                           List<String> onprem, List<String> figureKeys) {
        public Customer {
            figureKeys = figureKeys == null ? List.of() : List.copyOf(figureKeys);
            if (tutor == null || edge == null || edgePreset == null) {
                throw new IllegalArgumentException("customer: tutor, edge and edgePreset are required");
            }
            devices = devices == null ? List.of() : List.copyOf(devices);
            onprem = onprem == null ? List.of() : List.copyOf(onprem);
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (Device d : devices) {
                if (d == null || !ids.add(d.id())) {
                    throw new IllegalArgumentException("customer: " + (d == null ? "empty device entry"
                            : "device id '" + d.id() + "' is given twice"));
                }
            }
            onprem.forEach(a -> org.diredi.messaging.Topics.id("on-prem account", a));
        }

        /** A customer without on-prem accounts (cloud.yaml, where the broker's own configuration holds them). */
        public Customer(String tutor, String edge, String edgePreset, long version, List<Device> devices) {
            this(tutor, edge, edgePreset, version, devices, List.of());
        }

        /** A customer without figure keys. */
        public Customer(String tutor, String edge, String edgePreset, long version, List<Device> devices,
                        List<String> onprem) {
            this(tutor, edge, edgePreset, version, devices, onprem, List.of());
        }

        /** With one more on-prem PC's public key. */
        public Customer withFigureKey(String base64PublicKey) {
            List<String> all = new java.util.ArrayList<>(figureKeys);
            all.add(base64PublicKey);
            return new Customer(tutor, edge, edgePreset, version, devices, onprem, all);
        }

        public Optional<Device> device(String id) {
            return devices.stream().filter(d -> d.id().equals(id)).findFirst();
        }

        public Customer withDevice(Device d) {
            List<Device> all = new java.util.ArrayList<>(devices);
            all.add(d);
            return new Customer(tutor, edge, edgePreset, version, all, onprem, figureKeys);
        }

        public Customer withOnprem(String account) {
            List<String> all = new java.util.ArrayList<>(onprem);
            all.add(account);
            return new Customer(tutor, edge, edgePreset, version, devices, all, figureKeys);
        }

        /** After an accepted update: the updated tutor, the re-distilled edge model, its version. */
        public Customer withModels(String newTutor, String newEdge, long newVersion) {
            return new Customer(newTutor, newEdge, edgePreset, newVersion, devices, onprem, figureKeys);
        }
    }

    /** A camera and the device profile its updates are exported for. */
    public record Device(String id, String profile) {
        public Device {
            org.diredi.messaging.Topics.id("device", id);
            if (profile == null || profile.isBlank()) {
                throw new IllegalArgumentException("device " + id + ": a profile is required");
            }
        }
    }

    /** The defaults: the shipped {@code configs/cloud.yaml}, which the build bundles. */
    public static final CloudConfig DEFAULTS = ConfigFiles.defaults(CloudConfig.class, "defaults/cloud.yaml");

    public CloudConfig {
        customers = customers == null ? Map.of() : Map.copyOf(customers);
        customers.keySet().forEach(c -> org.diredi.messaging.Topics.id("customer", c));
        Devices.checkName(device, "device");
        rollout = rollout == null ? RolloutSettings.DEFAULTS : rollout;
        jobs = jobs == null ? JobSettings.DEFAULTS : jobs;
        merge = merge == null ? MergeSettings.DEFAULTS : merge;
        if (merge.on() && jobs.shared()) {
            throw new IllegalArgumentException("merge.windowSeconds > 0 needs jobs.shared: false (the merge window"
                    + " runs in the cloud serve process; its workers decide each delta alone)");
        }
        addedClassKnowledge = addedClassKnowledge == null ? org.diredi.cloud.update.AddedClassKnowledge.LABELS
                : addedClassKnowledge;
        pseudoLabels = pseudoLabels == null ? org.diredi.cloud.update.PseudoLabels.Settings.DEFAULTS : pseudoLabels;
        lambdaSearch = lambdaSearch == null ? org.diredi.cloud.update.LambdaSearch.OFF : lambdaSearch;
        org.diredi.cloud.update.LambdaSearch.requireLabels(lambdaSearch, addedClassKnowledge);
        if (merge.on() && addedClassKnowledge != org.diredi.cloud.update.AddedClassKnowledge.LABELS) {
            // each customer's figures are signed over its own delta, so a merged delta has none to judge by
            throw new IllegalArgumentException("merge.windowSeconds > 0 needs addedClassKnowledge: labels (customer"
                    + " figures judge one delta, not a merge)");
        }
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("lambda (Eq. 10) must be > 0, got " + lambda);
        }
        if (!(distillCFeatureWeight >= 0)) {
            throw new IllegalArgumentException("distillCFeatureWeight must be >= 0");
        }
        if (distillCEpochs < 1 || distillCBatch < 1) {
            throw new IllegalArgumentException("distillCEpochs and distillCBatch must be >= 1");
        }
        if (otaExpiryHours < 1) {
            throw new IllegalArgumentException("otaExpiryHours must be >= 1");
        }
    }

    public String secret() {
        return org.diredi.messaging.Secrets.password(password, passwordFile, "passwordFile");
    }

    /**
     * The manufacturer's update as configured: lambda (Eq. 10) or its search, calibration, gate, Distill C's budget,
     * temperature, FGD weight, pseudo-labels and device, and what the manufacturer knows of an added class (it labels
     * it unless addedClassKnowledge says otherwise).
     */
    public ManufacturerUpdate.Settings updateSettings(ManufacturerUpdate.WhenRejected whenRejected) {
        TrainConfig t = TrainConfig.DEFAULTS.withEpochs(distillCEpochs).atBatchSize(distillCBatch).withDevice(device);
        return new ManufacturerUpdate.Settings(lambda, gate, new ManufacturerUpdate.DistillC(t, distillCTemperature,
                distillCFeatureWeight, FgdConfig.DEFAULTS, pseudoLabels), whenRejected, calibration,
                addedClassKnowledge, lambdaSearch);
    }

    /** The file's settings over {@link #DEFAULTS}, validated; errors name the file. */
    public static CloudConfig load(Path file) {
        return ConfigFiles.load(file, CloudConfig.class, DEFAULTS);
    }

    /**
     * This configuration with the named settings replaced, validated as a file would be (unknown names are
     * errors). Values are written as in the YAML file: strings for paths, nested maps merge into sections.
     */
    public CloudConfig with(Map<String, ?> overrides) {
        return ConfigFiles.overlay(this, ConfigFiles.JSON.valueToTree(overrides), CloudConfig.class, "overrides");
    }
}
