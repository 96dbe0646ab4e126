package org.diredi.workflow.demo;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.vision.config.ConfigFiles;

/**
 * The demo's view of the customer's cameras over MQTT: their detection events (tallied per model
 * version), their retained status (model version, frames so far) and their update reports. It uses the
 * cloud's account, which may read every device topic.
 */
final class CameraWatch implements AutoCloseable {

    /** A camera's model version and frame count, from its status message. */
    record Status(long version, long frames) {}

    private final MqttLink link;
    private final DetectionTally tally;
    private final Map<String, Status> latest = new ConcurrentHashMap<>();
    /** camera -> model version -> its frame count in the first status on that version */
    private final Map<String, Map<Long, Long>> framesAtStart = new ConcurrentHashMap<>();
    private final Map<String, Map<?, ?>> reports = new ConcurrentHashMap<>();

    private CameraWatch(MqttLink link, DetectionTally tally) {
        this.link = link;
        this.tally = tally;
    }

    /** Connects as {@code account} and subscribes to each camera's detections, status and update reports. */
    static CameraWatch connect(String brokerUri, String account, String password, String customer,
                               List<String> cameras, DetectionTally tally) {
        MqttLink link = new MqttLink(MqttLink.Options.of(brokerUri, account + ".watch")
                .withCredentials(account, password));
        CameraWatch w = new CameraWatch(link, tally);
        link.connect();
        for (String cam : cameras) {
            link.subscribe(Topics.detections(customer, cam), 0,
                    (t, p, u) -> tally.add(ConfigFiles.JSON.readValue(p, Map.class)));
            link.subscribe(Topics.status(customer, cam), 1,
                    (t, p, u) -> w.onStatus(cam, ConfigFiles.JSON.readValue(p, Map.class)));
            link.subscribe(Topics.otaReport(customer, cam), 1,
                    (t, p, u) -> w.reports.put(cam, ConfigFiles.JSON.readValue(p, Map.class)));
        }
        return w;
    }

    private void onStatus(String cam, Map<?, ?> s) {
        Status now = new Status(((Number) s.get("modelVersion")).longValue(), ((Number) s.get("frames")).longValue());
        framesAtStart.computeIfAbsent(cam, c -> new ConcurrentHashMap<>()).putIfAbsent(now.version(), now.frames());
        latest.put(cam, now);
    }

    DetectionTally tally() {
        return tally;
    }

    /** Frames {@code cam} has run through model {@code version} as far as its statuses tell; 0 when it runs another. */
    long framesOn(String cam, long version) {
        Status now = latest.get(cam);
        if (now == null || now.version() != version) {
            return 0;
        }
        return now.frames() - framesAtStart.get(cam).get(version);
    }

    /** The last update report of {@code cam} ({@code status}: APPLIED, REJECTED or ROLLED_BACK), or null. */
    Map<?, ?> report(String cam) {
        return reports.get(cam);
    }

    @Override
    public void close() {
        link.close();
    }
}
