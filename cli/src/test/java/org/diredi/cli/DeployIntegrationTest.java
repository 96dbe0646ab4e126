package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.diredi.cloud.AuditLog;
import org.diredi.cloud.fleet.DeviceRecord;
import org.diredi.cloud.fleet.FleetStatus;
import org.diredi.core.TestData;
import org.diredi.core.model.Presets;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment of README "Deploy", every role a separate OS process started with the README's commands
 * (the test writes only the settings a user is told to set, and tiny budgets): the broker, the
 * manufacturer's keys, enrolment, the cloud, the customer's on-prem PC ({@code onprem unpack}, {@code
 * onprem run}) and three cameras on two profiles ({@code cpu} x2, {@code imx500}). Tiny models (the
 * {@code cpu/tutor} and {@code cpu/edge-bn} presets, one epoch on a few 96 px scenes), so it fits CI.
 * The second update fails the canary's health check by what its model finds: the canary's owner has
 * asked (its edge.yaml {@code health}) that a new model find again every detection v1 makes on the
 * camera's own frames, at IoU 0.9; the gate accepts v2, the canary rolls it back with the reason, and the
 * rollout halts with the others still on v1.
 */
@Tag("deploy")
class DeployIntegrationTest {

    private static final String CUSTOMER = "acme";
    /** Enrolled in this order: the first online camera is the rollout's canary. */
    private static final Map<String, String> CAMERAS = new LinkedHashMap<>();
    static {
        CAMERAS.put("cam-01", "cpu");
        CAMERAS.put("cam-02", "cpu");
        CAMERAS.put("cam-03", "imx500");
    }
    private static final String CLOUD_YAML = "work/fleet/machines/cloud/cloud.yaml";
    /** Generous: on a quiet 2-core machine each wait takes a minute or two; on a loaded one, several times that. */
    private static final Duration LONG = Duration.ofMinutes(15);
    /** Every process's log, kept after the run (CI keeps target/). */
    private static final Path LOGS = Path.of("target", "deploy-integration");

    @TempDir
    Path tmp;

    /** The cloud workers' accounts (README "Several cloud workers"). */
    private static final List<String> WORKERS = List.of("worker1", "worker2");

    /**
     * The cloud's processes, each {@code diredi} arguments run on the manufacturer's server: the intake,
     * which receives the deltas and announces them as jobs, and two workers that take them from the shared
     * subscription and decide them (README "Several cloud workers").
     */
    static List<List<String>> cloudProcesses() {
        List<List<String>> all = new java.util.ArrayList<>();
        all.add(List.of("cloud", "serve", "--config", CLOUD_YAML));
        for (String w : WORKERS) {
            all.add(List.of("cloud", "serve", "--worker", "--config", workerYaml(w)));
        }
        return all;
    }

    /** Both updates were decided by the workers, each once, not by the intake. */
    private static void checkTheWorkersDecided(DeployProcesses p) {
        long decided = 0;
        for (int i = 1; i < cloudProcesses().size(); i++) {
            decided += p.log("cloud-" + i).lines().filter(l -> l.matches("cloud .*: job .* of acme decided")).count();
        }
        assertEquals(2, decided, "two updates, each decided once by a worker");
        assertTrue(p.log("cloud-0").contains("announc"), "the intake announced the jobs:\n" + p.log("cloud-0"));
    }

    private static String workerYaml(String worker) {
        return "work/fleet/machines/" + worker + "/cloud.yaml";
    }

    @Test
    void theRolesDeployedWithTheReadmesCommandsRollOutUpdatesStagedAndRollBack() throws Exception {
        Path server = tmp.resolve("server");
        Path data = server.resolve("work/fashion-scenes");
        long t = System.nanoTime();
        Manufacturer m = manufacturer(server, data);
        System.out.printf("deploy-it: the manufacturer's models in %.1f s%n", (System.nanoTime() - t) / 1e9);
        try (DeployProcesses p = new DeployProcesses(LOGS)) {
            p.mark("the manufacturer's data and tiny models made");
            String uri = startBroker(p, server);
            enrol(p, server, m, uri);
            for (int i = 0; i < cloudProcesses().size(); i++) {
                p.service("cloud-" + i, server, DeployProcesses.DIREDI, cloudProcesses().get(i).toArray(String[]::new));
            }
            for (String cam : CAMERAS.keySet()) {
                p.service(cam, machine(server, cam), DeployProcesses.EDGE, "run", "--config", "edge.yaml");
            }
            p.await("every camera sent its customer's v0 for its profile", LONG, () -> allAt(server, 0));

            Path onprem = machine(server, "onprem");
            onpremUpdate(p, server, m, onprem, "acme.bundle", "manufacturer", "work", "update-1");
            p.await("every camera on v1", LONG, () -> allAt(server, 1));
            checkCanaryFirst(server, 1);
            checkImx500GotAnInt8ModelThatPassesItsProfile(p, server);
            checkStatusCommandShows(p, server, 1);

            demandAgreementOnTheCanary(p, server);
            p.await("the canary back online on v1 with its new settings", LONG, () -> onlineSinceRestart(server));
            p.ok("bundle-2", server, "fleet", "bundle-onprem", CUSTOMER, "--out", "work/fleet/acme-2.bundle", "--config",
                    "configs/fleet.yaml");
            onpremUpdate(p, server, m, onprem, "acme-2.bundle", "manufacturer-2", "work-2", "update-2");
            p.await("the rollout of v2 halted at its canary", LONG, () -> halted(server, 2));
            checkHaltedAtTheCanary(server, 2);
            checkStatusCommandShows(p, server, 1);
            checkTheWorkersDecided(p);

            p.ok("rollback", server, LONG, "fleet", "rollback", CUSTOMER, "--to", "0", "--wait", "600", "--config",
                    CLOUD_YAML);
            p.await("every camera back on v0", LONG, () -> allAt(server, 0));
            checkStatusCommandShows(p, server, 0);
        }
    }

    /** The manufacturer's own data and models, where configs/fleet.yaml points (README: Distill A and B). */
    record Manufacturer(Path tutor, Path edge, List<String> presumed, String added) {}

    private static Manufacturer manufacturer(Path server, Path data) throws IOException {
        VocDataset scenes = TestData.scenes(data, 8);
        Map<String, Integer> freq = new TreeMap<>();
        scenes.images().forEach(i -> i.objects().forEach(o -> freq.merge(ClassList.FASHION.name(o.classId()), 1,
                Integer::sum)));
        // the class the customer's data adds has validation objects, or the gate cannot measure it
        Set<String> inVal = new HashSet<>();
        VocDataset.load(data, "val", ClassList.FASHION).images().forEach(i -> i.objects()
                .forEach(o -> inVal.add(ClassList.FASHION.name(o.classId()))));
        String added = freq.entrySet().stream().filter(e -> inVal.contains(e.getKey()))
                .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<String> presumed = freq.keySet().stream().filter(c -> !c.equals(added)).toList();
        TrainConfig one = TrainConfig.DEFAULTS.withEpochs(1).withBatchSize(4);
        VocDataset own = scenes.restrictTo(presumed);
        Path models = server.resolve("work/manufacturer");
        Path tutor = Stages.run(Stages.Stage.direct("tutor", Presets.get("cpu/tutor"), one, own), ClassList.FASHION,
                models.resolve("tutor")).checkpoint();
        // the IMX500 takes only the batch-norm head (README, IMX500): the customer's edge model is cpu/edge-bn
        Path edge = Stages.run(Stages.Stage.direct("edge", Presets.get("cpu/edge-bn"), one, own), ClassList.FASHION,
                models.resolve("edge")).checkpoint();
        return new Manufacturer(tutor, edge, presumed, added);
    }

    /** {@code broker serve --config configs/broker.yaml}, on a free port (1883 may be taken on a CI machine). */
    private static String startBroker(DeployProcesses p, Path server) throws Exception {
        Path yaml = shipped(server, "broker.yaml", Map.of("port", 0));
        Process b = p.service("broker", server, DeployProcesses.DIREDI, "broker", "serve", "--config",
                server.relativize(yaml).toString());
        return p.awaitLog("broker", b, Pattern.compile("broker: listening on (tcp://[0-9.]+:[0-9]+)"),
                Duration.ofMinutes(2));
    }

    /** README "The manufacturer's server": keys, the cloud's account, the customer, its PC and its cameras. */
    private static void enrol(DeployProcesses p, Path server, Manufacturer m, String uri) throws Exception {
        shipped(server, "fleet.yaml", Map.of("brokerUri", uri, "models", Map.of("tutor", m.tutor().toString(),
                "edge", m.edge().toString(), "edgePreset", "cpu/edge-bn")));
        String cfg = "configs/fleet.yaml";
        p.ok("keys", server, "keys", "init", "--out", "keys");
        p.ok("add-cloud", server, "fleet", "add-cloud", "--config", cfg);
        p.ok("add-customer", server, "fleet", "add-customer", CUSTOMER, "--config", cfg);
        p.ok("add-onprem", server, "fleet", "add-onprem", CUSTOMER, "--config", cfg);
        p.ok("bundle-1", server, "fleet", "bundle-onprem", CUSTOMER, "--out", "work/fleet/acme.bundle", "--config", cfg);
        for (Map.Entry<String, String> cam : CAMERAS.entrySet()) {
            p.ok("add-" + cam.getKey(), server, "fleet", "add-device", CUSTOMER, cam.getKey(), "--profile",
                    cam.getValue(), "--config", cfg);
            cameraSettings(server, cam.getKey());
        }
        for (String w : WORKERS) {
            p.ok("add-" + w, server, "fleet", "add-cloud", w, "--worker", "--config", cfg);
        }
        // README: "set its data: (your own data) first"; the same work folder and data in every worker's
        // cloud.yaml, jobs.shared in the intake's; and tiny budgets
        Map<String, Object> settings = Map.of("data", server.resolve("work/fashion-scenes").toString(),
                "workDir", server.resolve("work/cloud").toString(),
                "gate", Map.of("maxDropOther", 100.0, "minGainAdded", -100.0), "distillCEpochs", 1,
                "distillCBatch", 4, "distillCFeatureWeight", 1.0, "otaExpiryHours", 2,
                "rollout", Map.of("canaries", 1, "healthySeconds", 3));
        edit(server.resolve(CLOUD_YAML), settings);
        edit(server.resolve(CLOUD_YAML), Map.of("jobs", Map.of("shared", true)));
        for (String w : WORKERS) {
            edit(server.resolve(workerYaml(w)), settings);
        }
    }

    /** The camera's folder as enrolment wrote it, with its source set (README: "in its edge.yaml set source"). */
    private static void cameraSettings(Path server, String cam) throws IOException {
        Path dir = machine(server, cam);
        Path frames = Files.createDirectories(dir.resolve("frames"));
        try (InputStream in = org.diredi.edge.EdgeDevice.class.getResourceAsStream("/org/diredi/edge/sample-frame.jpg")) {
            Files.write(frames.resolve("f0.jpg"), in.readAllBytes());
        }
        try (var s = Files.list(server.resolve("work/fashion-scenes/JPEGImages"))) {
            for (Path f : s.sorted().limit(4).toList()) {
                Files.copy(f, frames.resolve(f.getFileName()));
            }
        }
        edit(dir.resolve("edge.yaml"), Map.of("source", Map.of("type", "folder", "path", "frames", "loop", true,
                "fpsLimit", 2), "statusEverySeconds", 1));
        if (CAMERAS.get(cam).equals("imx500")) {
            standInSensor(dir);
        }
    }

    /**
     * This "IMX500" camera runs its int8 model with ONNX Runtime on a shared CI core, not on the sensor's
     * accelerator: the shipped profile's 50 ms budget measures the wrong chip (a loaded CI machine took
     * 148 ms). Its edge.yaml names a profile file, as README "Add a device profile" allows: the shipped
     * imx500 profile with a budget for this stand-in. Whatever it is sent is still checked against the
     * shipped profile ({@link #checkImx500GotAnInt8ModelThatPassesItsProfile}).
     */
    private static void standInSensor(Path dir) throws IOException {
        try (InputStream in = org.diredi.profiles.Profiles.class.getResourceAsStream(
                "/org/diredi/profiles/imx500.yaml")) {
            Files.write(dir.resolve("imx500.yaml"), in.readAllBytes());
        }
        edit(dir.resolve("imx500.yaml"), Map.of("latencyBudgetMs", 5000));
        edit(dir.resolve("edge.yaml"), Map.of("profile", "imx500.yaml"));
    }

    /**
     * README "The customer's PC": the bundle into its folder, {@code onprem unpack}, its settings (presumed
     * classes, private data, the added class; tiny budgets), {@code onprem run} until the decision.
     */
    private static void onpremUpdate(DeployProcesses p, Path server, Manufacturer m, Path onprem, String bundle,
                                     String into, String work, String name) throws Exception {
        Files.copy(server.resolve("work/fleet").resolve(bundle), onprem.resolve(into + ".bundle"));
        p.ok("unpack-" + name, onprem, "onprem", "unpack", "--bundle", into + ".bundle", "--out", into);
        edit(onprem.resolve("onprem.yaml"), Map.of("presumed", m.presumed(), "added", List.of(m.added()),
                "privateData", server.resolve("work/fashion-scenes").toString(), "epochs", 1, "beta", 0.1,
                "workDir", work, "decisionTimeoutSeconds", 600));
        // a later bundle goes into a folder of its own: point the models there
        edit(onprem.resolve("onprem.yaml"), Map.of("tutor", into + "/tutor.ckpt", "edgeModel", into + "/edge.ckpt",
                "classes", into + "/classes.txt", "presumedData", into + "/presumed"));
        String out = p.ok(name, onprem, LONG, "onprem", "run", "--config", "onprem.yaml");
        assertTrue(out.contains("decision: ACCEPTED"), out);
        // the figures on its val split, signed with the key enrolment gave this PC, which the cloud checked
        assertTrue(out.contains("on-prem: figures on the private split val") && out.contains("signed with key "), out);
    }

    /** When the canary was restarted with its stricter check (its status is heard after that). */
    private static java.time.Instant canaryRestarted;

    /**
     * The canary's owner asks more of a new model than the shipped default (edge.yaml {@code health}): on
     * the camera's own frames it must find again every detection the running model makes (same class, IoU
     * >= 0.9), and the camera reports what its model finds from a score it has seen v1 reach on those frames
     * (these tiny models are barely trained: the shipped 0.3 would leave v1 nothing to compare). Then the
     * camera is restarted, as after any edit of its edge.yaml.
     */
    private static void demandAgreementOnTheCanary(DeployProcesses p, Path server) throws Exception {
        Path dir = machine(server, "cam-01");
        float top = 0;
        try (var v1 = new org.diredi.inference.OnnxDetector(dir.resolve("models/v1.onnx"), 1,
                new org.diredi.vision.fcos.FcosDecoder.Config(0.001f, 1000, 0.6f, 100));
             var frames = new org.diredi.edge.capture.FolderSource(dir.resolve("frames"), false)) {
            int s = v1.inputSize();
            for (var f = frames.next(); f != null; f = frames.next()) {
                float[] x = org.diredi.vision.image.Preprocess.bgrToChw(f.bgr(), f.width(), f.height(), s, s);
                for (var d : v1.detect(x, f.width(), f.height()).detections()) {
                    top = Math.max(top, d.score());
                }
            }
        }
        assertTrue(top > 0.002f, "v1 finds nothing on the canary's frames: no agreement to ask for");
        float threshold = Math.min(0.05f, 0.9f * top);
        edit(dir.resolve("edge.yaml"), Map.of("health", Map.of("minAgreement", 1.0, "matchIou", 0.9,
                "referenceFrames", "frames"), "decode", Map.of("scoreThreshold", threshold)));
        p.stop("cam-01");
        canaryRestarted = java.time.Instant.now();
        p.service("cam-01", dir, DeployProcesses.EDGE, "run", "--config", "edge.yaml");
        p.mark(String.format(java.util.Locale.ROOT, "canary edge.yaml: health.minAgreement 1.0, matchIou 0.9,"
                + " referenceFrames frames, decode.scoreThreshold %.4f (v1's top score there %.4f); restarted", threshold,
                top));
    }

    private static boolean onlineSinceRestart(Path server) {
        try {
            return FleetStatus.read(server.resolve("work/cloud"), CUSTOMER).devices().stream().anyMatch(r ->
                    r.device().equals("cam-01") && "online".equals(r.connection()) && r.modelVersion() != null
                            && r.modelVersion() == 1 && r.heardAt() != null
                            && java.time.Instant.parse(r.heardAt()).isAfter(canaryRestarted.plusSeconds(2)));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean halted(Path server, long version) {
        return audit(server).stream().anyMatch(e -> "ROLLOUT_HALTED".equals(e.get("event"))
                && number(e.get("version")) == version);
    }

    /**
     * The canary alone was sent v2; it rolled it back for its agreement with v1, and the halt records that
     * reason; nobody else was sent v2.
     */
    private static void checkHaltedAtTheCanary(Path server, long version) {
        List<Map<String, Object>> audit = audit(server);
        Map<String, Object> halt = audit.get(indexes(audit, e -> "ROLLOUT_HALTED".equals(e.get("event"))
                && number(e.get("version")) == version).get(0));
        assertEquals("cam-01", halt.get("device"), halt.toString());
        String reason = String.valueOf(halt.get("reason"));
        assertTrue(reason.contains("ROLLED_BACK") && reason.contains("health check failed")
                && reason.contains("of the running model's") && reason.contains("health.minAgreement"), reason);
        List<Integer> shipped = indexes(audit, e -> "SHIPPED".equals(e.get("event")) && number(e.get("version")) == version);
        assertEquals(List.of("cam-01"), shipped.stream().flatMap(i -> sentTo(audit.get(i)).stream()).toList(),
                "only the canary was sent v" + version + ": " + audit);
        assertTrue(indexes(audit, e -> "ROLLOUT_COMPLETE".equals(e.get("event")) && number(e.get("version")) == version)
                .isEmpty(), "the rollout of v" + version + " never completes");
    }

    // ---- what is checked

    /** The update went to the canary first; the rest only after it reported APPLIED and its rollout completed. */
    private static void checkCanaryFirst(Path server, long version) {
        List<Map<String, Object>> audit = audit(server);
        List<Integer> shipped = indexes(audit, e -> "SHIPPED".equals(e.get("event")) && number(e.get("version")) == version);
        assertEquals(CAMERAS.keySet(), shipped.stream().flatMap(i -> sentTo(audit.get(i)).stream())
                .collect(Collectors.toSet()), "every camera was sent it: " + audit);
        Map<String, Object> first = audit.get(shipped.get(0));
        assertEquals("cam-01", first.get("device"), "the canary is sent the update first: " + audit);
        assertEquals("canary", first.get("as"));
        int applied = indexes(audit, e -> "OTA_REPORT".equals(e.get("event")) && "cam-01".equals(e.get("device"))
                && e.get("report") instanceof Map<?, ?> r && "APPLIED".equals(r.get("status"))
                && number(r.get("version")) == version).get(0);
        int complete = indexes(audit, e -> "ROLLOUT_COMPLETE".equals(e.get("event"))
                && number(e.get("version")) == version).get(0);
        assertTrue(applied < complete, "the rollout completes after the canary applied it: " + audit);
        for (int i : shipped.subList(1, shipped.size())) {
            assertTrue(i > complete, "the rest are sent it after the canary proved it: " + audit.get(i));
            assertTrue(List.of("fan-out", "rollout", "resend").contains(audit.get(i).get("as")), audit.get(i).toString());
        }
    }

    /** The cameras a SHIPPED entry went to: one device, or a fan-out's devices of one profile. */
    private static List<String> sentTo(Map<String, Object> shipped) {
        return shipped.get("device") != null ? List.of((String) shipped.get("device"))
                : ((List<?>) shipped.get("devices")).stream().map(String::valueOf).toList();
    }

    /** The IMX500 camera runs an int8 QDQ model, and {@code diredi profiles check} passes it for imx500. */
    private static void checkImx500GotAnInt8ModelThatPassesItsProfile(DeployProcesses p, Path server) throws Exception {
        Path onnx = machine(server, "cam-03").resolve("models/v1.onnx");
        String graph = new String(Files.readAllBytes(onnx), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(graph.contains("QuantizeLinear") && graph.contains("DequantizeLinear"),
                "the imx500 camera's model is int8 QDQ");
        String out = p.ok("profile-check", server, "profiles", "check", onnx.toString(), "--profile", "imx500");
        assertTrue(out.contains("model fits profile imx500"), out);
    }

    /** {@code fleet status --json}: every camera runs {@code version}, online. */
    private static void checkStatusCommandShows(DeployProcesses p, Path server, long version) throws Exception {
        String out = p.ok("status-v" + version, server, "fleet", "status", "--customer", CUSTOMER, "--json",
                "--config", CLOUD_YAML);
        String json = out.substring(out.indexOf('{'));
        List<?> devices = (List<?>) ConfigFiles.JSON.readValue(json, Map.class).get("devices");
        Map<String, Long> versions = new TreeMap<>();
        for (Object o : devices) {
            Map<?, ?> d = (Map<?, ?>) o;
            versions.put((String) d.get("device"), number(d.get("modelVersion")));
        }
        Map<String, Long> expected = new TreeMap<>();
        CAMERAS.keySet().forEach(c -> expected.put(c, version));
        assertEquals(expected, versions, out);
    }

    // ---- helpers

    private static boolean allAt(Path server, long version) {
        try {
            List<DeviceRecord> d = FleetStatus.read(server.resolve("work/cloud"), null).devices();
            return d.size() == CAMERAS.size() && d.stream().allMatch(r -> r.modelVersion() != null
                    && r.modelVersion() == version);
        } catch (RuntimeException e) {
            return false; // no record yet
        }
    }

    private static List<Map<String, Object>> audit(Path server) {
        return new AuditLog(server.resolve("work/cloud/audit.jsonl")).read();
    }

    private static List<Integer> indexes(List<Map<String, Object>> audit,
                                         java.util.function.Predicate<Map<String, Object>> p) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < audit.size(); i++) {
            if (p.test(audit.get(i))) {
                out.add(i);
            }
        }
        return out;
    }

    private static long number(Object o) {
        return o == null ? Long.MIN_VALUE : ((Number) o).longValue();
    }

    /** The machine folder enrolment wrote for {@code account} (a camera id, or "onprem"). */
    private static Path machine(Path server, String name) {
        return server.resolve("work/fleet/machines/" + CUSTOMER + "-" + name);
    }

    /** The shipped configs/NAME with {@code settings} set, written to the server's configs/ folder. */
    private static Path shipped(Path server, String name, Map<String, ?> settings) throws IOException {
        Path f = Files.createDirectories(server.resolve("configs")).resolve(name);
        Files.copy(Path.of("..", "configs", name), f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        edit(f, settings);
        return f;
    }

    /** Sets {@code settings} in a YAML file as a user would (sections merge), keeping its header comment. */
    @SuppressWarnings("unchecked")
    static void edit(Path yaml, Map<String, ?> settings) throws IOException {
        String text = Files.readString(yaml);
        String header = text.lines().takeWhile(l -> l.startsWith("#")).collect(Collectors.joining("\n", "", "\n"));
        Map<String, Object> m = ConfigFiles.YAML.readValue(text, LinkedHashMap.class);
        merge(m, (Map<String, Object>) settings);
        Files.writeString(yaml, header + ConfigFiles.YAML.writeValueAsString(m));
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> into, Map<String, Object> settings) {
        settings.forEach((k, v) -> {
            if (v instanceof Map<?, ?> sub && into.get(k) instanceof Map<?, ?> old) {
                Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) old);
                merge(copy, (Map<String, Object>) sub);
                into.put(k, copy);
            } else {
                into.put(k, v);
            }
        });
    }
}
