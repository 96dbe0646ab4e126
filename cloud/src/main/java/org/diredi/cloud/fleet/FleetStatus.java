package org.diredi.cloud.fleet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.diredi.vision.config.ConfigFiles;

/** {@code diredi fleet status}: the fleet record and every customer's rollout, read from the cloud's files. */
public final class FleetStatus {

    /** What the files say, for one customer or all. */
    public record View(Map<String, CustomerRollout> customers, List<DeviceRecord> devices) {}

    private static final List<String> COLUMNS = List.of("CUSTOMER", "DEVICE", "PROFILE", "VERSION", "SHA-256",
            "CONNECTION", "LAST SEEN", "LAST OTA");

    private FleetStatus() {}

    /**
     * Reads {@code <workDir>/fleet}; no broker needed.
     *
     * @param customer null for every customer
     * @throws IllegalArgumentException when there is no record, or no such customer in it
     */
    public static View read(Path workDir, String customer) {
        Path dir = Fleet.dir(workDir);
        List<DeviceRecord> devices = FleetRecord.read(dir.resolve(FleetRecord.FILE));
        Map<String, CustomerRollout> rollouts = CustomerRollout.readAll(dir.resolve("rollouts"));
        if (customer == null) {
            return new View(rollouts, devices);
        }
        TreeSet<String> known = new TreeSet<>(rollouts.keySet());
        devices.forEach(d -> known.add(d.customer()));
        if (!known.contains(customer)) {
            throw new IllegalArgumentException("--customer " + customer + ": not in the fleet record "
                    + dir.resolve(FleetRecord.FILE) + " (customers: " + (known.isEmpty() ? "none yet"
                    : String.join(", ", known)) + ")");
        }
        Map<String, CustomerRollout> one = new LinkedHashMap<>();
        if (rollouts.containsKey(customer)) {
            one.put(customer, rollouts.get(customer));
        }
        return new View(one, devices.stream().filter(d -> d.customer().equals(customer)).toList());
    }

    /** One line per customer's rollout, then one row per camera. */
    public static String table(View v) {
        StringBuilder s = new StringBuilder();
        v.customers().values().forEach(c -> s.append(summary(c)).append('\n'));
        List<List<String>> rows = new ArrayList<>();
        rows.add(COLUMNS);
        for (DeviceRecord d : v.devices()) {
            rows.add(List.of(d.customer(), d.device(), orDash(d.profile()),
                    d.modelVersion() == null ? "-" : d.modelVersion() < 0 ? "none" : "v" + d.modelVersion(),
                    d.modelSha256() == null ? "-" : d.modelSha256().substring(0, Math.min(12, d.modelSha256().length())),
                    orDash(d.connection()), seconds(d.lastSeen()),
                    d.lastOutcome() == null ? "-" : d.lastOutcome().toString()));
        }
        int[] width = new int[COLUMNS.size()];
        rows.forEach(r -> {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        });
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                line.append(i == r.size() - 1 ? r.get(i) : String.format("%-" + (width[i] + 2) + "s", r.get(i)));
            }
            s.append(line.toString().stripTrailing()).append('\n');
        }
        return s.toString();
    }

    /** A customer's current version and latest rollout, in one line. */
    public static String summary(CustomerRollout c) {
        String s = c.customer() + ": current version v" + c.current();
        CustomerRollout.Rollout r = c.rollout();
        if (r != null) {
            s += "; latest rollout v" + r.version() + " " + r.phase() + " (canaries " + r.canaries() + ", then "
                    + r.rest() + ")" + (r.reason() == null ? "" : ": " + r.reason());
        }
        return s;
    }

    /** The same as JSON: {@code customers} (current version, latest rollout) and {@code devices} (the records). */
    public static String json(View v) {
        Map<String, Object> customers = new LinkedHashMap<>();
        v.customers().forEach((k, c) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("current", c.current());
            m.put("rollout", c.rollout());
            customers.put(k, m);
        });
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("customers", customers);
        all.put("devices", v.devices());
        return ConfigFiles.toJson(all);
    }

    /** An instant to the second, for reading. */
    private static String seconds(String at) {
        try {
            return java.time.Instant.parse(at).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        } catch (RuntimeException e) {
            return orDash(at);
        }
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }
}
