package org.diredi.core.gate;

import java.util.Map;

/**
 * The manufacturer's acceptance policy for an updated tutor (DiReDi step 6), in AP points
 * (0-100) on its own validation split.
 *
 * @param protectedClasses class -> largest AP drop allowed (the paper's "horse" case: a class the
 *                         manufacturer must keep even when a customer removes it)
 * @param maxDropOther     largest AP drop allowed for any other class not added or removed; null: no limit
 * @param minGainAdded     smallest AP gain required on every class the delta adds
 * @param minMapChange     smallest change of mAP over the classes the update keeps (added ones included,
 *                         removed ones left out), in points; null: no limit
 */
public record GatePolicy(Map<String, Double> protectedClasses, Double maxDropOther, double minGainAdded,
                         Double minMapChange) {

    public static final GatePolicy DEFAULTS = new GatePolicy(Map.of(), 5.0, 10.0, null);

    public GatePolicy {
        protectedClasses = protectedClasses == null ? Map.of() : Map.copyOf(protectedClasses);
        for (Map.Entry<String, Double> e : protectedClasses.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException("protectedClasses." + e.getKey()
                        + ": the largest allowed drop must be >= 0 AP points");
            }
        }
        if (maxDropOther != null && maxDropOther < 0) {
            throw new IllegalArgumentException("maxDropOther must be >= 0 AP points, got " + maxDropOther);
        }
    }
}
