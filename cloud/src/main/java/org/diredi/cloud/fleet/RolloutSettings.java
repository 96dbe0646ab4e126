package org.diredi.cloud.fleet;

import java.util.Map;

/**
 * How an accepted update reaches a customer's cameras: a canary set first, the rest only once every
 * canary reported it APPLIED and has run it healthily for {@code healthySeconds}.
 *
 * @param canaries           cameras that get an update first (0 = every camera at once)
 * @param canaryFraction     if > 0, this share of the customer's cameras (rounded up) instead of {@code canaries}
 * @param healthySeconds     how long every canary's statuses must show it running the new version, online, before
 *                           the rest get it (a status at the end of that time included: a camera that went quiet
 *                           proves nothing)
 * @param resendAfterSeconds a camera heard from after it was sent its customer's current update and still
 *                           below it this long after the send is sent it again (it was offline past its MQTT
 *                           session, or is new)
 * @param customers          per customer: another canary count or fraction, e.g. {@code {acme: {canaries: 2}}}
 */
public record RolloutSettings(int canaries, double canaryFraction, long healthySeconds, long resendAfterSeconds,
                              Map<String, Canaries> customers) {

    /** One customer's canary set: a count, or a fraction when > 0. */
    public record Canaries(int canaries, double canaryFraction) {
        public Canaries {
            check(canaries, canaryFraction);
        }
    }

    public static final RolloutSettings DEFAULTS = new RolloutSettings(1, 0.0, 30, 60, Map.of());

    public RolloutSettings {
        check(canaries, canaryFraction);
        if (healthySeconds < 0 || resendAfterSeconds < 0) {
            throw new IllegalArgumentException("rollout.healthySeconds and rollout.resendAfterSeconds must be >= 0");
        }
        customers = customers == null ? Map.of() : Map.copyOf(customers);
        customers.keySet().forEach(c -> org.diredi.messaging.Topics.id("customer", c));
    }

    private static void check(int canaries, double fraction) {
        if (canaries < 0) {
            throw new IllegalArgumentException("rollout canaries must be >= 0, got " + canaries);
        }
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("rollout canaryFraction must be in [0, 1], got " + fraction);
        }
    }

    /** How many of a customer's {@code devices} cameras are canaries (0 = no staging). */
    public int canaryCount(String customer, int devices) {
        Canaries c = customers.getOrDefault(customer, new Canaries(canaries, canaryFraction));
        int n = c.canaryFraction() > 0 ? (int) Math.ceil(c.canaryFraction() * devices) : c.canaries();
        return Math.min(n, devices);
    }
}
