package org.diredi.bench.workers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.CloudConfig;
import org.diredi.core.report.Machine;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.MarkdownTable;

/**
 * {@code diredi bench workers}: deltas decided per hour by the cloud with 1 and with 2 worker processes
 * ({@code cloud serve --worker}) on loopback, tiny models ({@link WorkersFixture}): {@code customers}
 * customers send one delta each, every one accepted, so each takes the whole path (Eq. 10, the gate,
 * Distill C, export, signing). Timed from the first upload to the last decision, workers already running and
 * warmed up (one delta each, not counted);
 * the intake's re-announce at the shipped default ({@code jobs.redeliverSeconds}).
 *
 * @param workerMain the diredi command's main class (each worker is {@code diredi cloud serve --worker})
 */
public final class WorkersBenchmark {

    public record Settings(Path out, int customers, List<Integer> workers, String workerMain) {}

    private WorkersBenchmark() {}

    /** Runs each worker count, writes workers.md and workers.json; prints and returns the Markdown. */
    public static String run(Settings s) throws Exception {
        Files.createDirectories(s.out());
        WorkersFixture f = WorkersFixture.make(s.out().resolve("fixture"), System.out);
        List<WorkersRun.Result> results = new ArrayList<>();
        for (int n : s.workers()) {
            System.out.println("bench workers: " + n + " worker(s), " + s.customers() + " deltas");
            results.add(WorkersRun.run(f, s.out().resolve("run-" + n + "-workers"), new WorkersRun.Settings(s.customers(),
                    1, n, false, CloudConfig.DEFAULTS.jobs().redeliverSeconds(), s.workerMain(), 1800, true), System.out));
        }
        String md = write(s, results);
        System.out.println(md);
        return md;
    }

    private static String write(Settings s, List<WorkersRun.Result> results) throws IOException {
        double base = results.get(0).perHour();
        MarkdownTable t = new MarkdownTable("workers", "deltas", "accepted", "wall s", "deltas / hour", "vs first row");
        List<Map<String, Object>> json = new ArrayList<>();
        for (WorkersRun.Result r : results) {
            long accepted = r.decisions().values().stream().filter(ds -> ds.get(0).accepted()).count();
            t.row(r.settings().workers(), r.decisions().size(), accepted, String.format("%.1f", r.seconds()),
                    String.format("%.0f", r.perHour()), String.format("%.2fx", r.perHour() / base));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workers", r.settings().workers());
            m.put("deltas", r.decisions().size());
            m.put("accepted", accepted);
            m.put("seconds", r.seconds());
            m.put("deltasPerHour", r.perHour());
            json.add(m);
        }
        String md = "## Deltas decided per hour, 1 and 2 cloud workers\n\n" + Machine.describe() + " Embedded broker on"
                + " loopback; the intake in the benchmark's JVM, each worker a `diredi cloud serve --worker` JVM; tiny"
                + " models (96 px FashionScenes, 8 training images); each delta accepted: Eq. 10, gate, Distill C (1"
                + " epoch), export for one cpu camera, signing. Wall time from the first upload to the last decision, each"
                + " worker warmed up first by one delta of its own (not counted).\n\n"
                + t + "\n";
        AtomicFiles.writeString(s.out().resolve("workers.md"), md);
        AtomicFiles.writeJson(s.out().resolve("workers.json"), Map.of("machine", Machine.facts(), "results", json));
        return md;
    }
}
