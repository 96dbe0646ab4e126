package org.diredi.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diredi.core.eval.Predictor;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.train.DetectionObjective;
import org.diredi.core.train.DetectionSet;
import org.diredi.core.train.DetectorTrainer;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.Charts;
import org.diredi.vision.report.MarkdownTable;
import org.diredi.vision.scenes.FashionScenes;
import org.diredi.vision.scenes.FashionScenesConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue-2 benchmark: trains the cpu presets directly on FashionScenes (all 10 classes) with one
 * budget each and reports size, speed and accuracy side by side.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the cpu presets (large, tutor, edge) directly on FashionScenes and report parameters,",
            "FLOPs per image, training images/s, wall time, test mAP@0.5, per-class AP and P / R / F1.",
            "Resumable: rerun with the same --out to continue after a kill."})
final class TrainBench implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", description = "FashionScenes root; generated with defaults if absent "
            + "(default: ${DEFAULT-VALUE})")
    Path data = Path.of("work/fashion-scenes");

    @Option(names = "--presets", split = ",", description = "presets to train (default: ${DEFAULT-VALUE})")
    List<String> presets = List.of("edge", "tutor", "large");

    @Option(names = "--epochs", split = ",", description = "epochs per preset, in --presets order (default: the config's)")
    List<Integer> epochs;

    @Option(names = "--config", paramLabel = "FILE", description = "training settings (YAML or JSON) over the defaults")
    Path configFile;

    @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/bench-train");

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(data.resolve("classes.txt"))) {
            System.out.println("generating FashionScenes in " + data);
            System.out.print(FashionScenes.generate(FashionScenesConfig.DEFAULT, data).format());
        }
        TrainConfig base = configFile == null ? TrainConfig.DEFAULTS
                : org.diredi.vision.config.ConfigFiles.load(configFile, TrainConfig.class, TrainConfig.DEFAULTS);
        ClassList classes = ClassList.read(data.resolve("classes.txt"));
        VocDataset trainDs = VocDataset.load(data, "train", classes);
        VocDataset testDs = VocDataset.load(data, "test", classes);
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, EvalResult> evals = new LinkedHashMap<>();
        for (int i = 0; i < presets.size(); i++) {
            ModelConfig mc = Presets.get(presets.get(i));
            TrainConfig cfg = epochs != null && i < epochs.size() ? base.withEpochs(epochs.get(i)) : base;
            Runs.seed(cfg.seed());
            try (NDManager manager = NDManager.newBaseManager(Device.fromName(cfg.device()))) {
                FcosDetector model = new FcosDetector(mc, classes).init(manager);
                long flops = model.flopsPerImage(manager);
                DetectionSet train = DetectionSet.load(trainDs, mc.inputSize());
                DetectionSet test = DetectionSet.load(testDs, mc.inputSize());
                Path dir = out.resolve(mc.name().replace('/', '-'));
                String role = mc.name().substring(mc.name().indexOf('/') + 1);
                DetectorTrainer.Result r = new DetectorTrainer(model, manager, cfg,
                        new DetectionObjective(new FcosLoss.Config(cfg.focalAlpha(), cfg.focalGamma(), 1, 1, 1)),
                        System.out).run(train, null, new DetectorTrainer.RunInfo(dir, role,
                        Runs.dataInfo(trainDs, null), null, null), Files.exists(dir.resolve("last.ckpt")));
                EvalResult ev = new Predictor(model, manager, FcosDecoder.Config.EVAL).evaluate(test, EvalConfig.DEFAULT);
                evals.put(mc.name(), ev);
                double seconds = r.history().stream().mapToDouble(DetectorTrainer.EpochRecord::seconds).sum();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("preset", mc.name());
                row.put("architecture", mc.toString());
                row.put("params", model.parameterCount());
                row.put("gflopsPerImage", flops / 1e9);
                row.put("epochs", cfg.epochs());
                row.put("trainImagesPerSecond", (double) cfg.epochs() * train.size() / seconds);
                row.put("trainSeconds", seconds);
                row.put("testMap", ev.map());
                row.put("precision", ev.precision());
                row.put("recall", ev.recall());
                row.put("f1", ev.f1());
                Map<String, Double> ap = new LinkedHashMap<>();
                for (ClassResult c : ev.classes()) {
                    ap.put(c.name(), c.ap());
                }
                row.put("perClassAp", ap);
                rows.add(row);
                AtomicFiles.writeString(dir.resolve("test-eval.md"), ev.toMarkdown());
            }
        }
        MarkdownTable t = new MarkdownTable("preset", "params", "GFLOPs/img", "epochs", "train img/s", "wall time",
                "test mAP@0.5", "P", "R", "F1");
        for (Map<String, Object> r : rows) {
            t.row(r.get("preset"), String.format("%,d", (Long) r.get("params")),
                    String.format("%.2f", (Double) r.get("gflopsPerImage")), r.get("epochs"),
                    String.format("%.1f", (Double) r.get("trainImagesPerSecond")),
                    String.format("%.1f min", (Double) r.get("trainSeconds") / 60),
                    String.format("%.3f", (Double) r.get("testMap")), String.format("%.3f", (Double) r.get("precision")),
                    String.format("%.3f", (Double) r.get("recall")), String.format("%.3f", (Double) r.get("f1")));
        }
        MarkdownTable perClass = new MarkdownTable(new ArrayList<>(List.of("class")) {{
                addAll(evals.keySet());
            }});
        Map<String, double[]> bars = new LinkedHashMap<>();
        for (String p : evals.keySet()) {
            bars.put(p, evals.get(p).classes().stream().mapToDouble(ClassResult::ap).toArray());
        }
        for (int c = 0; c < classes.size(); c++) {
            List<Object> row = new ArrayList<>();
            row.add(classes.name(c));
            for (EvalResult ev : evals.values()) {
                row.add(String.format("%.3f", ev.classes().get(c).ap()));
            }
            perClass.row(row);
        }
        String md = "## Direct training of the cpu presets on FashionScenes (10 classes)\n\n" + Machine.describe()
                + "\n\n" + t + "\n\nPer-class AP@0.5 (test split, VOC all-point interpolation):\n\n" + perClass
                + "\n\nSettings: " + base.summary() + " (per-preset epochs: " + epochs + "); data " + data
                + " (train " + trainDs.size() + " images, test " + testDs.size() + ").\n";
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("results.md"), md);
        AtomicFiles.writeJson(out.resolve("results.json"), Map.of("machine", Machine.facts(), "rows", rows));
        Charts.groupedBarChart("Per-class AP@0.5 on FashionScenes test", classes.names(), bars, "AP",
                out.resolve("per-class-ap.png"));
        System.out.println(md);
        return 0;
    }
}
