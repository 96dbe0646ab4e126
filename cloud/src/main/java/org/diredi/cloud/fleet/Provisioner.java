package org.diredi.cloud.fleet;

import java.io.IOException;

/**
 * The signed artifact of a customer's model for one device profile when no release holds one: a camera
 * enrolled without a model reports version -1 on first contact and is sent its customer's current model,
 * exported for its profile and signed like any update.
 */
@FunctionalInterface
public interface Provisioner {

    /** The signed artifact of {@code customer}'s model {@code version} for {@code profile}; null when it cannot be made. */
    Artifact provide(String customer, long version, String profile) throws IOException;
}
