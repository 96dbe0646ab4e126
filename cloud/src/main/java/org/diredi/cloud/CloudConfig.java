package org.diredi.cloud;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.fleet.RolloutSettings;
import org.diredi.core.gate.GatePolicy;
import org.diredi.vision.config.ConfigFiles;

/**
 * {@code diredi cloud serve --config cloud.yaml}: the manufacturer's delta intake. Every customer
 * names the tutor its deltas are made against, the edge model its cameras run, and its devices.
 *
 * @param brokerCaCertificate for an {@code ssl://} broker: PEM of the CA that signed its certificate
 *                        (trusted instead of the JVM's CAs); null = the JVM's trust store
 * @param data            the manufacturer's own data (VOC root): the gate's validation split and
 *                        Distill C's training split; never the customer's
 * @param distillCEpochs  Distill C (updated tutor -> edge, from the current edge weights); the paper
 *                        uses 20 epochs, batch 8, temperature 1.5; {@code distillCFeatureWeight} (default 0.01: heavier FGD made
 *                        the edge model worse in every run, BENCHMARKS.md §5) weighs
 *                        the FGD loss against the detection loss
 * @param rollout         staged rollout of every accepted update: canaries first, the rest once they run it
 *                        healthily ({@link RolloutSettings})
 */
public record CloudConfig(String broker, String username, String password, String passwordFile,
                          String brokerCaCertificate, String signingKey,
                          String publicKey, String workDir, String data, String validationSplit, String trainSplit,
                          double lambda, GatePolicy gate, int distillCEpochs, int distillCBatch,
                          float distillCTemperature, float distillCFeatureWeight, int otaExpiryHours, long maxDeltaBytes, int chunkBytes,
                          Map<String, Customer> customers, RolloutSettings rollout) {

    /** A customer: its base tutor, current edge model, model version and cameras. */
    public record Customer(String tutor, String edge, String edgePreset, long version, List<Device> devices) {
        public Customer {
            if (tutor == null || edge == null || edgePreset == null) {
                throw new IllegalArgumentException("customer: tutor, edge and edgePreset are required");
            }
            devices = devices == null ? List.of() : List.copyOf(devices);
        }
    }

    /** A camera and the device profile its updates are exported for. */
    public record Device(String id, String profile) {}

    public static final CloudConfig DEFAULTS = new CloudConfig("tcp://127.0.0.1:1883", "cloud", null, null, null,
            "keys/manufacturer.key.pem", "keys/manufacturer.pub.pem", "work/cloud", "work/fashion-scenes", "val",
            "train", 1.0, GatePolicy.DEFAULTS, 20, 8, 1.5f, 0.01f, 24 * 30, 64L << 20, 256 * 1024, Map.of(),
            RolloutSettings.DEFAULTS);

    public CloudConfig {
        customers = customers == null ? Map.of() : Map.copyOf(customers);
        customers.keySet().forEach(c -> org.diredi.messaging.Topics.id("customer", c));
        rollout = rollout == null ? RolloutSettings.DEFAULTS : rollout;
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
