import ai.djl.Device;
import java.nio.file.*;
import java.util.*;
import org.diredi.core.eval.ClassBiasCalibration;
import org.diredi.core.stage.Stages;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.diredi.workflow.experiment.ExperimentData;
import org.diredi.workflow.experiment.ExperimentSpec;

/** args: spec runDir manufacturerDir rdBDir out.  Every Table III model at 0.3 and 0.5, plus calibrated tutors. */
public class Thresholds {
    public static void main(String[] a) throws Exception {
        ExperimentSpec spec = ConfigFiles.load(Path.of(a[0]), ExperimentSpec.class, ExperimentSpec.DEFAULTS);
        Path run = Path.of(a[1]), m = Path.of(a[2]), rdB = Path.of(a[3]), out = Path.of(a[4]);
        Files.createDirectories(out);
        ExperimentData data = ExperimentData.load(spec);
        VocDataset test = data.test().restrictTo(spec.updateClasses());
        var own = data.ownData(spec);
        Device cpu = Device.cpu();
        Map<String, Path> rows = new LinkedHashMap<>();
        Map<String, Path> calibrated = new LinkedHashMap<>();
        rows.put("original edge", m.resolve("edge-distill-B/model.ckpt"));
        rows.put("original tutor", m.resolve("tutor-distill-A/model.ckpt"));
        rows.put("tutor 1", rdB.resolve("model.ckpt"));
        rows.put("tutor 2", run.resolve("tutor2-rdA/model.ckpt"));
        rows.put("updated tutor", run.resolve("tutor-updated/model.ckpt"));
        rows.put("distill C", run.resolve("edge-distill-C/model.ckpt"));
        rows.put("direct", run.resolve("edge-baseline/model.ckpt"));
        double[] ts = {0.3, 0.5};
        for (double t : ts) for (String name : List.of("original tutor", "updated tutor", "distill C", "direct")) {
            Path cal = out.resolve(name.replace(' ', '-') + "-calibrated" + t + ".ckpt");
            if (!Files.exists(cal)) {
                var shifts = ClassBiasCalibration.apply(rows.get(name), own.updateTrain(), own.updateClasses(), t, cpu, cal);
                System.out.println(name + " shifts " + shifts);
            }
            calibrated.put(name + " (classBias @" + t + ")", cal);
        }
        if (a.length > 5) { rows.clear(); }
        rows.putAll(calibrated);
        StringBuilder sb = new StringBuilder("| model | mAP | P@0.3 | R@0.3 | F1@0.3 | P@0.5 | R@0.5 | F1@0.5 | boot AP |\n|---|---|---|---|---|---|---|---|---|\n");
        for (var e : rows.entrySet()) {
            if (!Files.exists(e.getValue())) { System.out.println("missing " + e.getValue()); continue; }
            EvalResult r3 = Stages.evaluate(e.getValue(), test, null, cpu, EvalConfig.DEFAULT.withScoreThreshold(0.3));
            EvalResult r5 = Stages.evaluate(e.getValue(), test, null, cpu, EvalConfig.DEFAULT);
            var boot = r5.find(spec.added().get(0));
            String line = String.format("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |", e.getKey(), 100 * r5.map(),
                    100 * r3.precision(), 100 * r3.recall(), 100 * r3.f1(), 100 * r5.precision(), 100 * r5.recall(), 100 * r5.f1(),
                    boot == null ? Double.NaN : 100 * boot.ap());
            System.out.println(line);
            sb.append(line).append('\n');
        }
        Files.writeString(out.resolve("thresholds.md"), sb.toString());
    }
}
