package org.diredi.cloud;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.diredi.cloud.CloudService.CustomerState;

/**
 * Where the cloud finds its customers and records their updates: the fleet registry (re-read when
 * enrolment changes it) or, when cloud.yaml lists customers, that list with a state file per customer.
 */
interface Customers {

    /** The customer as it is now, or empty for a stranger. */
    Optional<CloudConfig.Customer> get(String id);

    /** Where {@code c} is now: its current tutor, edge model and version. */
    CustomerState state(String id, CloudConfig.Customer c);

    /** Records an accepted update of {@code id}. */
    void updated(String id, CustomerState s) throws IOException;

    Set<String> ids();

    /** Every customer as known now, by id. */
    default java.util.Map<String, CloudConfig.Customer> all() {
        java.util.Map<String, CloudConfig.Customer> m = new java.util.TreeMap<>();
        for (String id : ids()) {
            get(id).ifPresent(c -> m.put(id, c));
        }
        return m;
    }

    /** Where the customers come from, for the start-up line. */
    String source();

    static Customers of(CloudConfig config, Path work, PrintStream out) {
        if (!config.customers().isEmpty() || config.registry() == null) {
            return new FixedCustomers(config.customers(), work.resolve("customers"));
        }
        return new RegistryCustomers(Path.of(config.registry()), out);
    }
}
