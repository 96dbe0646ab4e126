package org.diredi.cli;

import org.diredi.cloud.WeightSubstitution;
import org.diredi.onprem.ReverseDistillation;
import org.diredi.core.stage.Stages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.gate.GateDecision;
import org.diredi.core.gate.VerificationGate;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
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
import picocli.CommandLine.Parameters;

/** Runs a whole DiReDi experiment from a spec file, stage by stage, cached and resumable. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "DiReDi experiments as data.",
        subcommands = {ExperimentCommand.Run.class})
final class ExperimentCommand {

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run every stage of an experiment spec (YAML/JSON): large teacher, Distill A (tutor),",
                "Distill B (edge), RD B (tutor 1), RD A (tutor 2), knowledge delta, weight substitution,",
                "verification gate, Distill C (updated edge) and the direct-training baseline. Each stage is",
                "cached in OUT/<stage>; rerun after a kill to resume. Writes report.md, report.json and",
                "per-class-ap.png (a Table III-style comparison)."})
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC", description = "experiment spec file")
        Path specFile;

        @Option(names = "--out", paramLabel = "DIR", description = "results folder (default: work/experiments/<name>)")
        Path out;

        @Option(names = "--config", paramLabel = "FILE", description = "training settings (YAML or JSON) over the defaults")
        Path configFile;

        @Override
        public Integer call() throws Exception {
            ExperimentSpec spec = ConfigFiles.load(specFile, ExperimentSpec.class, ExperimentSpec.DEFAULTS);
            Path dir = out != null ? out : Path.of("work/experiments", spec.name());
            Path data = Path.of(spec.data());
            org.diredi.vision.scenes.FashionScenes.ensure(data);
            ClassList classes = ClassList.read(data.resolve("classes.txt"));
            classes.ids(spec.presumed());
            classes.ids(spec.added());
            classes.ids(spec.unseen());
            String command = "./diredi experiment run " + specFile + (out != null ? " --out " + out : "")
                    + (configFile != null ? " --config " + configFile : "");
            return new Experiment(spec, classes, data, dir, TrainConfig.load(configFile)).run(command);
        }
    }

    /** The stages of one experiment. */
    static final class Experiment {
        private final ExperimentSpec spec;
        private final ClassList classes;
        private final Path dir;
        private final TrainConfig base;
        private final VocDataset manufacturer;
        private final VocDataset customer;
        private final VocDataset validation;
        private final VocDataset test;

        Experiment(ExperimentSpec spec, ClassList classes, Path data, Path dir, TrainConfig base) {
            this.spec = spec;
            this.classes = classes;
            this.dir = dir;
            this.base = base;
            VocDataset train = VocDataset.load(data, "train", classes);
            int cut = (int) Math.round(train.size() * (1 - spec.customerShare()));
            manufacturer = VocDataset.of(data, "train", classes, train.images().subList(0, cut));
            customer = VocDataset.of(data, "train", classes, train.images().subList(cut, train.size()));
            validation = VocDataset.load(data, spec.validationSplit(), classes);
            test = VocDataset.load(data, spec.testSplit(), classes);
        }

        /** The pretrained backbone {@code model} starts from, or null (random weights). */
        private Path backbone(ModelConfig model) {
            return org.diredi.core.pretrain.BackboneFile.pretrainedFor(spec.backbonesDir(), model);
        }

        /** What a model's backbone starts from, for the cache key of the shared stages: the file's SHA-256. */
        private String identity(ModelConfig model) throws java.io.IOException {
            Path b = backbone(model);
            return b == null ? "random" : org.diredi.core.checkpoint.TensorFile.sha256(Files.readAllBytes(b));
        }

        int run(String command) throws Exception {
            long start = System.nanoTime();
            Files.createDirectories(dir);
            List<String> update = spec.updateClasses();
            // Presumed data lacks the added classes: images that show them (or any other class the spec lists as
            // unseen) are left out (VocDataset.withoutImagesOf), not kept as unlabelled background.
            VocDataset presumedData = manufacturer.withoutImagesOf(spec.unseen()).restrictTo(spec.presumed());
            VocDataset privateData = customer.restrictTo(update);
            VocDataset ownUpdateData = manufacturer.restrictTo(update);
            FgdConfig fgd = FgdConfig.DEFAULTS;
            FgdConfig fgdC = new FgdConfig(spec.distillCTemperature(), fgd.alpha(), fgd.beta(), fgd.gamma(), fgd.lambda());
            ModelConfig large = Presets.get(spec.family() + "/large");
            ModelConfig tutor = Presets.get(spec.family() + "/tutor");
            ModelConfig edge = Presets.get(spec.family() + "/edge");

            // Manufacturer: teacher, Distill A, Distill B on the presumed data. Experiments with the same
            // presumed classes, data and budgets share these stages (Experiment 2 reuses Experiment 1's).
            Path shared = dir.toAbsolutePath().getParent().resolve("manufacturer-" + org.diredi.core.checkpoint.TensorFile.sha256((
                    spec.data() + spec.family() + spec.presumed() + "without" + spec.unseen() + spec.epochs("large") + "/" + spec.epochs("tutor") + "/"
                            + spec.epochs("edge") + base + spec.customerShare() + new java.util.TreeMap<>(spec.featureWeights())
                            + identity(large) + identity(tutor) + identity(edge)).getBytes()).substring(0, 12));
            Stages.Result rLarge = Stages.run(Stages.Stage.direct("large", large, cfg("large"), presumedData)
                    .withBackbone(backbone(large)), classes, shared.resolve("large"));
            Stages.Result rTutor = Stages.run(Stages.Stage.direct("tutor", tutor, cfg("tutor"), presumedData)
                    .withBackbone(backbone(tutor)).distilledFrom(rLarge.checkpoint(), fgd)
                    .weights(1f, spec.featureWeight("tutor")), classes, shared.resolve("tutor-distill-A"));
            Stages.Result rEdge = Stages.run(Stages.Stage.direct("edge", edge, cfg("edge"), presumedData)
                    .withBackbone(backbone(edge)).distilledFrom(rTutor.checkpoint(), fgd)
                    .weights(1f, spec.featureWeight("edge")), classes, shared.resolve("edge-distill-B"));
            // Customer: reverse distillation from the deployed edge model (Eq. 8), both tutors from the same
            // start, and the knowledge delta (Eq. 9): only the delta leaves the customer.
            ReverseDistillation.Outcome rd = ReverseDistillation.run(rEdge.checkpoint(), rTutor.checkpoint(), tutor,
                    classes, presumedData, privateData, spec.added(), spec.removed(),
                    new ReverseDistillation.Settings(cfg("rd").withLearningRate(spec.rdLearningRate()), spec.rdAlpha(),
                            spec.rdBeta(), spec.gamma(), false, fgd),
                    dir, Map.of("experiment", spec.name()));
            KnowledgeDelta delta = rd.knowledgeDelta();
            // Manufacturer: weight substitution (Eq. 10), verification gate, Distill C, baseline.
            Path updatedTutor = dir.resolve("tutor-updated/model.ckpt");
            if (!Files.exists(updatedTutor)) {
                WeightSubstitution.apply(rTutor.checkpoint(), delta, spec.lambda(), updatedTutor);
            }
            // the gate judges the presumed classes and the added ones (other objects unlabelled)
            List<String> gated = new ArrayList<>(spec.presumed());
            gated.addAll(spec.added());
            VocDataset gateVal = validation.restrictTo(gated);
            EvalResult gateBefore = Stages.evaluate(rTutor.checkpoint(), gateVal, null);
            EvalResult gateAfter = Stages.evaluate(updatedTutor, gateVal, null);
            GateDecision gate = VerificationGate.decide(gateBefore, gateAfter, new HashSet<>(spec.added()),
                    new HashSet<>(spec.removed()), spec.gate());
            AtomicFiles.writeString(dir.resolve("gate.md"), gate.toMarkdown());
            AtomicFiles.writeJson(dir.resolve("gate.json"), gate);
            System.out.print(gate.toMarkdown());
            Map<String, GateDecision> variants = new LinkedHashMap<>();
            for (Map.Entry<String, org.diredi.core.gate.GatePolicy> v : spec.gateVariants().entrySet()) {
                variants.put(v.getKey(), VerificationGate.decide(gateBefore, gateAfter, new HashSet<>(spec.added()),
                        new HashSet<>(spec.removed()), v.getValue()));
            }
            TrainConfig distillC = cfg("distillC").atBatchSize(spec.distillCBatch());
            Stages.Result rEdgeC = Stages.run(Stages.Stage.direct("edge-updated", edge, distillC, ownUpdateData)
                    .distilledFrom(updatedTutor, fgdC).from(rEdge.checkpoint())
                    .weights(1f, spec.featureWeight("distillC")), classes, dir.resolve("edge-distill-C"));
            Stages.Result rBaseline = Stages.run(Stages.Stage.direct("edge-trained", edge, cfg("baseline"), ownUpdateData)
                    .from(rEdge.checkpoint()), classes, dir.resolve("edge-baseline"));

            // Report (Table III): every model on the test split, over the classes the update covers.
            VocDataset testUpdate = test.restrictTo(update);
            Map<String, Path> rows = new LinkedHashMap<>();
            rows.put("Original edge-AI model", rEdge.checkpoint());
            rows.put("Original tutor", rTutor.checkpoint());
            rows.put("Tutor 1 (RD B)", rd.tutor1());
            rows.put("Tutor 2 (RD A)", rd.tutor2());
            rows.put("Updated tutor (Eq. 10)", updatedTutor);
            rows.put("Updated edge-AI model (Distill C)", rEdgeC.checkpoint());
            rows.put("Updated edge-AI model (Training)", rBaseline.checkpoint());
            Map<String, EvalResult> evals = new LinkedHashMap<>();
            for (Map.Entry<String, Path> e : rows.entrySet()) {
                evals.put(e.getKey(), Stages.evaluate(e.getValue(), testUpdate, null));
            }
            // Per-class AP also shows the removed classes (what the customer's update costs them), so those are
            // evaluated once more with their labels; Table III stays on the update's classes, as in the paper.
            List<String> shown = new ArrayList<>(update);
            spec.removed().stream().filter(r -> !shown.contains(r)).forEach(shown::add);
            Map<String, EvalResult> perClassEvals = evals;
            if (shown.size() > update.size()) {
                VocDataset testShown = test.restrictTo(shown);
                perClassEvals = new LinkedHashMap<>();
                for (Map.Entry<String, Path> e : rows.entrySet()) {
                    perClassEvals.put(e.getKey(), Stages.evaluate(e.getValue(), testShown, null));
                }
            }
            // Training time of every stage, from its history (so a resumed run still reports the whole cost).
            record Timed(String stage, List<org.diredi.core.train.DetectorTrainer.EpochRecord> history, int images) {}
            List<Timed> timed = List.of(
                    new Timed("large teacher (direct)", rLarge.history(), presumedData.size()),
                    new Timed("Distill A (tutor)", rTutor.history(), presumedData.size()),
                    new Timed("Distill B (edge)", rEdge.history(), presumedData.size()),
                    new Timed("RD B (tutor 1)", org.diredi.core.train.DetectorTrainer.readHistory(
                            dir.resolve("tutor1-rdB")), presumedData.size()),
                    new Timed("RD A (tutor 2)", org.diredi.core.train.DetectorTrainer.readHistory(
                            dir.resolve("tutor2-rdA")), presumedData.size() + privateData.size()),
                    new Timed("Distill C (updated edge)", rEdgeC.history(), ownUpdateData.size()),
                    new Timed("direct-training baseline", rBaseline.history(), ownUpdateData.size()));
            MarkdownTable times = new MarkdownTable("stage", "epochs", "images/epoch", "minutes");
            double total = 0;
            for (Timed st : timed) {
                double sec = st.history().stream()
                        .mapToDouble(org.diredi.core.train.DetectorTrainer.EpochRecord::seconds).sum();
                total += sec;
                times.row(st.stage(), st.history().size(), st.images(), String.format("%.1f", sec / 60));
            }
            String timing = "## Time\n\nCommand: `" + command + "`\n\n" + times + "\n\nTraining, all stages: "
                    + String.format("%.1f min; this invocation (including evaluation and any stages reused from the cache): %.1f min.%n",
                            total / 60, (System.nanoTime() - start) / 6e10);
            writeReport(evals, perClassEvals, update, shown, gate, variants, delta, timing);
            return 0;
        }

        private TrainConfig cfg(String stage) {
            return base.withEpochs(spec.epochs(stage));
        }

        private void writeReport(Map<String, EvalResult> evals, Map<String, EvalResult> perClassEvals, List<String> update,
                                 List<String> shown, GateDecision gate, Map<String, GateDecision> variants,
                                 KnowledgeDelta delta, String timing) throws Exception {
            MarkdownTable t = new MarkdownTable("model", "mAP@0.5", "precision", "recall", "F1");
            for (Map.Entry<String, EvalResult> e : evals.entrySet()) {
                EvalResult r = e.getValue();
                t.row(e.getKey(), pct(r.map()), pct(r.precision()), pct(r.recall()), pct(r.f1()));
            }
            List<String> header = new ArrayList<>(List.of("class"));
            header.addAll(evals.keySet());
            MarkdownTable perClass = new MarkdownTable(header);
            Map<String, double[]> bars = new LinkedHashMap<>();
            for (String name : perClassEvals.keySet()) {
                bars.put(name, new double[shown.size()]);
            }
            for (int i = 0; i < shown.size(); i++) {
                String c = shown.get(i);
                List<Object> row = new ArrayList<>();
                row.add(c + (spec.added().contains(c) ? " (added)" : spec.removed().contains(c) ? " (removed)" : ""));
                for (Map.Entry<String, EvalResult> e : perClassEvals.entrySet()) {
                    ClassResult cr = e.getValue().find(c);
                    double ap = cr == null ? Double.NaN : cr.ap();
                    bars.get(e.getKey())[i] = ap;
                    row.add(pct(ap));
                }
                perClass.row(row);
            }
            String md = "# DiReDi " + spec.name() + "\n\n" + spec.description() + "\n\n" + org.diredi.core.report.Machine.describe() + "\n\n"
                    + "Backbones: " + String.join(", ", ExperimentSpec.MODEL_ROLES.stream().map(role -> {
                        Path b = backbone(Presets.get(spec.family() + "/" + role));
                        return role + " " + (b == null ? "random" : "pretrained (" + b + ")");
                    }).toList()) + ".\n\n"
                    + "Presumed classes: " + spec.presumed() + "; added: " + spec.added() + "; removed: " + spec.removed()
                    + ". Table III: test split restricted to the classes the update covers " + update
                    + (shown.size() > update.size() ? "; per-class AP also on the removed classes' labels" : "") + ".\n\n"
                    + "## Table III (percent)\n\n" + t + "\n\n## Per-class AP@0.5 (percent)\n\n" + perClass + "\n\n"
                    + "## Knowledge delta\n\n" + delta.manifest().describe(dir.resolve("update.delta"))
                    + "\n" + gate.toMarkdown();
            for (Map.Entry<String, GateDecision> v : variants.entrySet()) {
                md += "\n### Gate variant: " + v.getKey() + "\n\n" + v.getValue().toMarkdown();
            }
            md += "\n" + timing;
            AtomicFiles.writeString(dir.resolve("report.md"), md);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("spec", spec);
            json.put("machine", org.diredi.core.report.Machine.facts());
            json.put("results", evals);
            if (perClassEvals != evals) {
                json.put("resultsWithRemovedClasses", perClassEvals);
            }
            json.put("gate", gate);
            json.put("gateVariants", variants);
            json.put("delta", delta.manifest());
            AtomicFiles.writeJson(dir.resolve("report.json"), json);
            Charts.groupedBarChart("DiReDi " + spec.name() + ": per-class AP@0.5 on the test split", shown, bars, "AP",
                    dir.resolve("per-class-ap.png"));
            System.out.println(md);
        }

        private static String pct(double v) {
            return Double.isNaN(v) ? "-" : String.format("%.1f", v * 100);
        }
    }
}
