package org.diredi.workflow.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.diredi.edge.cli.EdgeMain;

/**
 * The customer's cameras: each one an edge-runtime JVM (ONNX Runtime, no libtorch) started in its
 * enrolled folder from its edge.yaml, as {@code diredi edge run --config edge.yaml} starts it there, its
 * output in edge.log beside it.
 */
final class Cameras implements AutoCloseable {

    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Path> logs = new LinkedHashMap<>();

    private Cameras() {}

    /**
     * @param classpath the edge runtime's classpath (the diredi launcher's DIREDI_EDGE_CLASSPATH)
     * @param configs   camera -> its edge.yaml
     */
    static Cameras start(String classpath, Map<String, Path> configs) throws IOException {
        requireClasspath(classpath);
        Cameras cams = new Cameras();
        try {
            for (Map.Entry<String, Path> c : configs.entrySet()) {
                cams.startOne(c.getKey(), c.getValue(), classpath);
            }
        } catch (IOException | RuntimeException e) {
            cams.close();
            throw e;
        }
        return cams;
    }

    /** Fails before any training when the cameras could not be started later. */
    static void requireClasspath(String classpath) {
        if (classpath == null) {
            throw new IllegalStateException("the demo starts cameras as edge-runtime JVMs: run it through ./diredi");
        }
    }

    private void startOne(String cam, Path config, String classpath) throws IOException {
        Path log = config.resolveSibling("edge.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the classpath goes in the environment: see the diredi launcher (ONNX Runtime and long command lines)
        // in the camera's folder, as on the device: the paths in its edge.yaml are relative to it
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-Djava.awt.headless=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", EdgeMain.class.getName(), "run",
                "--config", config.getFileName().toString()).directory(config.toAbsolutePath().getParent().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CLASSPATH", classpath);
        logs.put(cam, log);
        processes.put(cam, pb.start());
    }

    /** @throws IllegalStateException naming the camera and its log when one of them has stopped */
    void requireRunning() {
        processes.forEach((cam, p) -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("camera " + cam + " stopped (exit code " + p.exitValue() + "); see "
                        + logs.get(cam));
            }
        });
    }

    Path log(String cam) {
        return logs.get(cam);
    }

    @Override
    public void close() {
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
