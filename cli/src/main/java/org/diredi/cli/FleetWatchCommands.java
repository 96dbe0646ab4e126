package org.diredi.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.fleet.FleetRollback;
import org.diredi.cloud.fleet.FleetStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code diredi fleet status} and {@code diredi fleet rollback}: subcommands of {@link FleetCommand}. */
final class FleetWatchCommands {

    private FleetWatchCommands() {}

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Every camera's model version and SHA-256, profile, connection, last seen and last OTA outcome,",
                "and each customer's current version and latest staged rollout, from the cloud's fleet record",
                "(<workDir>/fleet; no broker needed)."})
    static final class Status implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", defaultValue = "configs/cloud.yaml",
                description = "the cloud's settings (its workDir holds the record; default: ${DEFAULT-VALUE})")
        Path config;

        @Option(names = "--customer", paramLabel = "C", description = "only this customer's cameras")
        String customer;

        @Option(names = "--json", description = "JSON instead of a table")
        boolean json;

        @Override
        public Integer call() {
            FleetStatus.View v = FleetStatus.read(Path.of(CloudConfig.load(config).workDir()), customer);
            System.out.print(json ? FleetStatus.json(v) + "\n" : FleetStatus.table(v));
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = {"Return a customer's cameras to a model version they still hold: one signed instruction per",
                "camera (checked on the camera like an update), then the cameras' answers. A version the fleet record",
                "shows a camera never had is refused before anything is sent. Exit 0 when every camera applied it,",
                "10 when one refused or did not answer within --wait."})
    static final class Rollback implements Callable<Integer> {
        @Parameters(paramLabel = "CUSTOMER", description = "the customer whose cameras go back")
        String customer;

        @Option(names = "--to", required = true, paramLabel = "VERSION", description = "the model version to return to")
        long version;

        @Option(names = "--devices", split = ",", paramLabel = "ID", description = "only these cameras (default: all)")
        List<String> devices = List.of();

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
                description = "how long to wait for the cameras' answers (default: ${DEFAULT-VALUE})")
        long waitSeconds;

        @Option(names = "--config", paramLabel = "FILE", defaultValue = "configs/cloud.yaml",
                description = "the cloud's settings: broker account, signing key, workDir (default: ${DEFAULT-VALUE})")
        Path config;

        @Override
        public Integer call() throws InterruptedException {
            FleetRollback.Result r = FleetRollback.run(CloudConfig.load(config), customer, version, devices,
                    Duration.ofSeconds(waitSeconds), System.out);
            for (String d : r.devices()) {
                FleetRollback.Answer a = r.answers().get(d);
                System.out.println(d + ": " + (a == null ? "no answer within " + waitSeconds + " s (the instruction waits"
                        + " in its session)" : a.status() + ", runs v" + a.activeVersion()
                        + (a.reason() == null ? "" : " (" + a.reason() + ")")));
            }
            return r.allApplied() ? 0 : org.diredi.core.gate.GateDecision.EXIT_REJECTED;
        }
    }
}
