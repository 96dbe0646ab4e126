package org.diredi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diredi.bench.delta.DeltaPrivacyBenchmark;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.update.AddedClassKnowledge;
import org.diredi.core.delta.DeltaEncoding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code diredi bench delta-privacy}: the knowledge delta with and without DP; the work is the bench module's. */
@Command(name = "delta-privacy", mixinStandardHelpOptions = true,
        description = {"The knowledge delta of two RD tutors (Eq. 9) released as is and clipped to --clip with Gaussian",
            "noise at each --noise multiplier (the on-prem trainer's privacy settings), each applied to the original",
            "tutor (Eq. 10) and evaluated: epsilon per release (analytic Gaussian mechanism), mAP@0.5, added-class",
            "AP; with --edge, also Distill C's edge model (it trains). Writes results.md and results.json."})
final class DeltaPrivacyBenchCommand implements Callable<Integer> {

    @Mixin
    DeltaBenchInputs inputs;

    @Option(names = "--clip", description = "clip norm C (default: ${DEFAULT-VALUE})")
    double clipNorm = 10.0;

    @Option(names = "--noise", split = ",", description = "noise multipliers sigma (default: ${DEFAULT-VALUE})")
    List<Double> noise = List.of(0.5, 1.0, 2.0);

    @Option(names = "--delta", description = "the delta of (epsilon, delta) (default: ${DEFAULT-VALUE})")
    double delta = 1e-5;

    @Option(names = "--seed", description = "the noise's seed: a benchmark repeats (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(names = "--form", description = "the upload form: float32, float16, sparse, int8 or sparse-int8 (default: ${DEFAULT-VALUE})")
    String form = "float16";

    @Option(names = "--density", description = "sparse forms: the fraction of each tensor's values kept (default: ${DEFAULT-VALUE})")
    double density = 0.05;

    @Option(names = "--edge", paramLabel = "CKPT", description = "also run Distill C from this edge model after each update")
    Path edge;

    @Option(names = "--edge-preset", description = "the edge model's preset (default: ${DEFAULT-VALUE})")
    String edgePreset = "cpu/edge";

    @Option(names = "--distill-epochs", description = "Distill C's epochs (default: ${DEFAULT-VALUE})")
    int distillEpochs = 5;

    @Option(names = "--cloud-config", paramLabel = "FILE", description = "Distill C's other settings (batch, temperature,"
            + " FGD weight, pseudo-labels, device) from this cloud.yaml (default: the built-in cloud settings); its "
            + "epochs are --distill-epochs', and no calibration is applied")
    Path cloudConfig;

    @Option(names = "--added-class-knowledge", paramLabel = "labels|unlabelled|absent", description = "what the "
            + "manufacturer's data knows of the added class; without its labels Distill C learns it from the updated "
            + "tutor's pseudo-labels, so the edge model shows what the noisy delta taught (default: the cloud config's)")
    String addedClassKnowledge;

    @Option(names = "--train-split", description = "Distill C's split of --data (default: ${DEFAULT-VALUE})")
    String trainSplit = "train";

    @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/bench-delta-privacy");

    @Override
    public Integer call() throws Exception {
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm) || !(delta > 0 && delta < 1)
                || noise.stream().anyMatch(n -> !(n >= 0) || n.isInfinite())) {
            throw new IllegalArgumentException("--clip must be > 0, --delta in (0, 1) and each --noise >= 0, got "
                    + clipNorm + ", " + delta + ", " + noise);
        }
        if (edge != null && (!Files.isRegularFile(edge) || distillEpochs < 1)) {
            throw new IllegalArgumentException("--edge " + edge + ": file not found, or --distill-epochs < 1");
        }
        DeltaPrivacyBenchmark.DistillC distillC = edge == null ? null
                : new DeltaPrivacyBenchmark.DistillC(edge, edgePreset, trainSplit, cloud());
        DeltaPrivacyBenchmark.run(new DeltaPrivacyBenchmark.Settings(inputs.inputs(), clipNorm, noise, delta, seed,
                DeltaEncoding.of(form, density, "--form"), distillC, out));
        System.out.println("bench: wrote " + out.resolve("results.md") + " and " + out.resolve("results.json"));
        return 0;
    }

    /** The cloud's settings for Distill C: the file's (or the defaults) with this command's overrides. */
    private CloudConfig cloud() {
        CloudConfig c = cloudConfig == null ? CloudConfig.DEFAULTS : CloudConfig.load(cloudConfig);
        Map<String, Object> overrides = new HashMap<>(Map.of("distillCEpochs", distillEpochs));
        if (addedClassKnowledge != null) {
            overrides.put("addedClassKnowledge",
                    AddedClassKnowledge.parse("--added-class-knowledge", addedClassKnowledge).id());
        }
        return c.with(overrides);
    }
}
