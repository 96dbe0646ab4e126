package org.diredi.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.CloudService;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.model.Presets;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.export.OnnxExporter;
import org.diredi.messaging.DeltaDecision;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.onprem.OnPremConfig;
import org.diredi.onprem.OnPremTrainer;
import org.diredi.onprem.ReverseDistillation;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.Charts;
import org.diredi.vision.report.MarkdownTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's main job: the whole DiReDi loop on one machine with the embedded broker and the
 * bundled data. The manufacturer trains a tutor and distills the edge model (Distill B); two cameras
 * (separate JVMs running the edge runtime) start with it; the customer's private data labels a class
 * the model does not know; the on-prem trainer sends its knowledge delta; the cloud verifies it,
 * re-distills (Distill C), exports, signs and ships; the cameras swap models; a before / after table
 * shows what they detect now.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The whole DiReDi loop on one machine: embedded MQTT broker, bundled FashionScenes data, a",
            "manufacturer, two simulated cameras, a customer with a private class, the cloud. Resumable: a rerun",
            "reuses finished training stages."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", description = "working folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/demo");

    // The tiny family's edge model (116k parameters) does not learn the scenes: its box loss rises and
    // turned NaN in Distill B (BENCHMARKS.md section 4); cpu is the smallest family that learns them.
    @Option(names = "--family", description = "model family: cpu, or tiny for a smoke run (default: ${DEFAULT-VALUE})")
    String family = "cpu";

    @Option(names = "--epochs", split = ",", paramLabel = "TUTOR,EDGE,RD,C",
            description = "epochs of the tutor, Distill B, each RD run, Distill C (default: ${DEFAULT-VALUE})")
    List<Integer> epochs = List.of(6, 8, 4, 5);

    @Option(names = "--presumed", split = ",", description = "classes the manufacturer presumes (default: ${DEFAULT-VALUE})")
    List<String> presumed = List.of("tshirt", "trouser", "dress", "sandal", "bag");

    @Option(names = "--added", description = "the class only the customer's data labels (default: ${DEFAULT-VALUE})")
    String added = "boot";

    @Option(names = "--rd", split = ",", paramLabel = "LR,ALPHA,BETA",
            description = "reverse distillation: learning rate, alpha (L_gt), beta (L_RD) (default: ${DEFAULT-VALUE})")
    List<Float> rd = List.of(0.002f, 1.0f, 1.0f);

    // Heavier FGD made the edge model worse in every run (BENCHMARKS.md section 5).
    @Option(names = "--fgd-weight", description = "weight of the FGD loss in Distill B and C (default: ${DEFAULT-VALUE})")
    float fgdWeight = 0.01f;

    // With these defaults the whole loop took 9.8-12.4 min on 2 cores (BENCHMARKS.md section 4 has the runs).
    @Option(names = "--images", description = "training scenes the demo uses: 70% the manufacturer's, 30% the "
            + "customer's (default: ${DEFAULT-VALUE})")
    int images = 1200;

    @Option(names = "--backbones", paramLabel = "DIR", description = "pretrained backbones <family>-<role>.backbone "
            + "('diredi pretrain'); a missing file means a random backbone (default: ${DEFAULT-VALUE})")
    Path backbones = Path.of("models/pretrained");

    static final String CUSTOMER = "demo";
    static final List<String> CAMERAS = List.of("cam1", "cam2");

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        float rdLr = rd.get(0);
        float rdAlpha = rd.get(1);
        float rdBeta = rd.get(2);
        Path data = out.resolve("fashion-scenes");
        org.diredi.vision.scenes.FashionScenes.ensure(data);
        ClassList classes = ClassList.read(data.resolve("classes.txt"));
        classes.ids(presumed);
        classes.ids(List.of(added));
        // Of the first --images training scenes the manufacturer owns 70%, the customer 30% (disjoint).
        VocDataset all = VocDataset.load(data, "train", classes);
        if (images < 10 || images > all.size()) {
            throw new IllegalArgumentException("--images must be between 10 and " + all.size() + ", got " + images);
        }
        List<VocImage> train = all.images().subList(0, images);
        int cut = (int) Math.round(images * 0.7);
        VocDataset manufacturer = VocDataset.of(data, "train", classes, train.subList(0, cut));
        List<VocImage> customerImages = train.subList(cut, images);
        Path customerData = out.resolve("customer-data");
        writeSplit(customerData, data, "train", customerImages, classes);
        // presumed data lacks the new class: images showing it are not part of it (VocDataset.withoutImagesOf)
        VocDataset presumedData = manufacturer.withoutImagesOf(List.of(added)).restrictTo(presumed);
        // what the manufacturer hands the customer with the tutor: part of its presumed data (RD B's data, and
        // the presumed half of RD A's), never the customer's images
        Path presumedShare = out.resolve("presumed-data");
        writeSplit(presumedShare, data, "train", presumedData.images().subList(0,
                Math.min(customerImages.size(), presumedData.size())), classes);
        // the cloud's own data: the manufacturer's training images and the validation split, never the customer's
        Path manufacturerData = out.resolve("manufacturer-data");
        writeSplit(manufacturerData, data, "train", manufacturer.images(), classes);
        writeSplit(manufacturerData, data, "val", VocDataset.load(data, "val", classes).images(), classes);

        step("1/6 manufacturer: tutor and edge model (Distill B) on the presumed classes " + presumed, t0);
        TrainConfig base = TrainConfig.DEFAULTS;
        Stages.Result tutor = Stages.run(Stages.Stage.direct("tutor", Presets.get(family + "/tutor"),
                base.withEpochs(epochs.get(0)), presumedData).withBackbone(pretrained("tutor")), classes,
                out.resolve("manufacturer/tutor"));
        Stages.Result edge = Stages.run(Stages.Stage.direct("edge", Presets.get(family + "/edge"),
                base.withEpochs(epochs.get(1)), presumedData).withBackbone(pretrained("edge"))
                .distilledFrom(tutor.checkpoint(), FgdConfig.DEFAULTS).weights(1f, fgdWeight), classes,
                out.resolve("manufacturer/edge-distill-B"));

        step("2/6 keys, broker and the two cameras (edge runtime JVMs) with edge model v0", t0);
        Path keys = out.resolve("keys");
        if (!Files.exists(keys.resolve("manufacturer.key.pem"))) {
            KeyPair kp = Ed25519.generate();
            Ed25519.writePrivateKey(keys.resolve("manufacturer.key.pem"), kp.getPrivate());
            Ed25519.writePublicKey(keys.resolve("manufacturer.pub.pem"), kp.getPublic());
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        List<BrokerConfig.User> users = new ArrayList<>();
        for (String u : List.of("cloud", "demo-onprem", "cam1", "cam2")) {
            byte[] r = new byte[12];
            new SecureRandom().nextBytes(r);
            secrets.put(u, HexFormat.of().formatHex(r));
            String role = u.equals("cloud") ? BrokerConfig.CLOUD : u.startsWith("cam") ? BrokerConfig.DEVICE : BrokerConfig.ONPREM;
            users.add(new BrokerConfig.User(u, BrokerConfig.hashPassword(secrets.get(u).toCharArray()), role,
                    role.equals(BrokerConfig.CLOUD) ? null : CUSTOMER, role.equals(BrokerConfig.DEVICE) ? u : null));
        }
        Path v0 = out.resolve("edge-v0.onnx");
        if (!Files.exists(v0)) {
            OnnxExporter.export(edge.checkpoint(), v0, OnnxExporter.DEFAULT_OPSET);
        }
        // the cameras watch customer scenes that contain the class they do not know yet
        Path frames = out.resolve("camera-frames");
        VocDataset testScenes = VocDataset.load(data, "test", classes);
        List<VocImage> withNew = testScenes.images().stream()
                .filter(i -> i.objects().stream().anyMatch(o -> o.classId() == classes.indexOf(added))).toList();
        Files.createDirectories(frames);
        Map<String, VocImage> truth = new LinkedHashMap<>(); // frame file -> its ground truth
        for (VocImage i : withNew.subList(0, Math.min(40, withNew.size()))) {
            truth.put(i.imagePath().getFileName().toString(), i);
            Files.copy(i.imagePath(), frames.resolve(i.imagePath().getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        AtomicFiles.deleteTree(out.resolve("broker"));
        for (String cam : CAMERAS) {
            AtomicFiles.deleteTree(out.resolve(cam));
        }
        AtomicFiles.deleteTree(out.resolve("cloud"));
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.defaults().withPort(0)
                .withDataDir(out.resolve("broker")).withUsers(users))) {
            // What the cameras see, per model version: detections of each class.
            Map<String, AtomicLong> seen = new ConcurrentHashMap<>();
            BlockingQueue<Map<String, Object>> reports = new LinkedBlockingQueue<>();
            MqttLink watch = new MqttLink(MqttLink.Options.of(broker.serverUri(), "cloud.watch")
                    .withCredentials("cloud", secrets.get("cloud")));
            watch.connect();
            watch.subscribe(Topics.PREFIX + "/customers/" + CUSTOMER + "/devices/+/detections", 0, (t, p, u) -> {
                Map<?, ?> e = ConfigFiles.JSON.readValue(p, Map.class);
                VocImage gt = truth.get(String.valueOf(e.get("source")));
                for (Object d : (List<?>) e.get("detections")) {
                    String c = String.valueOf(((Map<?, ?>) d).get("class"));
                    String v = "v" + e.get("modelVersion") + "/";
                    seen.computeIfAbsent(v + c, k -> new AtomicLong()).incrementAndGet();
                    if (gt != null && matches(gt, classes.indexOf(c), (List<?>) ((Map<?, ?>) d).get("box"))) {
                        seen.computeIfAbsent(v + c + "/correct", k -> new AtomicLong()).incrementAndGet();
                    }
                }
                seen.computeIfAbsent("v" + e.get("modelVersion") + "/frames", k -> new AtomicLong()).incrementAndGet();
            });
            watch.subscribe(Topics.PREFIX + "/customers/" + CUSTOMER + "/devices/+/ota/report", 1,
                    (t, p, u) -> reports.add(ConfigFiles.JSON.readValue(p, Map.class)));
            List<Process> cams = new ArrayList<>();
            for (String cam : CAMERAS) {
                cams.add(startCamera(cam, broker.serverUri(), secrets.get(cam), v0, frames, keys));
            }
            try {
                CloudConfig cc = new CloudConfig(broker.serverUri(), "cloud", secrets.get("cloud"), null, null,
                        keys.resolve("manufacturer.key.pem").toString(), keys.resolve("manufacturer.pub.pem").toString(),
                        out.resolve("cloud").toString(), manufacturerData.toString(), "val", "train", 1.0,
                        new GatePolicy(Map.of(), 10.0, 5.0, null), epochs.get(3), 8, 1.5f, fgdWeight, 24, 64L << 20,
                        256 * 1024, Map.of(CUSTOMER, new CloudConfig.Customer(tutor.checkpoint().toString(),
                                edge.checkpoint().toString(), family + "/edge", 0,
                                CAMERAS.stream().map(c -> new CloudConfig.Device(c, "cpu")).toList())));
                try (CloudService cloud = new CloudService(cc, System.out)) {
                    cloud.start();
                    Thread.sleep(5000); // let the cameras run on v0 for a while
                    step("3/6 customer: reverse distillation RD B / RD A and the knowledge delta", t0);
                    OnPremConfig oc = new OnPremConfig(CUSTOMER, broker.serverUri(), "demo-onprem",
                            secrets.get("demo-onprem"), null, null, null, presumedShare.toString(), presumed,
                            customerData.toString(),
                            "train", List.of(added), List.of(), edge.checkpoint().toString(),
                            tutor.checkpoint().toString(), family + "/tutor", out.resolve("onprem").toString(),
                            epochs.get(2), rdLr, rdAlpha, rdBeta, 1.0, 256 * 1024, 3600);
                    OnPremTrainer onprem = new OnPremTrainer(oc, System.out);
                    ReverseDistillation.Outcome rd = onprem.train();
                    step("4/6 upload; the cloud verifies, re-distills (Distill C), exports, signs and ships", t0);
                    DeltaDecision decision;
                    try (MqttLink link = onprem.connect()) {
                        decision = onprem.upload(rd.delta(), link);
                    }
                    System.out.println("decision: " + decision.status() + " - " + decision.reason());
                    step("5/6 cameras apply the update", t0);
                    int applied = 0;
                    if (decision.accepted()) {
                        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                        while (applied < CAMERAS.size() && System.nanoTime() < end) {
                            Map<String, Object> r = reports.poll(5, TimeUnit.SECONDS);
                            if (r != null) {
                                System.out.println("camera report: " + r);
                                applied += "APPLIED".equals(r.get("status")) ? 1 : 0;
                            }
                        }
                        Thread.sleep(8000); // the cameras run on v1
                    }
                    step("6/6 before / after", t0);
                    Path updatedEdge = Path.of(cloud.state(CUSTOMER, cc.customers().get(CUSTOMER)).edge());
                    report(classes, data, edge.checkpoint(), decision.accepted() ? updatedEdge : null, decision,
                            applied, seen, System.nanoTime() - t0);
                }
            } finally {
                for (Process p : cams) {
                    p.destroy();
                }
                for (Process p : cams) {
                    p.waitFor(10, TimeUnit.SECONDS);
                }
                watch.close();
            }
        }
        return 0;
    }

    private Process startCamera(String cam, String uri, String secret, Path model, Path frames, Path keys)
            throws IOException {
        String cp = org.diredi.bench.training.ChildJvm.edgeClasspath();
        if (cp == null) {
            throw new IllegalStateException("the demo starts cameras as edge-runtime JVMs: run it through ./diredi");
        }
        Path dir = out.resolve(cam).toAbsolutePath();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("password"), secret);
        String yaml = String.join("\n",
                "device: {customer: " + CUSTOMER + ", id: " + cam + "}",
                "profile: cpu",
                "modelDir: " + dir.resolve("models"),
                "initialModel: " + model.toAbsolutePath(),
                "source: {type: folder, path: " + frames.toAbsolutePath() + ", loop: true, fpsLimit: 4}",
                "mqtt: {enabled: true, uri: '" + uri + "', username: " + cam + ", passwordFile: " + dir.resolve("password")
                        + ", sessionExpirySeconds: 3600, persistenceDir: " + dir.resolve("mqtt") + "}",
                "trustedKey: " + keys.resolve("manufacturer.pub.pem").toAbsolutePath(),
                "statusEverySeconds: 5",
                "threads: 1", "");
        Files.writeString(dir.resolve("edge.yaml"), yaml);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the classpath goes in the environment: see the diredi launcher (ONNX Runtime and long command lines)
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-Djava.awt.headless=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "org.diredi.edge.cli.EdgeMain", "run",
                "--config", dir.resolve("edge.yaml").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("edge.log").toFile());
        pb.environment().put("CLASSPATH", cp);
        return pb.start();
    }

    private void report(ClassList classes, Path data, Path before, Path after, DeltaDecision decision, int applied,
                        Map<String, AtomicLong> seen, long nanos) throws IOException {
        List<String> shown = new ArrayList<>(presumed);
        shown.add(added);
        VocDataset test = VocDataset.load(data, "test", classes).restrictTo(shown);
        EvalResult b = Stages.evaluate(before, test, null);
        EvalResult a = after == null ? null : Stages.evaluate(after, test, null);
        MarkdownTable t = new MarkdownTable("class", "AP before (edge v0)", "AP after (edge v1)",
                "camera detections v0 (correct / all)", "camera detections v1 (correct / all)");
        Map<String, double[]> chart = new LinkedHashMap<>();
        double[] vb = new double[shown.size()];
        double[] va = new double[shown.size()];
        for (int i = 0; i < shown.size(); i++) {
            String c = shown.get(i);
            ClassResult cb = b.find(c);
            ClassResult ca = a == null ? null : a.find(c);
            vb[i] = cb == null ? 0 : 100 * cb.ap();
            va[i] = ca == null ? 0 : 100 * ca.ap();
            t.row(c + (c.equals(added) ? " (new)" : ""), String.format("%.1f", vb[i]),
                    a == null ? "-" : String.format("%.1f", va[i]), detections(seen, "v0", c), detections(seen, "v1", c));
        }
        t.row("mAP / frames", String.format("%.1f", 100 * b.map()), a == null ? "-" : String.format("%.1f", 100 * a.map()),
                count(seen, "v0/frames") + " frames", count(seen, "v1/frames") + " frames");
        chart.put("edge v0 (before)", vb);
        chart.put("edge v1 (after)", va);
        Charts.groupedBarChart("Edge model AP per class, before / after the customer's update", shown, chart, "AP (%)",
                out.resolve("per-class-ap.png"));
        String md = "# DiReDi demo\n\nCustomer '" + CUSTOMER + "' adds '" + added + "'; decision: **" + decision.status()
                + "** (" + decision.reason() + "); cameras that applied the update: " + applied + "/" + CAMERAS.size()
                + ". AP on the test split (presumed classes + the new one); camera detections counted from the"
                + " detection events of both cameras (score >= 0.3) on test scenes that contain the new class; a detection is"
                + " correct when it overlaps a labelled object of its class with IoU >= 0.5.\n\n" + t
                + String.format("%nTotal time %.1f min (family %s, epochs tutor/edge/RD/C %s, backbones: tutor %s, edge %s).%n",
                nanos / 6e10, family, epochs, describe(pretrained("tutor")), describe(pretrained("edge")))
                + "\n![per-class AP](per-class-ap.png)\n";
        AtomicFiles.writeString(out.resolve("report.md"), md);
        System.out.println(md);
    }

    /** The bundled pretrained backbone of {@code role} in the demo's family, or null when there is none. */
    private Path pretrained(String role) {
        return org.diredi.core.pretrain.BackboneFile.pretrainedFor(backbones, Presets.get(family + "/" + role));
    }

    private static String describe(Path backbone) {
        return backbone == null ? "random" : "pretrained (" + backbone.getFileName() + ")";
    }

    /** A camera detection is correct when a ground-truth object of its class overlaps it by IoU >= 0.5 (VOC's rule). */
    private static boolean matches(VocImage gt, int classId, List<?> box) {
        Box b = new Box(((Number) box.get(0)).floatValue(), ((Number) box.get(1)).floatValue(),
                ((Number) box.get(2)).floatValue(), ((Number) box.get(3)).floatValue());
        return gt.objects().stream().anyMatch(o -> o.classId() == classId && o.box().iou(b) >= 0.5f);
    }

    /** "correct / all" detections of a class by one model version. */
    private static String detections(Map<String, AtomicLong> seen, String version, String c) {
        return count(seen, version + "/" + c + "/correct") + " / " + count(seen, version + "/" + c);
    }

    private static String count(Map<String, AtomicLong> seen, String key) {
        AtomicLong n = seen.get(key);
        return n == null ? "0" : Long.toString(n.get());
    }

    private static void step(String what, long t0) {
        System.out.printf("%n== demo %s  [%.1f min]%n", what, (System.nanoTime() - t0) / 6e10);
    }

    /** A VOC folder holding only {@code images} (the customer's private share), linked to the originals. */
    private static void writeSplit(Path root, Path source, String split, List<VocImage> images, ClassList classes)
            throws IOException {
        Files.createDirectories(root.resolve("ImageSets/Main"));
        Files.createDirectories(root.resolve("Annotations"));
        Files.createDirectories(root.resolve("JPEGImages"));
        List<String> ids = new ArrayList<>();
        for (VocImage i : images) {
            String id = i.id();
            ids.add(id);
            Path ann = root.resolve("Annotations/" + id + ".xml");
            Path img = root.resolve("JPEGImages/" + i.imagePath().getFileName());
            if (!Files.exists(ann)) {
                Files.copy(source.resolve("Annotations/" + id + ".xml"), ann);
            }
            if (!Files.exists(img)) {
                Files.copy(i.imagePath(), img);
            }
        }
        AtomicFiles.writeString(root.resolve("ImageSets/Main/" + split + ".txt"), String.join("\n", ids) + "\n");
        classes.write(root.resolve("classes.txt"));
    }

}
