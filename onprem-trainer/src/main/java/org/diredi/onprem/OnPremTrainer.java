package org.diredi.onprem;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.delta.CustomerFigures;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.engine.Devices;
import org.diredi.core.model.Presets;
import org.diredi.core.train.TrainConfig;
import org.diredi.messaging.DeltaDecision;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.RejectedByBroker;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferSender;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.DataException;
import org.diredi.vision.data.Datasets;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.report.ProgressBar;

/**
 * The customer's PC end to end: reverse distillation (RD B, RD A), the knowledge delta, its upload to
 * the manufacturer over MQTT (chunked, resumable, with a progress bar) and the wait for the decision.
 */
public final class OnPremTrainer {

    private final OnPremConfig config;
    private final PrintStream out;

    public OnPremTrainer(OnPremConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /**
     * The whole job: first the broker and this customer's account (a wrong address or password must
     * not cost the minutes of training), then RD B and RD A, the upload and the wait for the decision.
     */
    public DeltaDecision run() throws IOException, InterruptedException {
        checkBroker();
        ReverseDistillation.Outcome rd = train();
        try (MqttLink link = connect()) {
            return upload(rd.delta(), link);
        }
    }

    /**
     * Connects with this customer's account and subscribes to its decisions, then disconnects.
     *
     * @throws org.diredi.messaging.MessagingException naming the broker when it is unreachable, refuses
     *         the account or does not let it read its decisions
     */
    public void checkBroker() {
        try (MqttLink link = connect()) {
            link.subscribe(Topics.decision(config.customer()), 1, (topic, payload, props) -> { });
        } catch (RejectedByBroker e) {
            if (e.topic() == null) {
                throw e; // a refused connection already names the broker and the account
            }
            throw new RejectedByBroker(config.broker() + ", account " + config.username() + " (customer "
                    + config.customer() + "): " + e.getMessage(), e.topic(), e.reasonCode());
        }
        out.printf("on-prem: broker %s accepts %s%n", config.broker(), config.username());
    }

    /** Runs RD B and RD A and writes the delta (cached: a rerun resumes). */
    public ReverseDistillation.Outcome train() throws IOException {
        Checkpoint edge = Checkpoint.read(Path.of(config.edgeModel()));
        ClassList classes = config.classes() == null ? new ClassList(edge.manifest().classes())
                : ClassList.read(Path.of(config.classes()));
        classes.ids(config.presumed());
        classes.ids(config.added());
        VocDataset presumed = Datasets.load(Path.of(config.presumedData()), "train", classes)
                .restrictTo(config.presumed());
        VocDataset privateData = Datasets.load(Path.of(config.privateData()), config.privateSplit(), classes)
                .restrictTo(DeltaManifest.updateClasses(config.presumed(), config.added(), config.removed()));
        out.printf("on-prem: RD B on %d presumed images, RD A on those + %d private images (never uploaded)%n",
                presumed.size(), privateData.size());
        TrainConfig t = TrainConfig.DEFAULTS.withEpochs(config.epochs()).withLearningRate(config.learningRate())
                .withDevice(config.device());
        ReverseDistillation.Outcome rd = ReverseDistillation.run(Path.of(config.edgeModel()), Path.of(config.tutor()),
                Presets.get(config.tutorPreset()), classes, presumed, privateData, config.added(), config.removed(),
                new ReverseDistillation.Settings(t, config.alpha(), config.beta(), config.gamma(), false,
                        FgdConfig.DEFAULTS, config.deltaEncoding(), config.privacyIfEnabled()),
                Path.of(config.workDir()), Map.of("customer", config.customer()));
        DeltaManifest m = rd.knowledgeDelta().manifest();
        out.printf("on-prem: delta %s, %s; differential privacy: %s%n", rd.delta(), m.formName(),
                m.privacy() == null ? "off" : m.privacy().describe());
        return withFigures(rd, classes, privateData);
    }

    /**
     * The delta with this PC's signed figures on the private validation split (kept when it has them already:
     * a rerun resumes); as it is, with a line saying so, when onprem.yaml names no signing key or no split, or the
     * private data has no such split.
     */
    ReverseDistillation.Outcome withFigures(ReverseDistillation.Outcome rd, ClassList classes, VocDataset privateData)
            throws IOException {
        if (config.signingKey() == null || config.privateValidationSplit() == null
                || rd.knowledgeDelta().manifest().customerFigures() != null) {
            return rd;
        }
        VocDataset val;
        try {
            val = Datasets.load(Path.of(config.privateData()), config.privateValidationSplit(), classes)
                    .restrictTo(DeltaManifest.updateClasses(config.presumed(), config.added(), config.removed()));
        } catch (DataException e) { // figures are needed only for a class the manufacturer cannot label
            out.printf("on-prem: no figures with the delta (privateValidationSplit %s: %s); a manufacturer without"
                    + " labels of %s will refuse it%n", config.privateValidationSplit(), e.getMessage(), config.added());
            return rd;
        }
        PrivateKey key = Ed25519.readPrivateKey(Path.of(config.signingKey()));
        KnowledgeDelta delta = SignedFigures.attach(rd.delta(), Path.of(config.tutor()), config.figuresLambda(), val,
                privateData, key, Devices.require(config.device(), "device"), Path.of(config.workDir()));
        CustomerFigures f = delta.manifest().customerFigures();
        out.printf("on-prem: figures on the private split %s (%d images, never uploaded) signed with key %s: %s%n",
                f.split(), f.images(), f.keyId(), gains(f));
        return new ReverseDistillation.Outcome(rd.tutor1(), rd.tutor2(), rd.delta(), delta);
    }

    private static String gains(CustomerFigures f) {
        StringBuilder sb = new StringBuilder();
        f.after().keySet().forEach(c -> sb.append(sb.length() == 0 ? "" : ", ").append(String.format("%s AP %+.1f",
                c, f.apGainPoints(c))));
        return sb.toString();
    }

    /**
     * Uploads the delta file and waits for the cloud's decision. The broker account only lets this
     * client publish to its own customer's delta topic and read its own decisions.
     */
    public DeltaDecision upload(Path delta, MqttLink link) throws IOException, InterruptedException {
        String transferId = "delta-" + org.diredi.messaging.Hashes.sha256Hex(delta).substring(0, 16);
        CompletableFuture<DeltaDecision> decision = new CompletableFuture<>();
        link.subscribe(Topics.decision(config.customer()), 1, (topic, payload, props) -> {
            DeltaDecision d = DeltaDecision.fromJson(payload);
            if (transferId.equals(d.transferId())) {
                decision.complete(d);
            }
        });
        long size = Files.size(delta);
        ProgressBar bar = new ProgressBar("upload", size, out, "B");
        // The embedded manifest is the delta's own manifest: what the cloud validates before reading tensors.
        byte[] manifest = org.diredi.vision.config.ConfigFiles.toJson(
                org.diredi.core.delta.KnowledgeDelta.read(delta).manifest()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        TransferSender.send(link, Topics.delta(config.customer()), transferId, manifest, delta, config.chunkBytes(),
                (sent, total) -> bar.update(sent));
        bar.close();
        out.printf("on-prem: delta %s uploaded (%,d bytes); waiting for the manufacturer's decision...%n", transferId, size);
        try {
            return decision.get(config.decisionTimeoutSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no decision on " + transferId + " within " + config.decisionTimeoutSeconds()
                    + " s (the upload itself completed; the cloud may still be working)");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The MQTT connection this customer's account gives (client id = user name, as the broker requires). */
    public MqttLink connect() {
        MqttLink link = new MqttLink(MqttLink.Options.of(config.broker(), config.username())
                .withCredentials(config.username(), config.secret())
                .withSession(false, 24 * 3600L)
                .withPersistenceDir(Path.of(config.workDir()).resolve("mqtt"))
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(30))
                .withCaCertificate(config.brokerCaCertificate() == null ? null : Path.of(config.brokerCaCertificate())));
        try {
            link.connect();
        } catch (RuntimeException e) {
            link.close(); // a refused or unreachable broker leaves no client threads behind
            throw e;
        }
        return link;
    }
}
