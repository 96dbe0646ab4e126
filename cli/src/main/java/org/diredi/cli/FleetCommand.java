package org.diredi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.fleet.Enrolment;
import org.diredi.fleet.FleetConfig;
import org.diredi.fleet.OnpremBundles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Enrolment on the manufacturer's server: customers, their on-prem PCs and cameras, cloud workers. */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {"Enrol customers and machines: a broker account (random password, stored hashed) with the",
            "grants of its role, the registry entry the cloud reads, a ready-to-copy folder with the machine's",
            "config and password file, and the mosquitto passwd / acl lines for the production broker; the",
            "cameras as the cloud sees them, rollbacks, and the signed bundle a customer's PC starts from."},
        subcommands = {FleetCommand.AddCustomer.class, FleetCommand.AddOnprem.class, FleetCommand.AddDevice.class,
            FleetCommand.AddCloud.class, FleetCommand.BundleOnprem.class, FleetWatchCommands.Status.class, FleetWatchCommands.Rollback.class})
final class FleetCommand {

    /** The fleet settings every subcommand takes. */
    static class Settings {
        private static final Path SHIPPED = Path.of("configs", "fleet.yaml");

        @Option(names = "--config", paramLabel = "FILE",
                description = "fleet settings (YAML/JSON; default: configs/fleet.yaml, where the README says to edit "
                        + "them, or the built-in defaults, which that file ships, when there is none)")
        Path config;

        Enrolment enrolment() {
            return new Enrolment(fleetConfig(), System.out);
        }

        FleetConfig fleetConfig() {
            if (config == null) {
                return Files.isRegularFile(SHIPPED) ? FleetConfig.load(SHIPPED) : FleetConfig.DEFAULTS;
            }
            return FleetConfig.load(config);
        }
    }

    @Command(name = "add-customer", mixinStandardHelpOptions = true,
            description = "Add a customer to the registry, starting from the manufacturer's current models (version 0).")
    static final class AddCustomer extends Settings implements Callable<Integer> {
        @Parameters(paramLabel = "CUSTOMER", description = "the customer id (A-Z a-z 0-9 _ -)")
        String customer;

        @Option(names = "--tutor", paramLabel = "CKPT", description = "its tutor (default: fleet.yaml models.tutor)")
        String tutor;

        @Option(names = "--edge", paramLabel = "CKPT", description = "its edge model (default: models.edge)")
        String edge;

        @Option(names = "--edge-preset", paramLabel = "PRESET", description = "the edge model's preset (default: models.edgePreset)")
        String edgePreset;

        @Override
        public Integer call() throws Exception {
            enrolment().addCustomer(customer, fleetConfig().models().overriddenBy(tutor, edge, edgePreset));
            return 0;
        }
    }

    @Command(name = "add-onprem", mixinStandardHelpOptions = true,
            description = "Enrol a customer's on-prem PC: its broker account and onprem.yaml.")
    static final class AddOnprem extends Settings implements Callable<Integer> {
        @Parameters(paramLabel = "CUSTOMER", description = "an enrolled customer")
        String customer;

        @Option(names = "--account", paramLabel = "NAME", description = "the account name (default: CUSTOMER-onprem)")
        String account;

        @Override
        public Integer call() throws Exception {
            enrolment().addOnprem(customer, account);
            return 0;
        }
    }

    @Command(name = "add-device", mixinStandardHelpOptions = true,
            description = "Enrol a camera: its broker account (CUSTOMER-DEVICE) and edge.yaml with the pinned public key.")
    static final class AddDevice extends Settings implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "CUSTOMER", description = "an enrolled customer")
        String customer;

        @Parameters(index = "1", paramLabel = "DEVICE", description = "the camera's id, new for this customer")
        String device;

        @Option(names = "--profile", required = true, paramLabel = "PROFILE",
                description = "its device profile: its updates are exported for it (diredi profiles list)")
        String profile;

        @Override
        public Integer call() throws Exception {
            enrolment().addDevice(customer, device, profile);
            return 0;
        }
    }

    @Command(name = "add-cloud", mixinStandardHelpOptions = true,
            description = {"Enrol the cloud (or with --worker one of its workers, on any machine that mounts its work",
                "folder): its broker account and cloud.yaml (reads the registry)."})
    static final class AddCloud extends Settings implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", arity = "0..1", description = "the account name (default: cloud)")
        String account;

        @Option(names = "--worker", description = "a worker account (cloud serve --worker): takes jobs, nothing else")
        boolean worker;

        @Override
        public Integer call() throws Exception {
            enrolment().addCloud(account, worker);
            return 0;
        }
    }

    @Command(name = "bundle-onprem", mixinStandardHelpOptions = true,
            description = {"One signed file with what a customer's PC needs for reverse distillation: its current tutor",
                "and deployed edge model (from the registry), the presumed data (fleet.yaml presumedData, the images",
                "of its classes only) and the class list. On the PC: diredi onprem unpack --bundle FILE --out DIR."})
    static final class BundleOnprem extends Settings implements Callable<Integer> {
        @Parameters(paramLabel = "CUSTOMER", description = "an enrolled customer")
        String customer;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "the bundle to write")
        Path out;

        @Override
        public Integer call() throws Exception {
            OnpremBundles.make(fleetConfig(), customer, out, System.out);
            return 0;
        }
    }
}
