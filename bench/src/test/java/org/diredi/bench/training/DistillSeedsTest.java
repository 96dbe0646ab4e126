package org.diredi.bench.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seeds' summary from hand-made results: per-seed values, mean and sample sd, known answers. */
class DistillSeedsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path results(long seed, double edgeDirect, double edgeB) throws Exception {
        Path f = tmp.resolve("seed-" + seed + "/results.json");
        Files.createDirectories(f.getParent());
        JSON.writeValue(f.toFile(), Map.of("rows", List.of(
                Map.of("name", "edge-direct", "eval", Map.of("mAP", edgeDirect, "f1", 0.5)),
                Map.of("name", "edge-distill-B", "eval", Map.of("mAP", edgeB, "f1", 0.5)))));
        return f;
    }

    @Test
    void distillBAgainstDirectTrainingOverSeeds() throws Exception {
        List<Path> runs = List.of(results(1, 0.389, 0.370), results(2, 0.40, 0.43), results(3, 0.41, 0.42));
        String md = DistillSeeds.summarise(runs, tmp);
        JsonNode d = JSON.readTree(tmp.resolve("seeds.json").toFile()).path("differences")
                .path("edge-distill-B_minus_direct_map");
        // -1.9, +3, +1 points: mean 0.7, sd sqrt((2.6^2 + 2.3^2 + 0.3^2) / 2)
        assertEquals(-1.9, d.path("seeds").get(0).asDouble(), 1e-9);
        assertEquals(0.7, d.path("mean").asDouble(), 1e-9);
        assertEquals(Math.sqrt((2.6 * 2.6 + 2.3 * 2.3 + 0.3 * 0.3) / 2), d.path("sd").asDouble(), 1e-9);
        assertTrue(md.contains("edge-distill-B - edge-direct") && md.contains("[-1.9, 3.0, 1.0]"), md);
        assertTrue(Files.exists(tmp.resolve("seeds.md")));
    }
}
