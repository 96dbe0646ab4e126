package org.diredi.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.bench.delta.DeltaSection;
import org.diredi.bench.inference.InferenceSection;
import org.diredi.bench.memory.MemoryRow;
import org.diredi.bench.memory.MemorySection;
import org.diredi.bench.training.TrainingSection;
import org.diredi.bench.transfer.TransferRow;
import org.diredi.bench.transfer.TransferSection;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.report.Machine;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.scenes.FashionScenes;

/**
 * {@code bench perf}: every hot path in one run, side by side as ratios and against its target:
 * training throughput against this machine's libtorch peak, inference engines on one exported model,
 * the knowledge delta in fp32 / fp16, transfers over the embedded broker, and peak memory. Writes
 * perf.md (BENCHMARKS.md-ready) and perf.json (the unrounded figures).
 */
public final class PerfBenchmark {

    /** The five sections' results, in report order. */
    private record Sections(TrainingSection.Result training, InferenceSection.Result inference,
                            DeltaSection.Result delta, List<TransferRow> transfer, List<MemoryRow> memory) {}

    private final PerfSettings s;
    private final String command;
    private final TrainingSection training;
    private final InferenceSection inference;
    private final DeltaSection delta;
    private final TransferSection transfer;
    private final MemorySection memory;

    private PerfBenchmark(PerfSettings settings, String command) {
        this.s = settings;
        this.command = command;
        this.training = new TrainingSection(settings);
        this.inference = new InferenceSection(settings);
        this.delta = new DeltaSection(settings);
        this.transfer = new TransferSection(settings);
        this.memory = new MemorySection(settings);
    }

    /**
     * Runs every section and writes the report into the settings' results folder; {@code command} is
     * the command line as the report should show it ({@code diredi bench perf ...}).
     */
    public static void run(PerfSettings settings, String command) throws Exception {
        settings.validate();
        long start = System.nanoTime();
        FashionScenes.ensure(settings.data());
        Files.createDirectories(settings.out());
        new PerfBenchmark(settings.absolute(), command).run(start);
    }

    private void run(long start) throws Exception {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("machine", Machine.facts());
        json.put("settings", settingsJson());
        Sections r = sections(json);
        AtomicFiles.deleteTree(s.out().resolve("transfer")); // broker store and device staging: scratch
        double minutes = (System.nanoTime() - start) / 60e9;
        json.put("minutes", minutes);
        String md = markdown(r, minutes);
        Path mdFile = s.out().resolve("perf.md");
        Path jsonFile = s.out().resolve("perf.json");
        AtomicFiles.writeString(mdFile, md);
        AtomicFiles.writeJson(jsonFile, json);
        System.out.println();
        System.out.println(md);
        System.out.println("wrote " + mdFile + " and " + jsonFile);
    }

    private Map<String, Object> settingsJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("family", s.family());
        m.put("batch", s.batch());
        m.put("warmupSteps", s.warmup());
        m.put("timedSteps", s.steps());
        m.put("inferenceRuns", s.runs());
        m.put("inferenceThreads", s.inferenceThreads());
        m.put("deltaSteps", s.deltaSteps());
        m.put("devices", s.devices());
        m.put("parallelSenders", s.parallelSenders());
        m.put("edgeFrames", s.edgeFrames());
        m.put("quick", s.quick());
        m.put("data", s.data().toString());
        return m;
    }

    /** Runs the sections in order, each result into {@code json} as soon as it is there. */
    private Sections sections(Map<String, Object> json) throws Exception {
        TrainingSection.Result t = training.run(givenCheckpoints());
        json.put("training", t.json());
        InferenceSection.Result i = inference.run(t.checkpoints().get("edge"));
        json.put("inference", i.json());
        DeltaSection.Result d = delta.run(t.checkpoints().get("tutor"), s.out().resolve("delta"));
        json.put("delta", d.json(s.deltaSteps()));
        List<TransferRow> tr = transfer.run(s.out().resolve("transfer"), List.of(d.fp32(), d.fp16()), i.fp32());
        json.put("transfer", TransferSection.json(tr));
        // training's peak RSS came from section 1's children
        List<MemoryRow> mem = new ArrayList<>();
        t.children().forEach(c -> mem.add(memory.training(c)));
        mem.add(memory.edgeRuntime(i.fp32()));
        json.put("memory", Map.of("rows", mem));
        return new Sections(t, i, d, tr, mem);
    }

    /** The role (edge / tutor) of each given checkpoint, from its manifest's preset name. */
    private Map<String, Path> givenCheckpoints() {
        Map<String, Path> m = new LinkedHashMap<>();
        for (Path p : s.checkpoints()) {
            String preset = Checkpoint.read(p).manifest().model().name();
            String name = preset.substring(preset.indexOf('/') + 1);
            String role = name.startsWith("edge") ? "edge" : name; // cpu/edge-bn is an edge model too
            if (!role.equals("edge") && !role.equals("tutor")) {
                throw new IllegalArgumentException(p + " holds a " + preset + " model: expected an edge or tutor preset");
            }
            if (m.put(role, p) != null) {
                throw new IllegalArgumentException("two " + role + " checkpoints given: " + m.get(role) + " and " + p);
            }
        }
        return m;
    }

    private String markdown(Sections r, double minutes) {
        Map<String, String> source = r.training().modelSource();
        return header(minutes) + training.markdown(r.training()) + inference.markdown(r.inference(), source.get("edge"))
                + delta.markdown(r.delta(), source.get("tutor")) + TransferSection.markdown(r.transfer())
                + MemorySection.markdown(r.memory());
    }

    private String header(double minutes) {
        return "## Performance: every hot path in one run\n\n```bash\n./" + command.strip() + "\n```\n\n"
                + Machine.describe() + " ONNX Runtime / OpenCV / edge runtime threads " + s.inferenceThreads()
                + ", OMP_WAIT_POLICY=" + System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset") + ". Data: "
                + s.data() + ". The run took " + String.format("%.1f", minutes) + " min"
                + (s.quick() ? " (--quick: smoke settings, the figures are not benchmarks)" : "") + ".\n\n";
    }
}
