package org.diredi.workflow.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diredi.cloud.update.AddedClassKnowledge;
import org.diredi.cloud.update.ManufacturerUpdate;
import org.diredi.cloud.update.Verification;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.engine.Devices;
import org.diredi.core.eval.ClassBiasCalibration;
import org.diredi.core.gate.GateDecision;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.DetectorTrainer;
import org.diredi.core.train.TrainConfig;
import org.diredi.messaging.Ed25519;
import org.diredi.onprem.ReverseDistillation;
import org.diredi.onprem.SignedFigures;
import org.diredi.vision.data.VocDataset;

/**
 * Runs every stage of an {@link ExperimentSpec}, each cached in its own folder (a rerun after a kill
 * resumes): the manufacturer's stages, the customer's reverse distillation and knowledge delta, the
 * manufacturer's update (Eq. 10, gate, Distill C), the direct-training baseline, then the Table III
 * evaluation and report.
 */
public final class ExperimentRunner {

    /** Table III's extra rows: Distill A's teacher, and Distill A's and B's comparisons trained directly. */
    public static final String LARGE_ROW = "Large model (Distill A's teacher)";
    public static final String DIRECT_EDGE_ROW = "Edge-AI model, direct training (presumed data)";
    public static final String DIRECT_TUTOR_ROW = "Tutor, direct training (presumed data)";

    /** The run's stand-in for the customer's enrolled key, which signs the figures its delta carries. */
    static final String FIGURES_KEY = "customer-figures.key.pem";

    private final ExperimentSpec spec;
    private final Path dir;
    /** The updated tutor's folder in a seed's run (Eq. 10, its lambda search and calibration). */
    static final String UPDATED_TUTOR = "tutor-updated";

    private final TrainConfig base;
    private final ExperimentData data;
    private final Backbones backbones;
    private final VocDataset presumed;
    private final VocDataset privateData;
    private final ManufacturerUpdate.OwnData own;
    private final VocDataset ownUpdate;
    private final Path sharedRoot;

    /**
     * @param dir  the experiment's folder (the shared manufacturer stages go beside it)
     * @param base training settings every stage starts from (its epochs come from the spec)
     */
    public ExperimentRunner(ExperimentSpec spec, ExperimentData data, Path dir, TrainConfig base) {
        this(spec, data, dir, base, dir.toAbsolutePath().getParent());
    }

    /**
     * @param sharedRoot where the manufacturer's stages (and RD B) are kept, shared with every experiment
     *                   run there with the same inputs
     */
    public ExperimentRunner(ExperimentSpec spec, ExperimentData data, Path dir, TrainConfig base, Path sharedRoot) {
        this.spec = spec;
        this.dir = dir;
        this.sharedRoot = sharedRoot;
        this.base = base;
        this.data = data;
        this.backbones = new Backbones(spec);
        this.presumed = data.presumed(spec);
        this.privateData = data.privateData(spec);
        this.own = data.ownData(spec);
        this.ownUpdate = own.updateTrain();
    }

    /**
     * Runs (or resumes) the experiment once per seed, {@code base}'s seed and the next {@code seeds - 1}, each in
     * {@code out/seed-<seed>} with its own cached stages (the manufacturer's kept beside {@code out}, shared with
     * other experiments there), then writes {@code out}/summary.md and summary.json over them.
     */
    public static String runSeeds(ExperimentSpec spec, ExperimentData data, Path out, TrainConfig base, int seeds,
                                  String command) throws IOException {
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be >= 1, got " + seeds);
        }
        java.util.List<Path> reports = new java.util.ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            TrainConfig b = base.withSeed(base.seed() + i);
            Path runDir = out.resolve("seed-" + b.seed());
            Path report = runDir.resolve("report.json");
            if (Files.exists(report) && !hasStages(runDir)) {
                // a finished seed's report without its stages (e.g. copied from another machine): kept as it is
                System.out.println("experiment: seed " + b.seed() + " kept from " + report + " (its stages are not"
                        + " here; delete the folder to run it again)");
            } else {
                new ExperimentRunner(spec, data, runDir, b, out.toAbsolutePath().getParent()).run(command);
            }
            reports.add(report);
        }
        return FidelitySummary.write(out, reports);
    }

    /** Whether {@code runDir} holds any stage folder of a run (RD A is every run's own first stage). */
    private static boolean hasStages(Path runDir) {
        return Files.isDirectory(runDir.resolve("tutor2-rdA"));
    }

    /** Runs or resumes every stage and writes the report; {@code command} is quoted in its time section. */
    public void run(String command) throws IOException {
        long start = System.nanoTime();
        Files.createDirectories(dir);
        ManufacturerStages.Models m = new ManufacturerStages(spec, base, backbones, data.classes())
                .run(presumed, sharedRoot);
        ReverseDistillation.Outcome rd = withFigures(m, customerReverseDistillation(m));
        ManufacturerUpdate.Result update = manufacturerUpdate(m, rd.knowledgeDelta());
        ReportWriter.Gates gates = new ReportWriter.Gates(update.gate(), gateVariants(update.verification()));
        Stages.Result baseline = baseline(m);
        Evaluation ev = evaluation(m, rd, update, baseline);
        String timing = stageTimes(m, rd, update, baseline).toMarkdown(command, start);
        new ReportWriter(spec, dir, backbones, base.seed()).write(ev, gates, rd.knowledgeDelta(), update.pseudoLabels(),
                timing);
    }

    /**
     * The customer: reverse distillation from the deployed edge model (Eq. 8), both tutors from the same
     * start, and the knowledge delta (Eq. 9); only the delta leaves the customer.
     */
    private ReverseDistillation.Outcome customerReverseDistillation(ManufacturerStages.Models m) throws IOException {
        FgdConfig fgd = FgdConfig.DEFAULTS;
        return ReverseDistillation.run(m.edge().checkpoint(), m.tutor().checkpoint(), preset(spec, "tutor"),
                data.classes(), presumed, privateData, spec.added(), spec.removed(),
                new ReverseDistillation.Settings(cfg("rd").withLearningRate(spec.rdLearningRate()), spec.rdAlpha(),
                        spec.rdBeta(), spec.gamma(), false, fgd).withEqualSteps(spec.rdEqualSteps()),
                dir, ManufacturerStages.rdBDir(m, spec, fgd), Map.of("experiment", spec.name()));
    }

    /**
     * When the manufacturer has no labels of the added classes, the customer's delta carries its signed figures
     * (SignedFigures) for the gate to judge them on; kept when the delta has them already (a rerun resumes). The
     * customer's private validation split is stood in for by the validation split with all its labels, restricted
     * to the update's classes: the only copy of it the manufacturer side of this run holds ({@link #own}) has the
     * added classes unlabelled. The added classes' score shifts are fitted on the customer's private training data.
     * The signing key is made once per experiment folder (mode 0600) and reused.
     */
    private ReverseDistillation.Outcome withFigures(ManufacturerStages.Models m, ReverseDistillation.Outcome rd)
            throws IOException {
        if (spec.addedClassKnowledge() == AddedClassKnowledge.LABELS
                || rd.knowledgeDelta().manifest().customerFigures() != null) {
            return rd;
        }
        Path keyFile = dir.resolve(FIGURES_KEY);
        if (!Files.exists(keyFile)) {
            Ed25519.writePrivateKey(keyFile, Ed25519.generate().getPrivate());
        }
        KnowledgeDelta delta = SignedFigures.attach(rd.delta(), m.tutor().checkpoint(), spec.lambda(),
                data.validation().restrictTo(spec.updateClasses()), privateData, Ed25519.readPrivateKey(keyFile),
                Devices.require(base.device(), "device"), dir.resolve("customer-figures"));
        return new ReverseDistillation.Outcome(rd.tutor1(), rd.tutor2(), rd.delta(), delta);
    }

    /**
     * The manufacturer's update from the delta: Eq. 10, the gate on the validation split, Distill C on its
     * own data. Distill C runs whatever the gate says: the experiment measures it either way.
     */
    private ManufacturerUpdate.Result manufacturerUpdate(ManufacturerStages.Models m, KnowledgeDelta delta)
            throws IOException {
        ManufacturerUpdate.Settings settings = new ManufacturerUpdate.Settings(spec.lambda(), spec.gate(),
                new ManufacturerUpdate.DistillC(cfg("distillC").atBatchSize(spec.distillCBatch()),
                        spec.distillCTemperature(), spec.featureWeight("distillC"), spec.distillation("distillC"),
                        spec.pseudoLabels()),
                ManufacturerUpdate.WhenRejected.DISTILL_ANYWAY, spec.calibration(), spec.addedClassKnowledge(),
                spec.lambdaSearch());
        ManufacturerUpdate.Listener printGate = new ManufacturerUpdate.Listener() {
            @Override
            public void verified(Verification v) {
                System.out.print(v.decision().toMarkdown());
            }
        };
        return new ManufacturerUpdate(settings, printGate).run(
                new ManufacturerUpdate.Inputs(m.tutor().checkpoint(), m.edge().checkpoint(), preset(spec, "edge"),
                        delta),
                own,
                new ManufacturerUpdate.Layout(dir.resolve(UPDATED_TUTOR).resolve("model.ckpt"), dir,
                        dir.resolve("edge-distill-C")));
    }

    /** The same evaluations judged under each of the spec's gate variants. */
    private Map<String, GateDecision> gateVariants(Verification v) {
        Map<String, GateDecision> variants = new LinkedHashMap<>();
        spec.gateVariants().forEach((name, policy) -> variants.put(name, v.under(policy)));
        return variants;
    }

    /**
     * The comparison: the edge model trained directly on the manufacturer's own data, from the same start; the
     * same data Distill C gets before any pseudo-label (without labels of an added class it cannot learn it).
     */
    private Stages.Result baseline(ManufacturerStages.Models m) throws IOException {
        return Stages.run(Stages.Stage.direct("edge-trained", preset(spec, "edge"), cfg("baseline"), ownUpdate)
                .from(m.edge().checkpoint()), data.classes(), dir.resolve("edge-baseline"));
    }

    /** Table III's rows, every model on the test split, precision, recall and F1 at 0.5 and at the cameras' threshold. */
    private Evaluation evaluation(ManufacturerStages.Models m, ReverseDistillation.Outcome rd,
                                  ManufacturerUpdate.Result update, Stages.Result baseline) throws IOException {
        Map<String, Path> rows = new LinkedHashMap<>();
        rows.put(LARGE_ROW, m.large().checkpoint());
        rows.put("Original edge-AI model", m.edge().checkpoint());
        rows.put(DIRECT_EDGE_ROW, m.edgeDirect().checkpoint());
        rows.put("Original tutor", m.tutor().checkpoint());
        rows.put(DIRECT_TUTOR_ROW, m.tutorDirect().checkpoint());
        rows.put("Tutor 1 (RD B)", rd.tutor1());
        rows.put("Tutor 2 (RD A)", rd.tutor2());
        rows.put("Updated tutor (Eq. 10)", update.updatedTutor());
        rows.put("Updated edge-AI model (Distill C)", update.distillC().checkpoint());
        rows.put("Updated edge-AI model (Training)", baseline.checkpoint());
        return Evaluation.of(rows, data.test(), spec.updateClasses(), spec.removed(), spec.gate().scoreThreshold(),
                (row, model) -> calibrated(row, model, update), Devices.require(base.device(), "device"));
    }

    /**
     * A Table III model calibrated for the cameras' threshold the way the update calibrates the edge model it ships
     * ({@link ClassBiasCalibration#forCameras} on the images Distill C learnt from: the manufacturer's labels, and
     * its pseudo-labels of an added class it cannot label), so that every row is judged where the cameras operate on
     * the same footing; a model the update calibrated already is taken as it is. Kept in calibrated/.
     */
    private Path calibrated(String row, Path model, ManufacturerUpdate.Result update) throws IOException {
        if (ClassBiasCalibration.isCalibrated(model)) {
            return model;
        }
        if (update.distillC() != null && model.equals(update.distillC().checkpoint())
                && ClassBiasCalibration.isCalibrated(update.edge())) {
            return update.edge(); // the edge model the update ships
        }
        String name = row.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return ClassBiasCalibration.forCameras(model, update.distilledOn(), spec.gate().scoreThreshold(),
                Devices.require(base.device(), "device"), dir.resolve("calibrated").resolve(name + ".ckpt"));
    }

    private StageTimes stageTimes(ManufacturerStages.Models m, ReverseDistillation.Outcome rd,
                                  ManufacturerUpdate.Result update, Stages.Result baseline) {
        return new StageTimes()
                .add("large teacher (direct)", m.large().history(), presumed.size())
                .add("Distill A (tutor)", m.tutor().history(), presumed.size())
                .add("Distill B (edge)", m.edge().history(), presumed.size())
                .comparison("tutor, direct (presumed data)", m.tutorDirect().history(), presumed.size())
                .comparison("edge, direct (presumed data)", m.edgeDirect().history(), presumed.size())
                .add("RD B (tutor 1)", DetectorTrainer.readHistory(rd.tutor1().getParent()), presumed.size())
                .add("RD A (tutor 2)", DetectorTrainer.readHistory(dir.resolve("tutor2-rdA")),
                        presumed.size() + privateData.size())
                .add("Distill C (updated edge)", update.distillC().history(), ownUpdate.size())
                .comparison("direct-training baseline", baseline.history(), ownUpdate.size());
    }

    private TrainConfig cfg(String stage) {
        return base.withEpochs(spec.epochs(stage));
    }

    /** The family's model of {@code role} (large, tutor or edge). */
    static ModelConfig preset(ExperimentSpec spec, String role) {
        return Presets.get(spec.family() + "/" + role);
    }
}
