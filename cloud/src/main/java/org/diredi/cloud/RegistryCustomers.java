package org.diredi.cloud;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.diredi.cloud.CloudService.CustomerState;
import org.diredi.cloud.registry.FleetRegistry;
import org.diredi.vision.io.FileStamp;

/**
 * The customers of the fleet registry. The file is looked at (one {@code stat}) whenever a customer is
 * asked for and re-read when it changed, so customers and devices enrolled while the cloud runs are
 * served without a restart. An invalid registry is an error at start; later it is reported once and
 * the last good one stays in force. Accepted updates are written back into the registry.
 */
final class RegistryCustomers implements Customers {

    private final FleetRegistry registry;
    private final PrintStream out;
    private FileStamp stamp;
    private FleetRegistry.Contents contents;

    /** @throws org.diredi.vision.config.ConfigFiles.ConfigException naming the registry when it is not valid */
    RegistryCustomers(Path file, PrintStream out) {
        this.registry = new FleetRegistry(file);
        this.out = out;
        this.stamp = FileStamp.of(file);
        this.contents = registry.read();
    }

    private synchronized FleetRegistry.Contents current() {
        FileStamp now = FileStamp.of(registry.file());
        if (!now.equals(stamp)) {
            stamp = now;
            try {
                contents = registry.read();
                out.println("cloud: registry " + registry.file() + " re-read: " + contents.customers().size()
                        + " customer(s)");
            } catch (RuntimeException e) {
                out.println("cloud: " + e.getMessage() + "; keeping the registry read before");
            }
        }
        return contents;
    }

    @Override
    public Optional<CloudConfig.Customer> get(String id) {
        return Optional.ofNullable(current().customers().get(id));
    }

    /** The registry holds the current models: an accepted update is written into it. */
    @Override
    public CustomerState state(String id, CloudConfig.Customer c) {
        return new CustomerState(c.tutor(), c.edge(), c.version());
    }

    @Override
    public void updated(String id, CustomerState s) throws IOException {
        registry.update(r -> {
            CloudConfig.Customer c = r.customers().get(id);
            if (c == null) {
                throw new IllegalStateException(registry.file() + ": customer " + id + " was removed during its update");
            }
            return r.with(id, c.withModels(s.tutor(), s.edge(), s.version()));
        });
        current();
    }

    @Override
    public Set<String> ids() {
        return current().customers().keySet();
    }

    @Override
    public String source() {
        return "the registry " + registry.file() + " (" + ids().size() + " customer(s) now, re-read when it changes)";
    }
}
