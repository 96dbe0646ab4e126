package org.diredi.broker;

import java.util.ArrayList;
import java.util.List;
import org.diredi.messaging.Topics;

/**
 * What each role may do, as data: the one policy that both brokers enforce. The embedded broker turns
 * it into HiveMQ topic permissions ({@link AclAuthenticator}), the production broker into mosquitto
 * ACL blocks ({@link MosquittoFiles}). Everything not granted is denied.
 * <ul>
 * <li>device (c, d): receive {@code ota(c,d)/#}; publish its own {@code detections}, {@code status}, {@code ota/report};
 * with a profile p, also receive {@code profileUpdates(c,p)/#} (its customer's fan-out updates for that profile)</li>
 * <li>onprem (c): publish {@code delta(c)/#}; receive {@code decision(c)}</li>
 * <li>cloud: publish and receive {@code diredi/v1/#}, shared subscriptions included</li>
 * <li>worker: receive the intake's jobs ({@code diredi/v1/cloud/jobs/+}, through a shared subscription);
 * publish that a job is decided ({@code diredi/v1/cloud/decided/+}); nothing of any customer or device</li>
 * </ul>
 */
public final class Grants {

    /** RECEIVE is subscribe (mosquitto: read), PUBLISH is publish (write), BOTH is both (readwrite). */
    public enum Access { RECEIVE, PUBLISH, BOTH }

    /**
     * One topic filter and what the account may do on it.
     *
     * @param shared whether shared subscriptions ({@code $share/group/...}) on it are allowed too
     */
    public record Grant(String filter, Access access, boolean shared) {}

    private Grants() {}

    public static List<Grant> of(BrokerConfig.User u) {
        return switch (u.role()) {
            case BrokerConfig.DEVICE -> device(u);
            case BrokerConfig.ONPREM -> List.of(
                    own(Topics.delta(u.customer()) + "/#", Access.PUBLISH),
                    own(Topics.decision(u.customer()), Access.RECEIVE));
            case BrokerConfig.CLOUD -> List.of(new Grant(Topics.PREFIX + "/#", Access.BOTH, true));
            case BrokerConfig.WORKER -> List.of(new Grant(Topics.ALL_JOBS, Access.RECEIVE, true),
                    own(Topics.ALL_DECIDED, Access.PUBLISH));
            default -> throw new IllegalStateException("unknown role " + u.role());
        };
    }

    private static List<Grant> device(BrokerConfig.User u) {
        List<Grant> g = new ArrayList<>(List.of(
                own(Topics.ota(u.customer(), u.device()) + "/#", Access.RECEIVE),
                own(Topics.detections(u.customer(), u.device()), Access.PUBLISH),
                own(Topics.status(u.customer(), u.device()), Access.PUBLISH),
                own(Topics.otaReport(u.customer(), u.device()), Access.PUBLISH)));
        if (u.profile() != null) {
            g.add(own(Topics.profileUpdates(u.customer(), u.profile()) + "/#", Access.RECEIVE));
        }
        return List.copyOf(g);
    }

    private static Grant own(String filter, Access access) {
        return new Grant(filter, access, false);
    }
}
