package org.diredi.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.diredi.cloud.CloudConfig;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.onprem.OnPremConfig;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * Every machine's configuration file, made one way for enrolment and for the demo: the shipped
 * defaults (configs/*.yaml) with the machine's identity, its broker account and the keys it trusts,
 * then the caller's own settings, validated while they are made. Passwords stay out of the files:
 * each names its account's password file.
 */
public final class MachineConfigs {

    /**
     * How a machine reaches the broker.
     *
     * @param passwordFile  the file holding the account's password, as the machine will see it
     * @param caCertificate for an {@code ssl://} broker, the CA to pin, as the machine will see it; null = none
     */
    public record Broker(String uri, String username, String passwordFile, String caCertificate) {}

    private MachineConfigs() {}

    /**
     * A camera of {@code customer}: its id and device profile, its broker account, the manufacturer's
     * public key it pins, then {@code more} (settings as in edge.yaml; sections merge).
     */
    public static EdgeConfig camera(String customer, String device, String profile, Broker b, String trustedKey,
                                    Map<String, ?> more) {
        Map<String, Object> mqtt = new HashMap<>();
        mqtt.put("enabled", true);
        mqtt.put("uri", b.uri());
        mqtt.put("username", b.username());
        mqtt.put("passwordFile", b.passwordFile());
        mqtt.put("caCertificate", b.caCertificate());
        return EdgeConfig.DEFAULTS.with(Map.of("device", Map.of("customer", customer, "id", device),
                "profile", profile, "mqtt", mqtt, "trustedKey", trustedKey)).with(more);
    }

    /** A customer's on-prem PC: its customer and broker account, then {@code more} (settings as in onprem.yaml). */
    public static OnPremConfig onprem(String customer, Broker b, Map<String, ?> more) {
        Map<String, Object> s = new HashMap<>();
        s.put("customer", customer);
        s.put("broker", b.uri());
        s.put("username", b.username());
        s.put("passwordFile", b.passwordFile());
        s.put("brokerCaCertificate", b.caCertificate());
        return OnPremConfig.DEFAULTS.with(s).with(more);
    }

    /** The manufacturer's cloud: its broker account and signing keys, then {@code more} (settings as in cloud.yaml). */
    public static CloudConfig cloud(Broker b, ManufacturerKeys keys, Map<String, ?> more) {
        Map<String, Object> s = new HashMap<>();
        s.put("broker", b.uri());
        s.put("username", b.username());
        s.put("passwordFile", b.passwordFile());
        s.put("brokerCaCertificate", b.caCertificate());
        s.put("signingKey", keys.privateKey().toString());
        s.put("publicKey", keys.publicKey().toString());
        return CloudConfig.DEFAULTS.with(s).with(more);
    }

    /**
     * Sets {@code keys} in the configuration file {@code file} as a user edits it (sections merge: {@code
     * mqtt: {sessionExpirySeconds: 60}} keeps the other mqtt settings), keeping the file's header comment.
     * The result is validated as {@code type} before it replaces the file, so a wrong key or value leaves the
     * file as it was.
     *
     * @return the configuration as the file now holds it
     */
    public static <T> T set(Path file, Class<T> type, T defaults, Map<String, ?> keys) throws IOException {
        T now = ConfigFiles.load(file, type, defaults);
        T next = ConfigFiles.overlay(now, ConfigFiles.JSON.valueToTree(keys), type, file + " (keys set)");
        StringBuilder header = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (!line.startsWith("#")) {
                break;
            }
            header.append(line.startsWith("# ") ? line.substring(2) : line.substring(1)).append('\n');
        }
        write(file, header.toString().stripTrailing(), next);
        return next;
    }

    /** The whole configuration, every setting spelled out, under {@code header} (comment lines, without '#'). */
    public static Path write(Path file, String header, Object config) throws IOException {
        StringBuilder text = new StringBuilder();
        header.lines().forEach(l -> text.append(l.isEmpty() ? "#" : "# " + l).append('\n'));
        AtomicFiles.writeString(file, text + ConfigFiles.YAML.writeValueAsString(config));
        return file;
    }
}
