package org.diredi.bench.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.bench.PerfSettings;
import org.diredi.vision.config.ConfigFiles;

/**
 * Section 1 of {@code bench perf}: this libtorch's peak, then each preset's training in its own JVM
 * (whose peak RSS is section 5's training memory). Roles without a given checkpoint keep the child's
 * tiny-budget weights, so the later sections run from a fresh clone.
 */
public final class TrainingSection {

    /** A training child's result and its peak RSS. */
    public record Child(String preset, TimedTraining.Result result, long peakRss) {}

    /**
     * What section 1 measured and leaves for the others: each role's checkpoint ({@code edge},
     * {@code tutor}) and, for the report, where it came from.
     */
    public record Result(List<Peak> peaks, double peakGflops, List<ThroughputRow> rows, List<Child> children,
                         Map<String, Path> checkpoints, Map<String, String> modelSource) {
        public Map<String, Object> json() {
            return Map.of("peaks", peaks, "peakGflops", peakGflops, "rows", rows);
        }
    }

    private static final List<String> ROLES = List.of("edge", "tutor");

    private final PerfSettings s;

    public TrainingSection(PerfSettings settings) {
        this.s = settings;
    }

    /** Runs section 1; {@code given} maps roles to the checkpoints the user gave. */
    public Result run(Map<String, Path> given) throws Exception {
        System.out.println("perf: [1/5] libtorch peak (matmul, conv)");
        List<Peak> peaks = s.probes().measure();
        double peak = peaks.stream().mapToDouble(Peak::gflops).max().orElseThrow();
        List<ThroughputRow> rows = new ArrayList<>();
        List<Child> children = new ArrayList<>();
        Map<String, Path> checkpoints = new LinkedHashMap<>(given);
        Map<String, String> source = new LinkedHashMap<>();
        for (String role : ROLES) {
            String preset = s.family() + "/" + role;
            Path save = given.containsKey(role) ? null : s.out().resolve("tiny-budget-" + role + ".ckpt");
            System.out.printf("perf: [1/5] training %s, %d + %d steps of batch %d, in a child JVM%n", preset,
                    s.warmup(), s.steps(), s.batch());
            Child c = trainChild(preset, save);
            children.add(c);
            rows.add(ThroughputRow.of(c.result(), peak));
            if (save != null) {
                checkpoints.put(role, save);
                source.put(role, save + " (trained " + (s.warmup() + s.steps()) + " steps in this run: a tiny budget,"
                        + " its accuracy means nothing)");
            } else {
                source.put(role, given.get(role).toString());
            }
        }
        return new Result(peaks, peak, rows, children, checkpoints, source);
    }

    /** {@link TimedTraining#main} for one preset in a child JVM on this JVM's classpath and options. */
    private Child trainChild(String preset, Path save) throws Exception {
        List<String> args = new ArrayList<>(List.of(preset, s.data().toString(), Integer.toString(s.batch()),
                Integer.toString(s.warmup()), Integer.toString(s.steps())));
        if (save != null) {
            args.add(save.toString());
        }
        Path log = s.out().resolve("train-" + preset.replace('/', '-') + ".log");
        ChildJvm.Outcome o = ChildJvm.run(System.getProperty("java.class.path"), ChildJvm.inheritedOptions(),
                TimedTraining.class.getName(), args, log, 3600);
        String line = o.output().lines().filter(l -> l.startsWith(TimedTraining.RESULT)).reduce((a, b) -> b).orElse(null);
        if (o.exitCode() != 0 || line == null) {
            throw new IllegalStateException("training " + preset + " failed (exit " + o.exitCode() + "); see " + log
                    + ":\n" + ChildJvm.tail(o.output()));
        }
        TimedTraining.Result r = ConfigFiles.JSON.readValue(line.substring(TimedTraining.RESULT.length()),
                TimedTraining.Result.class);
        // The child's own VmHWM at its end is exact; the outside reading is a fallback without /proc/self.
        return new Child(preset, r, Math.max(r.peakRssBytes(), o.peakRssBytes()));
    }

    /** The report's section 1. */
    public String markdown(Result r) {
        return new StringBuilder("### 1. Training throughput against this machine's libtorch peak\n\n")
                .append("Peak: the best of ").append(s.probes().reps()).append(" calls of each op, same process and"
                        + " libtorch as the training runs; the machine's peak is the higher of the two.\n\n")
                .append(Peak.table(r.peaks()).strip()).append("\n\nTraining: ").append(s.warmup())
                .append(" warm-up + ").append(s.steps()).append(" timed steps of batch ").append(s.batch())
                .append(" on the training split (augmentation on, AdamW, DetectorTrainer's step), each preset in its"
                        + " own JVM. FLOP convention: 2 FLOPs per multiply-accumulate, convolutions only, counted on"
                        + " the real graph (FlopCounter); forward + backward = 3x forward.\n\n")
                .append(ThroughputRow.table(r.rows()).strip()).append("\n\n").toString();
    }
}
