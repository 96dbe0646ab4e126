package org.diredi.messaging;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.diredi.vision.config.ConfigFiles;

/**
 * The cloud's answer to a knowledge delta, published on {@link Topics#decision(String)}.
 *
 * @param transferId   the upload it answers
 * @param status       ACCEPTED (shipped as {@code modelVersion}), REJECTED (by the gate or validation)
 * @param reason       why, in one line
 * @param perClassAp   tutor AP before / after per class on the manufacturer's validation split (percent)
 * @param modelVersion the edge model version shipped to the customer's devices, or -1
 * @param devices      devices the update was sent to
 */
public record DeltaDecision(String transferId, String status, String reason, Map<String, double[]> perClassAp,
                            long modelVersion, java.util.List<String> devices, String at) {

    public boolean accepted() {
        return "ACCEPTED".equals(status);
    }

    public byte[] toJson() {
        return ConfigFiles.toJson(this).getBytes(StandardCharsets.UTF_8);
    }

    public static DeltaDecision fromJson(byte[] json) {
        try {
            return ConfigFiles.JSON.readValue(json, DeltaDecision.class);
        } catch (java.io.IOException e) {
            throw new MessagingException("malformed delta decision: " + e.getMessage(), e);
        }
    }
}
