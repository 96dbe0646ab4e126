package org.diredi.workflow.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.broker.BrokerConfig;
import org.diredi.cloud.CloudConfig;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.fleet.MachineConfigs;
import org.diredi.fleet.ManufacturerKeys;
import org.diredi.onprem.OnPremConfig;

/**
 * Every party's configuration file in the demo's folder, made as enrolment makes them
 * ({@link MachineConfigs}): the shipped defaults (configs/*.yaml) with the party's broker account and
 * keys, then the settings this run needs, validated while they are made. Each role then starts from its
 * file, as {@code diredi cloud serve / onprem run / edge run --config FILE} would. Passwords stay out of
 * the files: each names its account's password file.
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
        CloudConfig c = MachineConfigs.cloud(broker(DemoAccounts.CLOUD, false),
                new ManufacturerKeys(accounts.signingKey(), accounts.publicKey()), Map.ofEntries(
                Map.entry("workDir", s.out().resolve("cloud").toString()),
                Map.entry("data", d.manufacturerData().toString()), Map.entry("device", s.device()),
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
        OnPremConfig c = MachineConfigs.onprem(customer, broker(DemoAccounts.onprem(customer), false), Map.ofEntries(
                Map.entry("presumedData", d.presumedShare().toString()), Map.entry("presumed", s.presumed()),
                Map.entry("privateData", d.customerData().toString()), Map.entry("added", List.of(s.added())),
                Map.entry("edgeModel", m.edge().toString()), Map.entry("tutor", m.tutor().toString()),
                Map.entry("tutorPreset", s.family() + "/tutor"),
                Map.entry("workDir", s.out().resolve("onprem").toString()), Map.entry("device", s.device()),
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
        EdgeConfig c = MachineConfigs.camera(customer, cam, "cpu", broker(cam, true),
                accounts.publicKey().toAbsolutePath().toString(), Map.of(
                "modelDir", dir.resolve("models").toString(),
                "initialModel", model.toAbsolutePath().toString(),
                "source", Map.of("type", "folder", "path", frames.toAbsolutePath().toString(), "loop", true,
                        "fpsLimit", 4),
                "mqtt", Map.of("sessionExpirySeconds", 3600, "persistenceDir", dir.resolve("mqtt").toString()),
                "statusEverySeconds", 5,
                "threads", 1));
        return write(dir.resolve("edge.yaml"), "diredi edge run --config edge.yaml", c);
    }

    /** The account's connection to this run's broker; absolute paths for a party in another process. */
    private MachineConfigs.Broker broker(String account, boolean absolute) {
        Path pw = absolute ? accounts.passwordFile(account).toAbsolutePath() : accounts.passwordFile(account);
        return new MachineConfigs.Broker(brokerUri, account, pw.toString(), null);
    }

    /** The whole configuration, every setting spelled out, under a comment saying what reads it. */
    private static Path write(Path file, String readBy, Object config) throws IOException {
        return MachineConfigs.write(file, readBy + "\nwritten by diredi demo: the shipped defaults with this run's settings",
                config);
    }
}
