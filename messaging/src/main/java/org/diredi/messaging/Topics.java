package org.diredi.messaging;

import java.util.regex.Pattern;

/**
 * The MQTT topic tree, under a version prefix so a future incompatible layout can live beside it:
 * <pre>
 * diredi/v1/customers/{c}/devices/{d}/detections | status | ota/... | ota/report | ota/rollback
 * diredi/v1/customers/{c}/profiles/{p}/updates/... (one signed update for every camera of a profile, chunked)
 * diredi/v1/customers/{c}/onprem/delta/...       (knowledge deltas, chunked)
 * diredi/v1/customers/{c}/onprem/decision        (the cloud's verdict on a delta)
 * diredi/v1/cloud/jobs/{c}                       (the cloud's intake to its workers: a delta to decide)
 * diredi/v1/cloud/decided/{c}                    (a worker to the intake: that delta's decision is durable)
 * </pre>
 * Ids are restricted to {@code [A-Za-z0-9_-]{1,64}} so that no id can smuggle a level separator or a
 * wildcard into a topic (and from there past the broker's per-topic permissions).
 */
public final class Topics {

    public static final String PREFIX = "diredi/v1";
    /**
     * Cloud workers share this subscription so each message is handled by exactly one of them.
     * Shared subscriptions split messages, not transfers: the chunks of one chunked delta land on
     * different workers, so a {@link TransferReceiver} must not sit behind it. Receive deltas with
     * one receiver on {@link #ALL_DELTAS} and share out the assembled work instead.
     */
    public static final String CLOUD_DELTA_SHARED = "$share/cloud/" + PREFIX + "/customers/+/onprem/delta/#";

    /** Transfer base filter for knowledge deltas of every customer (for a {@code TransferReceiver} in the cloud). */
    public static final String ALL_DELTAS = PREFIX + "/customers/+/onprem/delta";

    /** Every device's retained status (the cloud's fleet view). */
    public static final String ALL_STATUS = PREFIX + "/customers/+/devices/+/status";

    /** Every device's OTA outcome reports. */
    public static final String ALL_OTA_REPORTS = PREFIX + "/customers/+/devices/+/ota/report";

    /** Every customer's delta jobs, announced by the cloud's intake ({@link #job}). */
    public static final String ALL_JOBS = PREFIX + "/cloud/jobs/+";

    /** Every worker's note that a job's decision is durable ({@link #decided}). */
    public static final String ALL_DECIDED = PREFIX + "/cloud/decided/+";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String CUSTOMERS = PREFIX + "/customers/";

    private Topics() {}

    public static String device(String customer, String device) {
        return CUSTOMERS + id("customer", customer) + "/devices/" + id("device", device);
    }

    public static String detections(String customer, String device) {
        return device(customer, device) + "/detections";
    }

    public static String status(String customer, String device) {
        return device(customer, device) + "/status";
    }

    /** Base of OTA transfers to one device ({@code .../ota/manifest}, {@code .../ota/chunk}). */
    public static String ota(String customer, String device) {
        return device(customer, device) + "/ota";
    }

    /** Where a device reports the outcome of an update. */
    public static String otaReport(String customer, String device) {
        return ota(customer, device) + "/report";
    }

    /**
     * Where a device gets a signed instruction to return to a model version it holds (under
     * {@code ota/}, so a device's OTA subscription and permissions cover it).
     */
    public static String otaRollback(String customer, String device) {
        return ota(customer, device) + "/rollback";
    }

    /**
     * Base of the fan-out OTA transfers to every camera of one customer and profile: the rest of a
     * staged rollout is published here once instead of once per camera. The update's signed manifest
     * names the customer and profile, and each camera checks both as well as the broker's permissions.
     */
    public static String profileUpdates(String customer, String profile) {
        return CUSTOMERS + id("customer", customer) + "/profiles/" + id("profile", profile) + "/updates";
    }

    /** Base of knowledge-delta transfers from a customer's on-prem PC. */
    public static String delta(String customer) {
        return CUSTOMERS + id("customer", customer) + "/onprem/delta";
    }

    public static String decision(String customer) {
        return CUSTOMERS + id("customer", customer) + "/onprem/decision";
    }

    /** Where the cloud's intake announces a received delta of {@code customer} as a job for its workers. */
    public static String job(String customer) {
        return PREFIX + "/cloud/jobs/" + id("customer", customer);
    }

    /**
     * The workers' shared subscription to every job: the broker hands each job to one member of
     * {@code group} (MQTT v5 shared subscriptions), so the broker is the workers' queue.
     */
    public static String sharedJobs(String group) {
        return "$share/" + id("worker group", group) + "/" + ALL_JOBS;
    }

    /** Where a worker tells the intake that a job of {@code customer} has a durable decision. */
    public static String decided(String customer) {
        return PREFIX + "/cloud/decided/" + id("customer", customer);
    }

    /** The last level of a topic (the customer of {@link #job} and {@link #decided}), checked as an id. */
    public static String lastId(String what, String topic) {
        return id(what, topic.substring(topic.lastIndexOf('/') + 1));
    }

    /** The customer id of a topic under {@code diredi/v1/customers/}. */
    public static String customerOf(String topic) {
        String[] levels = levelsUnderCustomers(topic);
        return id("customer", levels[0]);
    }

    /** The device id of a topic under {@code diredi/v1/customers/{c}/devices/}. */
    public static String deviceOf(String topic) {
        String[] levels = levelsUnderCustomers(topic);
        if (levels.length < 3 || !levels[1].equals("devices")) {
            throw new IllegalArgumentException("not a device topic: '" + topic + "'");
        }
        return id("device", levels[2]);
    }

    /** Checks an id (customer, device) and returns it. */
    public static String id(String what, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid " + what + " id '" + value
                    + "': expected 1-64 characters of A-Z a-z 0-9 _ -");
        }
        return value;
    }

    /**
     * MQTT topic matching: does {@code filter} (with {@code +}, {@code #}, maybe a
     * {@code $share/group/} prefix) match the concrete {@code topic}? As the specification says,
     * {@code a/#} also matches {@code a}, and wildcards at the first level do not match topics
     * starting with {@code $}.
     */
    public static boolean matches(String filter, String topic) {
        String f = stripShare(filter);
        validateFilter(f, filter);
        if (topic.isEmpty() || topic.contains("+") || topic.contains("#")) {
            throw new IllegalArgumentException("not a concrete topic: '" + topic + "'");
        }
        String[] fl = f.split("/", -1);
        String[] tl = topic.split("/", -1);
        if (topic.startsWith("$") && (fl[0].equals("+") || fl[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < fl.length; i++) {
            if (fl[i].equals("#")) {
                return true; // also matches the parent level itself (i == tl.length)
            }
            if (i >= tl.length) {
                return false;
            }
            if (!fl[i].equals("+") && !fl[i].equals(tl[i])) {
                return false;
            }
        }
        return fl.length == tl.length;
    }

    /** The filter without a {@code $share/group/} prefix. */
    public static String stripShare(String filter) {
        if (filter.startsWith("$share/")) {
            int slash = filter.indexOf('/', "$share/".length());
            if (slash < 0 || slash == "$share/".length() || slash == filter.length() - 1) {
                throw new IllegalArgumentException("invalid shared subscription '" + filter
                        + "': expected $share/{group}/{filter}");
            }
            return filter.substring(slash + 1);
        }
        return filter;
    }

    private static void validateFilter(String f, String original) {
        if (f.isEmpty()) {
            throw new IllegalArgumentException("empty topic filter");
        }
        String[] levels = f.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if (l.contains("#") && (!l.equals("#") || i != levels.length - 1)) {
                throw new IllegalArgumentException("invalid topic filter '" + original
                        + "': '#' must be a whole level and the last one");
            }
            if (l.contains("+") && !l.equals("+")) {
                throw new IllegalArgumentException("invalid topic filter '" + original
                        + "': '+' must be a whole level");
            }
        }
    }

    private static String[] levelsUnderCustomers(String topic) {
        if (topic == null || !topic.startsWith(CUSTOMERS)) {
            throw new IllegalArgumentException("not a " + CUSTOMERS + "... topic: '" + topic + "'");
        }
        return topic.substring(CUSTOMERS.length()).split("/", -1);
    }
}
