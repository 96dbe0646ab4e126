package org.diredi.onprem;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.core.delta.DeltaEncoding;
import org.diredi.core.delta.DeltaForm;
import org.diredi.core.delta.DeltaPrivacy;
import org.diredi.core.engine.Devices;
import org.diredi.vision.config.ConfigFiles;

/**
 * {@code diredi onprem run --config onprem.yaml}: the customer's PC. {@code presumedData} is the data
 * the manufacturer presumed (shipped with the tutor); {@code privateData} is the customer's own
 * labelled data, which never leaves this machine. {@code brokerCaCertificate}: for an {@code ssl://}
 * broker, PEM of the CA that signed its certificate (null = the JVM's trust store). {@code device}:
 * where reverse distillation trains (cpu, gpu or gpu:N). {@code deltaForm}: how the delta is uploaded
 * ({@link DeltaForm}: float16 by default, float32, sparse or sparse-int8 at {@code sparseDensity}, int8). {@code privacy}:
 * differential privacy of the upload ({@link DeltaPrivacy}), off by default.
 * {@code signingKey}: this PC's Ed25519 private key
 * (enrolment writes it, mode 600), which signs the figures measured on {@code privateValidationSplit} of the
 * private data (null either: no figures) for the updated tutor Eq. 10 makes at {@code figuresLambda}.
 */
public record OnPremConfig(String customer, String broker, String username, String password, String passwordFile,
                           String brokerCaCertificate,
                           String classes, String presumedData, List<String> presumed, String privateData,
                           String privateSplit, List<String> added, List<String> removed, String edgeModel,
                           String tutor, String tutorPreset, String workDir, String device, int epochs, float learningRate, float alpha, float beta,
                           double gamma, int chunkBytes, long decisionTimeoutSeconds, String deltaForm,
                           double sparseDensity, DeltaPrivacy.Settings privacy,
                           String signingKey, String privateValidationSplit, double figuresLambda) {

    /** The defaults: the shipped {@code configs/onprem.yaml}, which the build bundles. */
    public static final OnPremConfig DEFAULTS = ConfigFiles.defaults(OnPremConfig.class, "defaults/onprem.yaml");

    public OnPremConfig {
        org.diredi.messaging.Topics.id("customer", customer);
        if (presumed == null || presumed.isEmpty()) {
            throw new IllegalArgumentException("presumed: list the classes the deployed model was trained on");
        }
        added = added == null ? List.of() : List.copyOf(added);
        removed = removed == null ? List.of() : List.copyOf(removed);
        if (added.isEmpty() && removed.isEmpty()) {
            throw new IllegalArgumentException("added / removed: the private data must add or remove a class");
        }
        Devices.checkName(device, "device");
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1");
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be > 0");
        }
        if (!(figuresLambda > 0)) {
            throw new IllegalArgumentException("figuresLambda must be > 0 (Eq. 10's lambda)");
        }
        if (chunkBytes < 1024) {
            throw new IllegalArgumentException("chunkBytes must be >= 1024");
        }
        if (!(sparseDensity > 0 && sparseDensity <= 1)) {
            throw new IllegalArgumentException("sparseDensity must be in (0, 1], got " + sparseDensity);
        }
        DeltaForm.of(deltaForm, "deltaForm");
        if (privacy == null) {
            throw new IllegalArgumentException("privacy: give enabled, clipNorm, noiseMultiplier, delta and seed");
        }
    }

    /** How the delta is encoded for upload. */
    public DeltaEncoding deltaEncoding() {
        return DeltaEncoding.of(deltaForm, sparseDensity, "deltaForm");
    }

    /** The privacy settings when enabled, else null. */
    public DeltaPrivacy.Settings privacyIfEnabled() {
        return privacy.enabled() ? privacy : null;
    }

    public String secret() {
        return org.diredi.messaging.Secrets.password(password, passwordFile, "passwordFile");
    }

    /** The file's settings over {@link #DEFAULTS}, validated; errors name the file. */
    public static OnPremConfig load(Path file) {
        return ConfigFiles.load(file, OnPremConfig.class, DEFAULTS);
    }

    /**
     * This configuration as {@code diredi onprem run} started in {@code folder} reads it: relative file
     * settings resolved against the folder (an enrolled PC's onprem.yaml names its files relative to its
     * folder), absolute ones and nulls kept. For a trainer run in-process from another working directory.
     */
    public OnPremConfig in(Path folder) {
        Map<String, String> files = new java.util.HashMap<>();
        files.put("passwordFile", passwordFile);
        files.put("brokerCaCertificate", brokerCaCertificate);
        files.put("classes", classes);
        files.put("presumedData", presumedData);
        files.put("privateData", privateData);
        files.put("edgeModel", edgeModel);
        files.put("tutor", tutor);
        files.put("workDir", workDir);
        files.put("signingKey", signingKey);
        Map<String, String> resolved = new java.util.HashMap<>();
        files.forEach((key, value) -> {
            if (value != null) {
                resolved.put(key, folder.resolve(value).toString());
            }
        });
        return with(resolved);
    }

    /**
     * This configuration with the named settings replaced, validated as a file would be (unknown names are
     * errors). Values are written as in the YAML file: strings for paths, lists for class names.
     */
    public OnPremConfig with(Map<String, ?> overrides) {
        return ConfigFiles.overlay(this, ConfigFiles.JSON.valueToTree(overrides), OnPremConfig.class, "overrides");
    }
}
