package org.diredi.fleet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.diredi.broker.AccountStore;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.MosquittoFiles;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.registry.FleetRegistry;
import org.diredi.core.model.Presets;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.Topics;
import org.diredi.profiles.Profiles;

/**
 * Enrolment on the manufacturer's server ({@code diredi fleet add-*}): a customer into the registry; an
 * on-prem PC, a camera or a cloud worker as a broker account (random password, stored hashed) with the
 * topic grants of its role, its entry in the registry, a ready-to-copy folder with its configuration and
 * password file (owner-only), and the mosquitto passwd / acl lines for the production broker.
 *
 * <p>Every check comes first (unknown customer or profile, a device id or account taken, a corrupt
 * registry or account store, an existing folder): a refused enrolment changes nothing. The whole
 * enrolment holds the registry's lock, so two enrolments never interleave; the brokers and the cloud
 * pick up the result without a restart.
 */
public final class Enrolment {

    /** What an enrolment made: the broker account and the machine's folder. */
    public record Enrolled(String account, Path folder) {}

    /** One machine to enrol: its account, the registry change it makes (null: none), how its files are written. */
    private record Machine(String username, String role, String customer, String device, String profile,
                           UnaryOperator<FleetRegistry.Contents> change, FolderWriter files) {}

    private interface FolderWriter {
        void write(MachineFolder f) throws IOException;
    }

    private final FleetConfig config;
    private final FleetRegistry registry;
    private final Path accountStore;
    private final Path mosquittoDir;
    private final Path machines;
    private final ManufacturerKeys keys;
    private final PrintStream out;

    public Enrolment(FleetConfig config, PrintStream out) {
        this.config = config;
        this.registry = new FleetRegistry(Path.of(config.registry()));
        this.accountStore = Path.of(config.accountStore());
        this.mosquittoDir = Path.of(config.mosquittoDir());
        this.machines = Path.of(config.machines());
        this.keys = ManufacturerKeys.in(Path.of(config.keys()));
        this.out = out;
    }

    /** A new customer starting from {@code m} (checkpoints that must exist), at model version 0. */
    public void addCustomer(String customer, FleetConfig.Models m) throws IOException {
        Topics.id("customer", customer);
        Presets.get(m.edgePreset());
        Path tutor = requireFile(m.tutor(), "--tutor (fleet.yaml models.tutor)");
        Path edge = requireFile(m.edge(), "--edge (fleet.yaml models.edge)");
        registry.update(r -> {
            if (r.customers().containsKey(customer)) {
                throw new IllegalArgumentException(registry.file() + ": customer '" + customer
                        + "' already exists; nothing was changed");
            }
            return r.with(customer, new CloudConfig.Customer(tutor.toString(), edge.toString(), m.edgePreset(), 0,
                    List.of(), List.of()));
        });
        out.printf("fleet: customer %s added to %s (edge model %s, version 0)%n", customer, registry.file(),
                m.edgePreset());
        out.printf("fleet: next: diredi fleet add-onprem %s; diredi fleet add-device %s CAMERA --profile PROFILE%n",
                customer, customer);
    }

    /** A camera of {@code customer}, whose updates are exported for {@code profile} (a bundled device profile). */
    public Enrolled addDevice(String customer, String device, String profile) throws IOException {
        Topics.id("customer", customer);
        Topics.id("device", device);
        if (!Profiles.list().contains(profile)) { // the camera finds its profile by name
            throw new IllegalArgumentException("--profile " + profile + ": unknown device profile (known: "
                    + String.join(", ", Profiles.list()) + ")");
        }
        Path publicKey = keys.requirePublic();
        String account = Accounts.device(customer, device);
        Enrolled e = enrol(new Machine(account, BrokerConfig.DEVICE, customer, device, profile, r -> {
            CloudConfig.Customer c = requireCustomer(r, customer);
            c.device(device).ifPresent(d -> {
                throw new IllegalArgumentException(registry.file() + ": customer " + customer + " already has a device '"
                        + device + "' (profile " + d.profile() + "); nothing was changed");
            });
            return r.with(customer, c.withDevice(new CloudConfig.Device(device, profile)));
        }, f -> FleetFiles.camera(f, config, customer, device, profile, publicKey)));
        report("camera " + customer + "/" + device + " (profile " + profile + ")", e, "diredi edge run --config edge.yaml");
        return e;
    }

    /**
     * An on-prem PC of {@code customer}; {@code account} null = {@code <customer>-onprem}. The PC gets its own
     * Ed25519 key pair: the private key in its folder (mode 600, never printed), which signs the figures its
     * deltas carry; the public one in the customer's registry entry, which the cloud checks them against.
     */
    public Enrolled addOnprem(String customer, String account) throws IOException {
        Topics.id("customer", customer);
        String name = account == null ? Accounts.onprem(customer) : account;
        Path publicKey = keys.requirePublic();
        KeyPair figures = Ed25519.generate();
        Enrolled e = enrol(new Machine(name, BrokerConfig.ONPREM, customer, null, null, r -> {
            CloudConfig.Customer c = requireCustomer(r, customer);
            return r.with(customer, c.withOnprem(name).withFigureKey(Ed25519.encodePublic(figures.getPublic())));
        }, f -> FleetFiles.onprem(f, config, customer, requireCustomer(registry.read(), customer), publicKey,
                figures.getPrivate())));
        out.printf("fleet: its figures key %s: private in %s (mode 600), public in the registry%n",
                Ed25519.keyId(figures.getPublic()), e.folder().resolve(FleetFiles.CUSTOMER_KEY));
        report("on-prem PC of " + customer, e, "diredi onprem unpack --bundle BUNDLE --out manufacturer;"
                + " diredi onprem run --config onprem.yaml");
        return e;
    }

    /** A cloud worker on this server; {@code account} null = {@code cloud}. It needs the private key too. */
    public Enrolled addCloud(String account) throws IOException {
        return addCloud(account, false);
    }

    /**
     * The cloud ({@code worker} false: the intake, the cloud role) or one of its workers ({@code cloud serve
     * --worker}: the worker role, which only takes jobs and reports their decisions; jobs.shared set).
     */
    public Enrolled addCloud(String account, boolean worker) throws IOException {
        String name = account == null ? Accounts.CLOUD : account;
        keys.requirePublic();
        requireFile(keys.privateKey().toString(), "the signing key (fleet.yaml keys)");
        Enrolled e = enrol(new Machine(name, worker ? BrokerConfig.WORKER : BrokerConfig.CLOUD, null, null, null, null,
                f -> FleetFiles.cloud(f, config, keys, worker)));
        report((worker ? "cloud worker " : "cloud ") + name, e, "diredi cloud serve " + (worker ? "--worker " : "")
                + "--config " + e.folder().resolve("cloud.yaml"));
        return e;
    }

    /** Checks everything, then writes the folder, the account store, the registry and the mosquitto files. */
    private Enrolled enrol(Machine m) throws IOException {
        return registry.locked(() -> {
            FleetRegistry.Contents next = m.change() == null ? null : m.change().apply(registry.read());
            List<BrokerConfig.User> users = AccountStore.read(accountStore);
            AccountStore.requireFree(accountStore, users, m.username());
            MosquittoFiles.checkFree(mosquittoDir, m.username());
            Path target = machines.resolve(m.username());
            try (MachineFolder f = MachineFolder.stage(target)) {
                Accounts.Created a = Accounts.create(f.file(MachineFolder.PASSWORD), m.username(), m.role(),
                        m.customer(), m.device(), m.profile());
                m.files().write(f);
                f.place();
                commit(f, users, a, next);
                return new Enrolled(m.username(), f.target());
            }
        });
    }

    /** The account store and the registry, or neither (the folder is taken away again); then mosquitto's files. */
    private void commit(MachineFolder f, List<BrokerConfig.User> before, Accounts.Created a,
                        FleetRegistry.Contents next) throws IOException {
        List<BrokerConfig.User> after = new ArrayList<>(before);
        after.add(a.user());
        try {
            AccountStore.write(accountStore, after);
            if (next != null) {
                registry.write(next);
            }
        } catch (IOException | RuntimeException e) {
            try {
                AccountStore.write(accountStore, before);
                f.undo();
            } catch (IOException | RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        MosquittoFiles.add(mosquittoDir, a.user(), a.mosquittoPasswd());
    }

    private CloudConfig.Customer requireCustomer(FleetRegistry.Contents r, String customer) {
        CloudConfig.Customer c = r.customers().get(customer);
        if (c == null) {
            throw new IllegalArgumentException(registry.file() + ": unknown customer '" + customer + "' (enrolled: "
                    + (r.customers().isEmpty() ? "none" : String.join(", ", r.customers().keySet()))
                    + "); add it first: diredi fleet add-customer " + customer);
        }
        return c;
    }

    private static Path requireFile(String file, String what) {
        Path p = Path.of(file).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(what + " " + file + ": file not found");
        }
        return p;
    }

    /** What was made and where, never a secret. */
    private void report(String what, Enrolled e, String run) {
        out.printf("fleet: %s enrolled: broker account %s in %s, registry %s%n", what, e.account(), accountStore,
                registry.file());
        out.printf("fleet: copy %s/ to that machine and run there, in that folder: %s%n", e.folder(), run);
        out.printf("fleet: production broker: %s/passwd and acl updated (install in /etc/mosquitto/diredi, then"
                + " systemctl reload mosquitto)%n", mosquittoDir);
    }
}
