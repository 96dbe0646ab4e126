package org.diredi.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.eval.Predictor;
import org.diredi.core.gate.GateDecision;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.gate.VerificationGate;
import org.diredi.core.train.DetectionSet;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The verification gate: per-class AP, and P / R / F1 at the cameras' threshold, before / after an update. */
@Command(name = "gate", mixinStandardHelpOptions = true,
        description = {"Evaluate the tutor before and after weight substitution on the manufacturer's validation",
            "split (AP per class; precision, recall and F1 at the policy's scoreThreshold) and accept or reject",
            "by policy. Writes gate.md and gate.json. Exit code: 0 accepted, 10 rejected, 2 bad input."})
final class GateCommand implements Callable<Integer> {

    @Option(names = "--before", required = true, paramLabel = "CKPT", description = "the tutor before the update")
    Path before;

    @Option(names = "--after", required = true, paramLabel = "CKPT", description = "the tutor after 'delta apply'")
    Path after;

    @Option(names = "--delta", paramLabel = "FILE", description = "the delta (its added / removed classes)")
    Path delta;

    @Option(names = "--policy", paramLabel = "FILE", description = "gate policy (YAML or JSON) over the defaults")
    Path policyFile;

    @Mixin
    DataOptions data;

    @Option(names = "--split", description = "the manufacturer's validation split (default: ${DEFAULT-VALUE})")
    String split = "val";

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where gate.md / gate.json go")
    Path out;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        Device on = device.device();
        GatePolicy policy = GatePolicy.load(policyFile);
        Checkpoint b = Checkpoint.read(before).requireCompatible(null, data.classes());
        Checkpoint a = Checkpoint.read(after).requireCompatible(b.manifest().model(), data.classes());
        Set<String> added = new HashSet<>();
        Set<String> removed = new HashSet<>();
        if (delta != null) {
            KnowledgeDelta d = KnowledgeDelta.read(delta);
            added.addAll(d.manifest().classesAdded());
            removed.addAll(d.manifest().classesRemoved());
        }
        VocDataset ds = data.load(split);
        EvalResult eb;
        EvalResult ea;
        try (NDManager m = NDManager.newBaseManager(on)) {
            DetectionSet set = DetectionSet.load(ds, b.manifest().model().inputSize());
            eb = new Predictor(b.toModel(m), m, FcosDecoder.Config.EVAL).evaluate(set, policy.evalConfig());
            ea = new Predictor(a.toModel(m), m, FcosDecoder.Config.EVAL).evaluate(set, policy.evalConfig());
        }
        GateDecision decision = VerificationGate.decide(
                new VerificationGate.Evidence(b.manifest().classes(), eb, ea, added, removed), policy);
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("gate.md"), decision.toMarkdown());
        AtomicFiles.writeJson(out.resolve("gate.json"), decision);
        System.out.print(decision.toMarkdown());
        return decision.accepted() ? 0 : GateDecision.EXIT_REJECTED;
    }
}
