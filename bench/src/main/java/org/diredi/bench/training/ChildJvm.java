package org.diredi.bench.training;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark step in its own JVM, so that its peak resident memory is its own: started with this
 * JVM's java, the given classpath and this JVM's -D / -X options, its output kept in a log file,
 * and its VmHWM read from /proc while it runs.
 */
public final class ChildJvm {

    /** What the child did: exit code, its whole output, peak RSS seen from outside (0 without /proc). */
    public record Outcome(int exitCode, String output, long peakRssBytes, double seconds) {}

    private ChildJvm() {}

    /**
     * The edge runtime's own classpath (ONNX Runtime, OpenCV, Paho, Pi4J; no libtorch), which the diredi
     * launcher passes in the environment; null when started otherwise.
     */
    public static String edgeClasspath() {
        return System.getenv("DIREDI_EDGE_CLASSPATH");
    }

    /** This JVM's -D and -X options (heap, libtorch threads, offline mode), which a child should share. */
    public static List<String> inheritedOptions() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-D") || a.startsWith("-X")) {
                out.add(a);
            }
        }
        return out;
    }

    /** The variables the diredi launcher sets to tune glibc's malloc (the launcher says why). */
    public static final Set<String> MALLOC_TUNING = Set.of("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_",
            "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_");

    /**
     * Runs {@code mainClass args} on {@code classpath} with {@code options}, waiting at most
     * {@code timeoutSeconds}; the output goes to {@code log}.
     */
    public static Outcome run(String classpath, List<String> options, String mainClass, List<String> args, Path log,
                       long timeoutSeconds) throws IOException, InterruptedException {
        return run(classpath, options, mainClass, args, log, timeoutSeconds, Set.of());
    }

    /** {@link #run(String, List, String, List, Path, long)} without the environment variables in {@code unset}. */
    public static Outcome run(String classpath, List<String> options, String mainClass, List<String> args, Path log,
                              long timeoutSeconds, Set<String> unset) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = start(classpath, options, mainClass, args, log, unset);
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        long peak = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        // VmHWM only grows, so the last reading before exit is the peak up to ~50 ms before the end.
        while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
            peak = Math.max(peak, statusBytes(status, "VmHWM"));
            if (System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(mainClass + " did not finish within " + timeoutSeconds + " s; see " + log);
            }
        }
        return new Outcome(p.exitValue(), Files.readString(log), peak, (System.nanoTime() - t0) / 1e9);
    }

    /** Starts {@code mainClass args} as {@link #run} does and returns at once; its output goes to {@code log}. */
    public static Process start(String classpath, List<String> options, String mainClass, List<String> args, Path log)
            throws IOException {
        return start(classpath, options, mainClass, args, log, Set.of());
    }

    private static Process start(String classpath, List<String> options, String mainClass, List<String> args, Path log,
                                 Set<String> unset) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        // Options and classpath go through an @argfile: with a command line over ~4 KB (a full diredi
        // classpath is ~8 KB) ONNX Runtime 1.29 crashes (SIGSEGV) creating a session on this machine.
        List<String> jvmArgs = new ArrayList<>(options);
        jvmArgs.add("-cp");
        jvmArgs.add(classpath);
        Path argFile = log.resolveSibling(log.getFileName() + ".args");
        Files.write(argFile, jvmArgs.stream().map(ChildJvm::quote).toList());
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("@" + argFile.toAbsolutePath());
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeAll(unset);
        return pb.start();
    }

    /** The last 20 lines of a child's output, for an error message. */
    public static String tail(String output) {
        String[] lines = output.split("\n");
        return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 20), lines.length));
    }

    /** One argfile entry: quoted, with backslashes and quotes escaped (java's @argfile syntax). */
    private static String quote(String arg) {
        return "\"" + arg.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A "kB" field of a /proc status file in bytes; 0 if the file or field is missing (not Linux, process gone). */
    public static long statusBytes(Path status, String key) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(key + ":")) {
                    String v = line.substring(key.length() + 1).strip();
                    return Long.parseLong(v.substring(0, v.indexOf(' '))) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended between the check and the read, or no /proc
        }
        return 0;
    }
}
