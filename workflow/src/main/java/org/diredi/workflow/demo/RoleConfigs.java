package org.diredi.workflow.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.broker.BrokerConfig;
import org.diredi.cloud.CloudConfig;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.onprem.OnPremConfig;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * Every party's configuration file in the demo's folder, as a user would write it: the shipped
 * defaults (configs/*.yaml) with the settings this run needs, validated while they are made. Each role
 * then starts from its file, as {@code diredi cloud serve / onprem run / edge run --config FILE} would.
 * Passwords stay out of the files: each names its account's password file.
 */
final class RoleConfigs {

    private final DemoSettings s;
    private final DemoAccounts accounts;
    private final String brokerUri;

    RoleConfigs(DemoSettings s, DemoAccounts accounts, String brokerUri) {
        this.s = s;
        this.accounts = accounts;
        this.brokerUri = brokerUri;
    }

    /** The embedded broker on any free port, with the run's accounts. */
    static Path broker(Path out, DemoAccounts accounts) throws IOException {
        BrokerConfig c = BrokerConfig.defaults().withPort(0).withDataDir(out.resolve("broker"))
                .withUsers(accounts.users());
        return write(out.resolve("broker.yaml"), "the embedded broker's settings (broker/BrokerConfig)", c);
    }

    /** The manufacturer's cloud: one customer whose cameras all run the cpu profile. */
    Path cloud(String customer, List<String> cameras, ManufacturerStages.Models m, DemoData d) throws IOException {
        List<CloudConfig.Device> devices = cameras.stream().map(c -> new CloudConfig.Device(c, "cpu")).toList();
        CloudConfig c = CloudConfig.DEFAULTS.with(Map.ofEntries(Map.entry("broker", brokerUri),
                Map.entry("username", DemoAccounts.CLOUD),
                Map.entry("passwordFile", accounts.passwordFile(DemoAccounts.CLOUD).toString()),
                Map.entry("signingKey", accounts.signingKey().toString()),
                Map.entry("publicKey", accounts.publicKey().toString()),
                Map.entry("workDir", s.out().resolve("cloud").toString()),
                Map.entry("data", d.manufacturerData().toString()),
                Map.entry("lambda", (double) s.lambda()),
                Map.entry("gate", Map.of("maxDropOther", 10.0, "minGainAdded", 5.0)),
                Map.entry("distillCEpochs", s.epochs().distillC()),
                Map.entry("distillCFeatureWeight", s.fgdWeight()),
                Map.entry("otaExpiryHours", 24),
                Map.entry("customers", Map.of(customer, new CloudConfig.Customer(m.tutor().toString(),
                        m.edge().toString(), s.family() + "/edge", 0, devices)))));
        return write(s.out().resolve("cloud.yaml"), "diredi cloud serve --config cloud.yaml", c);
    }

    /** The customer's on-prem PC: the tutor and edge model it was given, its private data and the RD budget. */
    Path onprem(String customer, ManufacturerStages.Models m, DemoData d) throws IOException {
        String account = DemoAccounts.onprem(customer);
        OnPremConfig c = OnPremConfig.DEFAULTS.with(Map.ofEntries(Map.entry("customer", customer),
                Map.entry("broker", brokerUri), Map.entry("username", account),
                Map.entry("passwordFile", accounts.passwordFile(account).toString()),
                Map.entry("presumedData", d.presumedShare().toString()), Map.entry("presumed", s.presumed()),
                Map.entry("privateData", d.customerData().toString()), Map.entry("added", List.of(s.added())),
                Map.entry("edgeModel", m.edge().toString()), Map.entry("tutor", m.tutor().toString()),
                Map.entry("tutorPreset", s.family() + "/tutor"),
                Map.entry("workDir", s.out().resolve("onprem").toString()),
                Map.entry("epochs", s.epochs().rd()), Map.entry("learningRate", s.rd().learningRate()),
                Map.entry("alpha", s.rd().alpha()), Map.entry("beta", s.rd().beta())));
        return write(s.out().resolve("onprem.yaml"), "diredi onprem run --config onprem.yaml", c);
    }

    /**
     * One camera in its own folder (models, MQTT session, log): edge model v0 on the frame folder in a
     * loop at 4 fps, a status every 5 s. Absolute paths: the camera is another process.
     */
    Path camera(String customer, String cam, Path model, Path frames) throws IOException {
        Path dir = s.out().resolve(cam).toAbsolutePath();
        EdgeConfig c = EdgeConfig.DEFAULTS.with(Map.of(
                "device", Map.of("customer", customer, "id", cam),
                "profile", "cpu",
                "modelDir", dir.resolve("models").toString(),
                "initialModel", model.toAbsolutePath().toString(),
                "source", Map.of("type", "folder", "path", frames.toAbsolutePath().toString(), "loop", true,
                        "fpsLimit", 4),
                "mqtt", Map.of("enabled", true, "uri", brokerUri, "username", cam,
                        "passwordFile", accounts.passwordFile(cam).toAbsolutePath().toString(),
                        "sessionExpirySeconds", 3600, "persistenceDir", dir.resolve("mqtt").toString()),
                "trustedKey", accounts.publicKey().toAbsolutePath().toString(),
                "statusEverySeconds", 5,
                "threads", 1));
        return write(dir.resolve("edge.yaml"), "diredi edge run --config edge.yaml", c);
    }

    /** The whole configuration, every setting spelled out, under a comment saying what reads it. */
    private static Path write(Path file, String readBy, Object config) throws IOException {
        AtomicFiles.writeString(file, "# " + readBy + "\n# written by diredi demo: the shipped defaults with this run's"
                + " settings\n" + ConfigFiles.YAML.writeValueAsString(config));
        return file;
    }
}
