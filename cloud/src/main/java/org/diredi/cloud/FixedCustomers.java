package org.diredi.cloud;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.diredi.cloud.CloudService.CustomerState;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/** The customers cloud.yaml lists, each with its state after an update in {@code <workDir>/customers/<id>.json}. */
final class FixedCustomers implements Customers {

    private final Map<String, CloudConfig.Customer> customers;
    private final Path stateDir;

    FixedCustomers(Map<String, CloudConfig.Customer> customers, Path stateDir) {
        this.customers = customers;
        this.stateDir = stateDir;
    }

    @Override
    public Optional<CloudConfig.Customer> get(String id) {
        return Optional.ofNullable(customers.get(id));
    }

    /** The saved state after an update, else the configured start. */
    @Override
    public CustomerState state(String id, CloudConfig.Customer c) {
        Path f = stateDir.resolve(id + ".json");
        if (Files.exists(f)) {
            try {
                return ConfigFiles.JSON.readValue(f.toFile(), CustomerState.class);
            } catch (IOException e) {
                throw new UncheckedIOException(f + ": unreadable customer state (" + e.getMessage() + ")", e);
            }
        }
        return new CustomerState(c.tutor(), c.edge(), c.version());
    }

    @Override
    public void updated(String id, CustomerState s) throws IOException {
        AtomicFiles.writeJson(stateDir.resolve(id + ".json"), s);
    }

    @Override
    public Set<String> ids() {
        return customers.keySet();
    }

    @Override
    public String source() {
        return "cloud.yaml's customers " + new java.util.TreeSet<>(customers.keySet());
    }
}
