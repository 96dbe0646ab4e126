package org.diredi.bench.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.MarkdownTable;
import org.diredi.vision.report.Spread;

/**
 * {@code bench distill --seeds N}: the benchmark once per training seed (the config's and the next N - 1),
 * each in {@code out/seed-<seed>} and resumable on its own, then seeds.md and seeds.json: every model's
 * mAP and F1 per seed with mean +- sd, and Distill A and B against direct training of the same student.
 */
public final class DistillSeeds {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Distillation -> its direct-training comparison, as the benchmark names its rows. */
    static final Map<String, String> PAIRS = Map.of("tutor-distill-A", "tutor-direct", "edge-distill-B",
            "edge-direct");

    private DistillSeeds() {}

    /** Runs the seeds and writes the summary; prints and returns its Markdown. */
    public static String run(DistillBenchmark.Settings s, int seeds) throws IOException {
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds: must be >= 1, got " + seeds);
        }
        long first = TrainConfig.load(s.configFile()).seed();
        List<Path> results = new ArrayList<>();
        for (long seed = first; seed < first + seeds; seed++) {
            Path dir = s.out().resolve("seed-" + seed);
            DistillBenchmark.run(s.withOut(dir), seed);
            results.add(dir.resolve("results.json"));
        }
        String md = summarise(results, s.out());
        System.out.println(md);
        return md;
    }

    /** seeds.md / seeds.json in {@code out} from the seeds' results.json (points, 0-100). */
    static String summarise(List<Path> results, Path out) throws IOException {
        Map<String, List<Double>> map = new LinkedHashMap<>();
        Map<String, List<Double>> f1 = new LinkedHashMap<>();
        for (Path f : results) {
            for (JsonNode row : JSON.readTree(f.toFile()).path("rows")) {
                String name = row.path("name").asText();
                map.computeIfAbsent(name, k -> new ArrayList<>()).add(row.path("eval").path("mAP").asDouble() * 100);
                f1.computeIfAbsent(name, k -> new ArrayList<>()).add(row.path("eval").path("f1").asDouble() * 100);
            }
        }
        MarkdownTable t = new MarkdownTable("model", "mAP@0.5 per seed", "mAP mean ± sd", "F1 per seed", "F1 mean ± sd");
        Map<String, Object> json = new LinkedHashMap<>();
        for (String name : map.keySet()) {
            Spread m = Spread.of(map.get(name));
            Spread f = Spread.of(f1.get(name));
            t.row(name, values(m), m.text(), values(f), f.text());
            json.put(name, Map.of("mAP", m, "f1", f));
        }
        MarkdownTable d = new MarkdownTable("distillation - direct training (points)", "mAP per seed", "mAP mean ± sd");
        Map<String, Object> diffs = new LinkedHashMap<>();
        for (Map.Entry<String, String> p : new java.util.TreeMap<>(PAIRS).entrySet()) {
            if (map.containsKey(p.getKey()) && map.containsKey(p.getValue())) {
                List<Double> diff = new ArrayList<>();
                for (int i = 0; i < map.get(p.getKey()).size(); i++) {
                    diff.add(map.get(p.getKey()).get(i) - map.get(p.getValue()).get(i));
                }
                Spread sp = Spread.of(diff);
                d.row(p.getKey() + " - " + p.getValue(), values(sp), sp.text());
                diffs.put(p.getKey() + "_minus_direct_map", sp);
            }
        }
        String md = "## bench distill over " + results.size() + " seeds (points; mean ± sample sd)\n\n" + t + "\n\n"
                + d + "\n";
        AtomicFiles.writeString(out.resolve("seeds.md"), md);
        AtomicFiles.writeJson(out.resolve("seeds.json"), Map.of("models", json, "differences", diffs));
        return md;
    }

    private static String values(Spread s) {
        return s.values().stream().map(v -> String.format("%.1f", v)).toList().toString();
    }
}
