package org.diredi.edge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.edge.capture.Frame;
import org.diredi.edge.capture.FrameSource;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.edge.gpio.GpioActions;
import org.diredi.edge.model.HealthCheck;
import org.diredi.edge.model.ModelStore;
import org.diredi.edge.outbox.Message;
import org.diredi.edge.outbox.Outbox;
import org.diredi.edge.ota.OtaUpdater;
import org.diredi.edge.ota.UpdateOutcome;
import org.diredi.inference.Latencies;
import org.diredi.inference.OnnxDetector;
import org.diredi.messaging.Topics;
import org.diredi.profiles.DeviceProfile;
import org.diredi.vision.box.Detection;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.image.Preprocess;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.DetectionPainter;

/**
 * The camera's inference loop: frame -> preprocess -> ONNX Runtime -> decode + NMS -> detection events,
 * GPIO rules, annotated frames, and a periodic status message. The loop never waits for the network:
 * events, reports and status go through the {@link Outbox}, which queues them on disk while the broker
 * is out of reach. The model can be swapped between two frames by an OTA update; if a freshly swapped
 * model fails on a live frame the device rolls back.
 */
public final class EdgeRuntime implements AutoCloseable {

    /** Time shares of one frame, for status messages and the benchmark. */
    /** The version a camera without a model reports. */
    public static final long NO_MODEL = -1;

    public static final class Stats {
        public final Latencies capture = new Latencies(1000);
        public final Latencies preprocess = new Latencies(1000);
        public final Latencies inference = new Latencies(1000);
        public final Latencies decode = new Latencies(1000);
        public final Latencies frame = new Latencies(1000);
        private long frames;
        private long firstNanos;
        private long lastNanos;

        synchronized void frameDone(long now) {
            if (frames++ == 0) {
                firstNanos = now;
            }
            lastNanos = now;
        }

        public synchronized long frames() {
            return frames;
        }

        /** Frames per second over the run (wall clock, first to last frame). */
        public synchronized double fps() {
            return frames < 2 ? Double.NaN : (frames - 1) / ((lastNanos - firstNanos) / 1e9);
        }
    }

    private final EdgeConfig config;
    private final DeviceProfile profile;
    private final ModelStore store;
    private final HealthCheck health;
    private final OtaUpdater updater;
    private final Outbox outbox;
    private final GpioActions gpio;
    private volatile Stats stats = new Stats();
    private final Object modelLock = new Object();
    /** Null until a first model arrives over the air (a camera enrolled without one). */
    private OnnxDetector detector;
    /** The version {@code detector} is, -1 without a model (kept here: reading the store's pointer per frame would be I/O). */
    private volatile long version = NO_MODEL;
    private volatile UpdateOutcome lastUpdate;
    private long lastStatusNanos;

    /**
     * Opens the model store (installing {@code config.initialModel()} as version 0 when it is empty),
     * loads the active model through the health check (falling back to an older one if it fails), and
     * prepares GPIO. {@code outbox} may be null (no broker configured: no events, status or OTA). With an
     * empty store and no initial model, a camera with a broker starts without a model: it runs no
     * inference, and its status says so (version -1), until its customer's current model arrives over the air.
     */
    public EdgeRuntime(EdgeConfig config, DeviceProfile profile, Outbox outbox, PublicKey trusted, Clock clock) {
        this.config = config;
        this.profile = profile;
        this.outbox = outbox;
        this.store = new ModelStore(Path.of(config.modelDir()));
        this.health = new HealthCheck(profile, config.decode().toConfig(), config.threads(), config.health());
        if (store.active().isEmpty() && config.initialModel() != null) {
            store.install(0, Path.of(config.initialModel()), "initial: " + config.initialModel());
            store.activate(0);
        }
        if (store.active().isEmpty() && outbox == null) {
            throw new IllegalStateException(store.dir() + ": no model installed and no initialModel configured (without"
                    + " mqtt no model can arrive over the air)");
        }
        this.updater = new OtaUpdater(config.device().customer(), config.device().id(), profile.name(), trusted, store,
                health, this::swap, clock);
        this.detector = store.active().isEmpty() ? null : loadActive();
        this.gpio = new GpioActions(config.gpio().provider(), config.gpio().rules());
    }

    /** The active model, health-checked; an active model that fails falls back to the previous one. */
    private OnnxDetector loadActive() {
        while (true) {
            ModelStore.Installed a = store.active().orElseThrow();
            try {
                OnnxDetector d = health.check(store.path(a), null);
                version = a.version();
                return d;
            } catch (HealthCheck.Failed e) {
                System.err.printf("edge: model version %d fails its health check (%s)%n", a.version(), e.getMessage());
                lastUpdate = updater.rollBack(e.getMessage()); // throws when there is nothing older
            }
        }
    }

    public OtaUpdater updater() {
        return updater;
    }

    public ModelStore store() {
        return store;
    }

    public Stats stats() {
        return stats;
    }

    /** Starts the statistics afresh (benchmarks drop their warm-up frames this way). */
    public void resetStats() {
        stats = new Stats();
    }

    public GpioActions gpio() {
        return gpio;
    }

    public long activeVersion() {
        return version;
    }

    /** Swaps a checked detector in between two frames and closes the old one (none before the first model). */
    private void swap(OnnxDetector next) {
        OnnxDetector old;
        synchronized (modelLock) {
            old = detector;
            detector = next;
            version = store.active().orElseThrow().version(); // the updater activated it just before
            modelLock.notifyAll(); // a camera waiting for its first model starts its frames
        }
        if (old != null) {
            old.close();
        }
    }

    /** Whether a model runs (false until the first one arrives on a camera enrolled without one). */
    public boolean hasModel() {
        synchronized (modelLock) {
            return detector != null;
        }
    }

    /**
     * Waits for the first model, up to {@code millis}, publishing the status as often as when running;
     * false when there is none yet.
     */
    private boolean awaitModel(long millis) {
        synchronized (modelLock) {
            if (detector == null) {
                try {
                    modelLock.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (detector != null) {
                return true;
            }
        }
        if (outbox != null && System.nanoTime() - lastStatusNanos > config.statusEverySeconds() * 1e9) {
            publishStatus();
        }
        return false;
    }

    /** Handles a completed OTA transfer and reports the outcome on the device's report topic. */
    public UpdateOutcome onUpdate(byte[] signedManifest, Path artifact) {
        UpdateOutcome o = updater.apply(signedManifest, artifact);
        report(o);
        return o;
    }

    /**
     * An update published to every camera of this customer and profile: reported like one of its own,
     * unless this camera already runs it (then nothing happens; null).
     */
    public UpdateOutcome onSharedUpdate(byte[] signedManifest, Path artifact) {
        UpdateOutcome o = updater.applyShared(signedManifest, artifact);
        if (o != null) {
            report(o);
        }
        return o;
    }

    /** Follows a signed rollback instruction and reports the outcome like an update's. */
    public UpdateOutcome onRollback(byte[] signedInstruction) {
        UpdateOutcome o = updater.rollBackTo(config.device().customer(), signedInstruction);
        report(o);
        return o;
    }

    private void report(UpdateOutcome o) {
        lastUpdate = o;
        System.out.printf("edge: %s %s: %s (running version %d)%s%n",
                UpdateOutcome.ROLLBACK.equals(o.kind()) ? "rollback to" : "update", o.version(), o.status(),
                o.activeVersion(), o.reason() == null ? "" : ": " + o.reason());
        if (outbox != null) {
            try {
                outbox.postDurably(Message.atLeastOnce(Topics.otaReport(config.device().customer(), config.device().id()),
                        OtaUpdater.toJson(o)));
            } catch (RuntimeException e) { // the update itself stands: only its report is lost
                System.err.println("edge: OTA report not queued (" + e.getMessage() + ")");
            }
            publishStatus();
        }
    }

    /** Runs frames until the source ends, {@code maxFrames} is reached, or the thread is interrupted. */
    public void run(FrameSource source) {
        long minFrameNanos = config.source().fpsLimit() > 0 ? (long) (1e9 / config.source().fpsLimit()) : 0;
        while (!Thread.currentThread().isInterrupted()) {
            if (config.maxFrames() > 0 && stats.frames() >= config.maxFrames()) {
                break;
            }
            if (!awaitModel(200)) {
                continue; // no frames are read before there is a model to run them through
            }
            long t0 = System.nanoTime();
            Frame f = source.next();
            if (f == null) {
                break;
            }
            process(f, t0);
            long wait = minFrameNanos - (System.nanoTime() - t0);
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        publishStatus();
    }

    /** One frame through the whole pipeline; returns its detections. */
    public List<Detection> process(Frame f, long captureStartNanos) {
        long t1 = System.nanoTime();
        List<Detection> dets;
        List<String> classes;
        long modelVersion;
        synchronized (modelLock) {
            if (detector == null) {
                return List.of(); // no model yet
            }
            int s = detector.inputSize();
            float[] x = Preprocess.bgrToChw(f.bgr(), f.width(), f.height(), s, s);
            long t2 = System.nanoTime();
            OnnxDetector.Result r;
            try {
                r = detector.detect(x, f.width(), f.height());
            } catch (RuntimeException e) {
                rollBackAfterLiveFailure(e);
                return List.of();
            }
            stats.capture.add(t1 - captureStartNanos);
            stats.preprocess.add(t2 - t1);
            stats.inference.add(r.inferenceNanos());
            stats.decode.add(r.decodeNanos());
            dets = r.detections();
            classes = detector.classes();
            modelVersion = version;
        }
        long now = System.nanoTime();
        stats.frame.add(now - captureStartNanos);
        stats.frameDone(now);
        gpio.apply(dets, classes, System.currentTimeMillis());
        if (outbox != null && !dets.isEmpty()) { // never waits: the outbox's thread deals with the network
            outbox.post(Message.atLeastOnce(Topics.detections(config.device().customer(), config.device().id()),
                    detectionEvent(f, dets, classes, modelVersion)));
        }
        annotate(f, dets, classes);
        if (outbox != null && now - lastStatusNanos > config.statusEverySeconds() * 1e9) {
            publishStatus();
        }
        return dets;
    }

    /** A model that passed its health check but throws on live frames: back to the previous version. */
    private void rollBackAfterLiveFailure(RuntimeException e) {
        System.err.println("edge: inference failed on model version " + activeVersion() + ": " + e.getMessage());
        if (store.previous().isEmpty()) {
            throw e;
        }
        UpdateOutcome o = updater.rollBack("failed on a live frame: " + e.getMessage());
        ModelStore.Installed back = store.active().orElseThrow();
        OnnxDetector prev = health.check(store.path(back), null);
        OnnxDetector old = detector;
        detector = prev;
        version = back.version();
        old.close();
        report(o);
    }

    private byte[] detectionEvent(Frame f, List<Detection> dets, List<String> classes, long version) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("device", config.device().id());
        e.put("modelVersion", version);
        e.put("frame", f.index());
        e.put("source", f.name());
        e.put("at", java.time.Instant.now().toString());
        e.put("width", f.width());
        e.put("height", f.height());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Detection d : dets) {
            list.add(Map.of("class", classes.get(d.classId()), "score", Math.round(d.score() * 1000) / 1000.0,
                    "box", List.of(Math.round(d.box().x1()), Math.round(d.box().y1()), Math.round(d.box().x2()),
                            Math.round(d.box().y2()))));
        }
        e.put("detections", list);
        return ConfigFiles.toJson(e).getBytes(StandardCharsets.UTF_8);
    }

    private void annotate(Frame f, List<Detection> dets, List<String> classes) {
        if (config.annotate().dir() == null || f.index() % config.annotate().everyN() != 0) {
            return;
        }
        try {
            Path dir = Path.of(config.annotate().dir());
            Files.createDirectories(dir);
            AtomicFiles.writePng(dir.resolve(String.format("frame-%08d.png", f.index())),
                    DetectionPainter.draw(f.image(), dets, new ClassList(classes), null));
        } catch (IOException e) {
            System.err.println("edge: cannot write annotated frame " + f.index() + ": " + e.getMessage());
        }
    }

    /**
     * The status message: model (and the versions its store holds), fps and latency shares, GPIO, the
     * broker connection ("online", "offline" or "disabled") and the outbox (messages pending, dropped from
     * the full queue, refused); retained so a dashboard (and the cloud's fleet record) sees the latest.
     */
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        ModelStore.Installed m = store.active().orElse(null);
        s.put("device", config.device().id());
        s.put("customer", config.device().customer());
        s.put("profile", profile.name());
        s.put("modelVersion", m == null ? NO_MODEL : m.version());
        s.put("modelSha256", m == null ? null : m.sha256());
        if (m == null) {
            s.put("model", "none: no inference until the customer's current model arrives over the air");
        }
        s.put("modelVersions", store.versions()); // what a rollback instruction can return to
        s.put("frames", stats.frames());
        s.put("fps", round(stats.fps()));
        s.put("latencyMs", percentiles(stats.frame));
        s.put("inferenceMs", percentiles(stats.inference));
        s.put("gpio", gpio.pins().stream().collect(java.util.stream.Collectors.toMap(p -> "pin" + p, gpio::isHigh)));
        s.put("lastUpdate", lastUpdate);
        s.put("connection", outbox == null ? "disabled" : outbox.online() ? "online" : "offline");
        if (outbox != null) {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("pending", outbox.pending());
            q.put("dropped", outbox.dropped());
            q.put("refused", outbox.refused());
            s.put("queue", q);
        }
        s.put("at", java.time.Instant.now().toString());
        return s;
    }

    private static Map<String, Object> percentiles(Latencies l) {
        Map<String, Object> m = new LinkedHashMap<>(); // values may be null before the first frame
        m.put("p50", round(l.p50()));
        m.put("p99", round(l.p99()));
        return m;
    }

    private static Object round(double v) {
        return Double.isFinite(v) ? Math.round(v * 100) / 100.0 : null;
    }

    /** Asks for a status message; the outbox builds and publishes it when the broker is reachable. */
    public void publishStatus() {
        lastStatusNanos = System.nanoTime();
        if (outbox != null) {
            outbox.requestStatus();
        }
    }

    /** The status as the outbox publishes it. */
    public byte[] statusJson() {
        return ConfigFiles.toJson(status()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        synchronized (modelLock) {
            if (detector != null) {
                detector.close();
            }
        }
        gpio.close();
    }
}
