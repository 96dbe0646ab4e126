package org.diredi.workflow.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.CloudService;
import org.diredi.core.engine.Devices;
import org.diredi.messaging.DeltaDecision;
import org.diredi.onprem.OnPremConfig;
import org.diredi.onprem.OnPremTrainer;
import org.diredi.vision.io.AtomicFiles;

/**
 * The README's main job: the whole DiReDi loop on one machine with the embedded broker and the
 * bundled data. The manufacturer trains a tutor and distills the edge model (Distill B), or takes both
 * from the bundle made that way for the default settings ({@link BundledModels}); two cameras
 * (separate JVMs running the edge runtime) start with it; the customer's private data labels a class
 * the model does not know; the on-prem trainer sends its knowledge delta; the cloud verifies it,
 * re-distills (Distill C), exports, signs and ships; the cameras swap models; a before / after table
 * shows what they detect now, and a {@link StageClock} table where the time went.
 *
 * <p>Every party is set up as README's Deploy section tells a user to ({@link DemoDeployment}): the
 * manufacturer's keys, the broker from configs/broker.yaml, enrolment from configs/fleet.yaml (the cloud,
 * the customer with the manufacturer's models as its version 0, its on-prem PC, its two cameras), the
 * signed bundle unpacked on the customer's PC; then each party runs from the file enrolment wrote for it,
 * with the settings a user sets written into it: the cloud (customers from the registry) and the on-prem
 * trainer in this JVM, each camera as {@code diredi edge run} in its own folder and JVM.
 */
public final class DemoWorkflow {

    public static final String CUSTOMER = "demo";
    public static final List<String> CAMERAS = List.of("cam1", "cam2");

    /** A camera starts a JVM, loads ONNX Runtime and health-checks its model before its first frame. */
    private static final Duration CAMERA_START = Duration.ofMinutes(3);
    /** The cameras receive the update in chunks, verify it and health-check it before they report. */
    private static final Duration UPDATE_REPORTS = Duration.ofMinutes(3);
    /** Up to 40 frames at 4 fps, seen through statuses every 5 s. */
    private static final Duration RUN_ON_UPDATE = Duration.ofMinutes(2);

    private final DemoSettings s;
    private final PrintStream out;
    private final StageClock clock = new StageClock(Instant.now());

    private DemoWorkflow(DemoSettings s, PrintStream out) {
        this.s = s;
        this.out = out;
    }

    /**
     * Runs the demo; finished training stages in {@code s.out()} are reused. With
     * {@link DemoSettings#writeBundle()} it trains the manufacturer's models, writes them as a bundle and stops.
     */
    public static void run(DemoSettings s, PrintStream out) throws Exception {
        if (s.writeBundle() == null) {
            Cameras.requireClasspath(s.cameraClasspath());
        }
        new DemoWorkflow(s, out).run();
    }

    private void run() throws Exception {
        DemoData data = DemoData.prepare(s);
        clock.lap("data", "FashionScenes and each party's share");
        step("1/5 manufacturer: tutor and edge model (Distill B) on the presumed classes " + s.presumed());
        ManufacturerStages.Models models = ManufacturerStages.obtain(s, data, clock, out);
        if (s.writeBundle() != null) {
            writeBundle(data, models);
            return;
        }
        step("2/5 the manufacturer's server as README's Deploy sets it up: keys, broker, enrolment, cloud; the"
                + " two cameras (edge runtime JVMs)");
        Path v0 = ManufacturerStages.exportEdge(models, s.out().resolve("edge-v0"), out);
        clock.lap("export", "edge model v0 for profile " + DemoDeployment.PROFILE);
        DemoDeployment deploy = new DemoDeployment(s, out);
        clearLastRun(models, deploy);
        deploy.keys();
        CameraFrames frames = CameraFrames.copy(data, s.added(), s.out().resolve("camera-frames"));
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.load(deploy.brokerConfig()))) {
            out.println("broker: listening on " + broker.serverUri());
            DemoDeployment.Enrolled fleet = deploy.enrol(broker.serverUri(), models, data);
            CloudConfig cloudConfig = CloudConfig.load(deploy.cloud(fleet, data));
            clock.lap("enrolment", "keys, broker, fleet add-*, bundle-onprem, each machine's settings");
            try (CameraWatch watch = CameraWatch.connect(broker.serverUri(), cloudConfig.username(),
                         cloudConfig.secret(), CUSTOMER, CAMERAS, new DetectionTally(frames.truth(), data.classes()));
                 Cameras cams = Cameras.start(s.cameraClasspath(), cameraConfigs(deploy, fleet, v0, frames.dir()));
                 CloudService cloud = new CloudService(cloudConfig, out)) {
                cloud.start();
                awaitRunning(cams, watch);
                clock.lap("cameras start", "cloud, two camera JVMs until both ran v0");
                DeltaDecision decision = customerUpdate(deploy, fleet, data, cloudConfig);
                step("4/5 cameras apply the update");
                int applied = decision.accepted() ? awaitUpdate(cams, watch, frames.truth().size()) : noUpdate();
                step("5/5 before / after");
                Path updatedEdge = Path.of(cloud.customer(CUSTOMER).orElseThrow().edge());
                AddedClassEvidence evidence = AddedClassEvidence.read(s, PartyEvidence.cloudJob(
                        Path.of(cloudConfig.workDir()), decision.transferId()), s.out().resolve("onprem/update.delta"));
                DemoReport.write(s, data, models, new DemoReport.Update(decision, updatedEdge, applied,
                        CAMERAS.size()), evidence, watch.tally(), clock, out);
            }
        }
    }

    /** The manufacturer's models as a bundle a later run can start from ({@link BundledModels}). */
    private void writeBundle(DemoData data, ManufacturerStages.Models models) throws IOException {
        BundledModels.Contents c = BundledModels.write(s.writeBundle(), BundledModels.Recipe.of(s, data), models,
                s.commandLine());
        out.printf("wrote the bundle %s: %s (%,d bytes), %s (%,d bytes), manifest.json, README.md%n",
                s.writeBundle(), c.tutor().file(), c.tutor().bytes(), c.edge().file(), c.edge().bytes());
    }

    /**
     * Each run starts with a fresh broker (no retained messages or sessions), enrolment, cameras and cloud,
     * and without RD stages made from other manufacturer models than this run's. The last delta goes too (it is
     * remade from the kept RD stages in seconds): its figures were signed with the last enrolment's key, which the
     * fresh registry does not know.
     */
    private void clearLastRun(ManufacturerStages.Models models, DemoDeployment deploy) throws IOException {
        if (PartyEvidence.clearStaleRd(s.out().resolve("onprem"), models)) {
            out.println("demo: removed the on-prem RD stages of an earlier run with other manufacturer models");
        }
        Files.deleteIfExists(s.out().resolve("onprem").resolve("update.delta"));
        deploy.clearLastRun();
        AtomicFiles.deleteTree(s.out().resolve("cloud"));
    }

    private Map<String, Path> cameraConfigs(DemoDeployment deploy, DemoDeployment.Enrolled fleet, Path model,
                                            Path frames) throws IOException {
        Map<String, Path> configs = new LinkedHashMap<>();
        for (String cam : CAMERAS) {
            configs.put(cam, deploy.camera(fleet, cam, model, frames));
        }
        return configs;
    }

    /** Until every camera runs edge model v0 on its frames (a status after frames went through it). */
    private void awaitRunning(Cameras cams, CameraWatch watch) throws InterruptedException {
        try {
            Await.until("status of frames run on model v0 from every camera", CAMERA_START, () -> {
                cams.requireRunning();
                return CAMERAS.stream().allMatch(c -> watch.framesOn(c, 0) > 0);
            });
        } catch (Await.TimedOut e) {
            List<Path> logs = CAMERAS.stream().filter(c -> watch.framesOn(c, 0) == 0).map(cams::log).toList();
            throw new IllegalStateException(e.getMessage() + "; see " + logs, e);
        }
    }

    /**
     * Step 3 as {@code onprem run} does it: the customer's reverse distillation and upload, and the
     * cloud's decision on the delta.
     */
    private DeltaDecision customerUpdate(DemoDeployment deploy, DemoDeployment.Enrolled fleet, DemoData data,
                                         CloudConfig cloud) throws IOException, InterruptedException {
        step("3/5 customer's PC: reverse distillation RD B / RD A, the knowledge delta, its upload; the cloud"
                + " verifies, re-distills (Distill C), exports, signs and ships");
        OnPremConfig onprem = deploy.onprem(fleet, data);
        Devices.require(onprem.device(), "onprem.yaml: device");
        DeltaDecision decision = new OnPremTrainer(onprem, out).run(); // waits for the decision (decisionTimeoutSeconds)
        Path rd = Path.of(onprem.workDir());
        clock.lapAt("RD B", PartyEvidence.written(rd.resolve("tutor1-rdB/model.ckpt")), "tutor 1 on the presumed data");
        clock.lapAt("RD A", PartyEvidence.written(rd.resolve("update.delta")),
                "tutor 2 on presumed + private data, the delta (Eq. 9)");
        out.println("decision: " + decision.status() + " - " + decision.reason());
        cloudLaps(decision, Path.of(cloud.workDir()));
        return decision;
    }

    /** The cloud's part, from what it left: the delta received, the gate's verdict, Distill C's model. */
    private void cloudLaps(DeltaDecision d, Path cloud) {
        Path job = PartyEvidence.cloudJob(cloud, d.transferId());
        clock.lapAt("upload", PartyEvidence.audited(cloud, "RECEIVED", d.transferId()), "chunked over MQTT");
        clock.lapAt("gate", PartyEvidence.written(job.resolve("gate.json")), "verify, Eq. 10, both tutors on val");
        clock.lapAt("Distill C", PartyEvidence.written(job.resolve("edge-distill-C/model.ckpt")),
                d.accepted() ? "updated tutor -> edge model" : "not run: rejected");
        clock.lap("ship", "export, profile check, sign, OTA send, decision back");
    }

    /**
     * Until every camera reported on the update, then until those that applied it ran each frame through
     * model v1 once. A camera late with either is reported and left out, not an error: the report still
     * compares the models.
     *
     * @return how many cameras applied the update
     */
    private int awaitUpdate(Cameras cams, CameraWatch watch, int frames) throws InterruptedException {
        awaitOrSay("update report from every camera", UPDATE_REPORTS, () -> {
            cams.requireRunning();
            return CAMERAS.stream().allMatch(c -> watch.report(c) != null);
        });
        clock.lap("camera apply", "chunks, signature, health check, swap, report");
        List<String> applied = new ArrayList<>();
        for (String cam : CAMERAS) {
            Map<?, ?> r = watch.report(cam);
            if (r != null) {
                out.println("camera report: " + r);
                if ("APPLIED".equals(r.get("status"))) {
                    applied.add(cam);
                }
            }
        }
        awaitOrSay("status of " + frames + " frames run on model v1 from " + applied, RUN_ON_UPDATE,
                () -> applied.stream().allMatch(c -> watch.framesOn(c, 1) >= frames));
        clock.lap("cameras run v1", "every frame once through model v1");
        return applied.size();
    }

    /** A rejected update: nothing to apply, the cameras keep model v0. */
    private int noUpdate() {
        clock.lapAt("camera apply", null, "rejected: the cameras keep model v0");
        return 0;
    }

    private void awaitOrSay(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        try {
            Await.until(what, timeout, done);
        } catch (Await.TimedOut e) {
            out.println("demo: " + e.getMessage() + "; going on");
        }
    }

    private void step(String what) {
        out.printf("%n== demo %s  [%.1f min]%n", what, clock.minutesSoFar());
    }
}
