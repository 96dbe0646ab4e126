package org.diredi.bench.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diredi.bench.PerfSettings;
import org.diredi.bench.report.Cells;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.report.MarkdownTable;

/**
 * Section 1 of {@code bench perf}: this libtorch's peak, then each preset's training in its own JVM
 * (whose peak RSS is section 5's training memory). Roles without a given checkpoint keep the child's
 * tiny-budget weights, so the later sections run from a fresh clone.
 */
public final class TrainingSection {

    /** A training child's result and its peak RSS. */
    public record Child(String preset, TimedTraining.Result result, long peakRss) {}

    /**
     * One preset trained twice in a row, with the launcher's malloc settings and with glibc's defaults (those
     * variables removed from the child's environment): images per second and their ratio.
     */
    public record Allocator(String preset, double tunedImagesPerSecond, double defaultImagesPerSecond, double ratio) {}

    /**
     * What section 1 measured and leaves for the others: each role's checkpoint ({@code edge},
     * {@code tutor}) and, for the report, where it came from.
     */
    public record Result(List<Peak> peaks, double peakGflops, List<ThroughputRow> rows, List<Child> children,
                         Map<String, Path> checkpoints, Map<String, String> modelSource, List<Allocator> allocator) {
        public Map<String, Object> json() {
            return Map.of("peaks", peaks, "peakGflops", peakGflops, "rows", rows, "allocator", allocator);
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
        List<Allocator> allocator = new ArrayList<>();
        for (String role : ROLES) {
            String preset = s.family() + "/" + role;
            Path save = given.containsKey(role) ? null : s.out().resolve("tiny-budget-" + role + ".ckpt");
            System.out.printf("perf: [1/5] training %s, %d + %d steps of batch %d, in a child JVM%n", preset,
                    s.warmup(), s.steps(), s.batch());
            Child c = trainChild(preset, save, Set.of());
            children.add(c);
            rows.add(ThroughputRow.of(c.result(), peak));
            if (mallocTuned()) {
                System.out.printf("perf: [1/5] training %s again with glibc's default malloc%n", preset);
                double defaults = trainChild(preset, null, ChildJvm.MALLOC_TUNING).result().imagesPerSecond();
                double tuned = c.result().imagesPerSecond();
                allocator.add(new Allocator(preset, tuned, defaults, tuned / defaults));
            }
            if (save != null) {
                checkpoints.put(role, save);
                source.put(role, save + " (trained " + (s.warmup() + s.steps()) + " steps in this run: a tiny budget,"
                        + " its accuracy means nothing)");
            } else {
                source.put(role, given.get(role).toString());
            }
        }
        return new Result(peaks, peak, rows, children, checkpoints, source, allocator);
    }

    /** Whether this JVM runs with any of the launcher's malloc settings (so a child without them differs). */
    private static boolean mallocTuned() {
        return ChildJvm.MALLOC_TUNING.stream().anyMatch(v -> System.getenv(v) != null);
    }

    /**
     * {@link TimedTraining#main} for one preset in a child JVM on this JVM's classpath and options, without the
     * environment variables in {@code unset}.
     */
    private Child trainChild(String preset, Path save, Set<String> unset) throws Exception {
        List<String> args = new ArrayList<>(List.of(preset, s.data().toString(), Integer.toString(s.batch()),
                Integer.toString(s.warmup()), Integer.toString(s.steps())));
        if (save != null) {
            args.add(save.toString());
        }
        Path log = s.out().resolve("train-" + preset.replace('/', '-') + (unset.isEmpty() ? "" : "-malloc-defaults")
                + ".log");
        ChildJvm.Outcome o = ChildJvm.run(System.getProperty("java.class.path"), ChildJvm.inheritedOptions(),
                TimedTraining.class.getName(), args, log, 3600, unset);
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
                .append(ThroughputRow.table(r.rows()).strip()).append("\n\n").append(allocatorTable(r.allocator()))
                .toString();
    }

    private static String allocatorTable(List<Allocator> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        MarkdownTable t = new MarkdownTable("preset", "img/s, the launcher's malloc", "img/s, glibc's defaults",
                "ratio");
        rows.forEach(a -> t.row(a.preset(), Cells.number("%.1f", a.tunedImagesPerSecond()),
                Cells.number("%.1f", a.defaultImagesPerSecond()), Cells.number("%.2fx", a.ratio())));
        return "Memory allocator: the same training with the launcher's malloc settings (" + ChildJvm.MALLOC_TUNING
                .stream().sorted().map(v -> v + "=" + System.getenv(v)).reduce((a, b) -> a + ", " + b).orElse("")
                + ") and again with glibc's defaults, one after the other:\n\n" + t.toString().strip() + "\n\n";
    }
}
