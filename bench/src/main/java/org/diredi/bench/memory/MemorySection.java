package org.diredi.bench.memory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.bench.PerfSettings;
import org.diredi.bench.training.ChildJvm;
import org.diredi.bench.training.TrainingSection;
import org.diredi.profiles.DeviceProfile;
import org.diredi.profiles.Profiles;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.io.AtomicFiles;

/**
 * Section 5 of {@code bench perf}: peak RSS (VmHWM) of the training children of section 1 and of the
 * camera program run in its own JVM, against the cpu profile's memory budget.
 */
public final class MemorySection {

    /** The camera's main class, started by name: the edge runtime is not on this module's compile path. */
    static final String EDGE_MAIN = "org.diredi.edge.cli.EdgeMain";
    private static final long MIB = 1048576;

    private final PerfSettings s;

    public MemorySection(PerfSettings settings) {
        this.s = settings;
    }

    /** The memory row of one training child of section 1. */
    public MemoryRow training(TrainingSection.Child c) {
        List<String> heap = ChildJvm.inheritedOptions().stream().filter(o -> o.startsWith("-Xm")).toList();
        return new MemoryRow("training " + c.preset() + " (child JVM, batch " + s.batch() + ")", c.peakRss(),
                c.peakRss() / (double) MIB, String.format("RSS %.0f MiB after decoding the %d training images"
                        + " (%.0f MiB of float pixels held in the heap, as DetectorTrainer does); JVM %s",
                c.result().rssAfterDataBytes() / (double) MIB, c.result().datasetImages(),
                c.result().datasetBytes() / (double) MIB, String.join(" ", heap)), "-", null);
    }

    /**
     * The camera program ({@code EdgeMain run}: folder source, preprocessing, ONNX Runtime, decode +
     * NMS, MQTT off) on {@code onnx} in a JVM with the launcher's edge options, on the edge runtime's
     * own classpath when ./diredi provides it.
     */
    public MemoryRow edgeRuntime(Path onnx) throws Exception {
        System.out.println("perf: [5/5] edge runtime memory (child JVM, " + s.edgeFrames() + " frames)");
        Path dir = s.out().resolve("edge-runtime");
        AtomicFiles.deleteTree(dir);
        Files.createDirectories(dir);
        Path config = writeConfig(dir, onnx);
        String edgeCp = ChildJvm.edgeClasspath();
        String cp = edgeCp != null ? edgeCp : System.getProperty("java.class.path");
        List<String> opts = List.of("-Xmx1g", "-Djava.awt.headless=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        ChildJvm.Outcome o = ChildJvm.run(cp, opts, EDGE_MAIN, List.of("run", "--config", config.toString(), "--frames",
                Integer.toString(s.edgeFrames())), dir.resolve("edge.log"), 1800);
        if (o.exitCode() != 0) {
            throw new IllegalStateException("the edge runtime failed (exit " + o.exitCode() + "); see "
                    + dir.resolve("edge.log") + ":\n" + ChildJvm.tail(o.output()));
        }
        // the program prints its final status as the last JSON object of its output
        String status = o.output().substring(Math.max(0, o.output().lastIndexOf("\n{") + 1));
        Map<?, ?> st = ConfigFiles.JSON.readValue(status, Map.class);
        DeviceProfile p = Profiles.resolve("cpu");
        return new MemoryRow("edge runtime (EdgeMain run, ORT FP32, " + s.edgeFrames() + " frames)", o.peakRssBytes(),
                o.peakRssBytes() / (double) MIB, String.format("%s; %s fps, frame p50 %s ms; %s classpath; JVM %s;"
                                + " VmHWM polled every 50 ms", onnx.getFileName(), st.get("fps"),
                        st.get("latencyMs") instanceof Map<?, ?> l ? l.get("p50") : "?",
                        edgeCp != null ? "edge-runtime's own (no libtorch)" : "the full diredi (libtorch never loaded)",
                        opts.get(0)),
                "<= cpu profile memory budget (" + p.memoryBudgetBytes() / MIB + " MiB)",
                o.peakRssBytes() > 0 ? o.peakRssBytes() <= p.memoryBudgetBytes() : null);
    }

    /** The camera's edge.yaml: the exported model, the data's images in a loop, no MQTT. */
    private Path writeConfig(Path dir, Path onnx) throws java.io.IOException {
        String yaml = String.join("\n",
                "device: {customer: perf, id: perf-cam}",
                "profile: cpu",
                "modelDir: '" + dir.resolve("models") + "'",
                "initialModel: '" + onnx + "'",
                "source: {type: folder, path: '" + s.data().resolve("JPEGImages") + "', loop: true, fpsLimit: 0}",
                "mqtt: {enabled: false}",
                "threads: " + s.inferenceThreads(), "");
        Path config = dir.resolve("edge.yaml");
        Files.writeString(config, yaml);
        return config;
    }

    /** The report's section 5. */
    public static String markdown(List<MemoryRow> rows) {
        return "### 5. Peak memory (VmHWM)\n\n" + MemoryRow.table(rows).strip() + "\n";
    }
}
