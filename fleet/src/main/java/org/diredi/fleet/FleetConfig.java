package org.diredi.fleet;

import java.nio.file.Path;
import java.util.Map;
import org.diredi.vision.config.ConfigFiles;

/**
 * {@code diredi fleet add-* --config fleet.yaml}: where enrolment writes on the manufacturer's server.
 * The account store must be the one {@code broker serve} reads ({@code accountStore} of broker.yaml) and
 * the registry the one {@code cloud serve} reads ({@code registry} of cloud.yaml); the defaults agree.
 *
 * @param registry            the fleet registry (customers, devices, on-prem accounts, current models)
 * @param accountStore        the embedded broker's account store
 * @param mosquittoDir        {@code passwd} and {@code acl} for the production broker (mosquitto), appended to
 * @param machines            one ready-to-copy folder per enrolled machine: {@code <customer>/<device>/},
 *                            {@code <customer>/onprem/}, {@code cloud/<name>/}
 * @param keys                the manufacturer's key folder ({@code diredi keys init --out}); its public key is
 *                            pinned in every camera's config
 * @param brokerUri           the broker as the enrolled machines reach it ({@code ssl://host:8883} in production)
 * @param brokerCaCertificate PEM of the CA that signed the broker's certificate, copied to every machine
 *                            for an {@code ssl://} broker; null = the machines' own trust store
 * @param models              what a new customer starts from unless {@code add-customer} says otherwise
 * @param presumedData        the manufacturer's own data (VOC, split train) that {@code bundle-onprem} ships,
 *                            restricted to the customer's classes, as the presumed data of reverse distillation
 */
public record FleetConfig(String registry, String accountStore, String mosquittoDir, String machines, String keys,
                          String brokerUri, String brokerCaCertificate, Models models, String presumedData) {

    /** The manufacturer's current tutor and edge model (checkpoints) and the edge model's preset. */
    public record Models(String tutor, String edge, String edgePreset) {
        public Models {
            if (blank(tutor) || blank(edge) || blank(edgePreset)) {
                throw new IllegalArgumentException("models: tutor, edge and edgePreset are required");
            }
        }

        /** These models with each one given (add-customer --tutor / --edge / --edge-preset) in its place; null keeps. */
        public Models overriddenBy(String otherTutor, String otherEdge, String otherEdgePreset) {
            return new Models(otherTutor == null ? tutor : otherTutor, otherEdge == null ? edge : otherEdge,
                    otherEdgePreset == null ? edgePreset : otherEdgePreset);
        }
    }

    public static final FleetConfig DEFAULTS = new FleetConfig("work/fleet/registry.json", "work/broker/accounts.yaml",
            "work/fleet/mosquitto", "work/fleet/machines", "keys", "tcp://127.0.0.1:1883", null,
            new Models("work/manufacturer/tutor/model.ckpt", "work/manufacturer/edge/model.ckpt", "cpu/edge"),
            "work/fashion-scenes");

    public FleetConfig {
        for (Map.Entry<String, String> e : Map.of("registry", nz(registry), "accountStore", nz(accountStore),
                "mosquittoDir", nz(mosquittoDir), "machines", nz(machines), "keys", nz(keys),
                "presumedData", nz(presumedData)).entrySet()) {
            if (e.getValue().isBlank()) {
                throw new IllegalArgumentException(e.getKey() + " must be a path");
            }
        }
        if (brokerUri == null || !(brokerUri.startsWith("tcp://") || brokerUri.startsWith("ssl://"))) {
            throw new IllegalArgumentException("brokerUri must be tcp://host:port or ssl://host:port, got '"
                    + brokerUri + "'");
        }
        if (models == null) {
            throw new IllegalArgumentException("models: tutor, edge and edgePreset are required");
        }
    }

    /** The file's settings over {@link #DEFAULTS}, validated; errors name the file. */
    public static FleetConfig load(Path file) {
        return ConfigFiles.load(file, FleetConfig.class, DEFAULTS);
    }

    /** This configuration with the named settings replaced, validated as a file would be. */
    public FleetConfig with(Map<String, ?> overrides) {
        return ConfigFiles.overlay(this, ConfigFiles.JSON.valueToTree(overrides), FleetConfig.class, "overrides");
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
