package org.diredi.cloud.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * What a {@code diredi fleet rollback} did, left for the running cloud in {@code fleet/requests/} (picked
 * up within a tick, or at its next start): a rollback of every camera of a customer makes
 * {@code toVersion} the customer's current version and supersedes a rollout still at its canaries.
 *
 * @param allDevices true when no device list was given: the whole fleet of the customer went back
 */
public record RollbackRequest(String customer, long toVersion, List<String> devices, boolean allDevices, String at) {

    public RollbackRequest {
        devices = List.copyOf(devices);
    }

    void write(Path requests) {
        Path f = requests.resolve(System.currentTimeMillis() + "-" + customer + ".json");
        try {
            AtomicFiles.writeJson(f, this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    static RollbackRequest read(Path f) {
        try {
            return ConfigFiles.JSON.readValue(f.toFile(), RollbackRequest.class);
        } catch (IOException e) {
            throw new IllegalStateException(f + ": unreadable rollback request (" + e.getMessage() + ")", e);
        }
    }
}
