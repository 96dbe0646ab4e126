package org.diredi.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OS processes of the deploy integration test: every role is a JVM of its own, started as the
 * {@code diredi} launcher starts it (the same main class, arguments and JVM settings; the classpath in the
 * environment, as the launcher does, because ONNX Runtime crashes on a long command line). Each process
 * writes its own log; {@link #close()} ends every process it started, and their children.
 */
final class DeployProcesses implements AutoCloseable {

    /** What a command that ran to its end printed. */
    record Done(int code, String log) {}

    static final String DIREDI = "org.diredi.cli.Diredi";
    /** The camera's program ({@code diredi edge ...} runs it on the edge runtime's jars). */
    static final String EDGE = "org.diredi.edge.cli.EdgeMain";

    private final Path logs;
    private final Map<String, Process> started = new LinkedHashMap<>();
    private final Map<String, Path> logFiles = new LinkedHashMap<>();
    private final Map<String, Process> services = new LinkedHashMap<>();

    private final long t0 = System.nanoTime();

    /** Logs go to {@code logs}, emptied first (the previous run's). */
    DeployProcesses(Path logs) throws IOException {
        this.logs = Files.createDirectories(logs);
        try (var old = Files.list(logs)) {
            for (Path f : old.toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** One line of the run's timeline (stdout and timeline.log): where the minutes go. */
    void mark(String what) {
        String line = String.format(java.util.Locale.ROOT, "deploy-it %6.1f s  %s%n", (System.nanoTime() - t0) / 1e9, what);
        System.out.print(line);
        try {
            Files.writeString(logs.resolve("timeline.log"), line, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Starts {@code main args} in {@code dir} as the long-running service {@code name}: it must stay up. */
    Process service(String name, Path dir, String main, String... args) throws IOException {
        Process p = start(name, dir, main, args);
        services.put(name, p);
        return p;
    }

    /** Starts {@code main args} in {@code dir} as process {@code name}, its output in its log. */
    Process start(String name, Path dir, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // the launcher's settings, with smaller heaps: several JVMs share the CI machine
        cmd.addAll(main.equals(EDGE) ? List.of("-Xmx512m", "-Djava.awt.headless=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
                : List.of("-Xmx2g", "-Djava.awt.headless=true", "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error"));
        cmd.add(main);
        cmd.addAll(List.of(args));
        Path log = logs.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        Files.writeString(log, "$ " + String.join(" ", args) + "   (in " + dir + ")\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process p = pb.start();
        started.put(name + "#" + started.size(), p);
        logFiles.put(name, log);
        return p;
    }

    /** Runs a {@code diredi} command in {@code dir} to its end. */
    Done run(String name, Path dir, Duration timeout, String... args) throws IOException, InterruptedException {
        Process p = start(name, dir, DIREDI, args);
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("diredi " + String.join(" ", args) + " did not end within " + timeout + ":\n"
                    + log(name));
        }
        return new Done(p.exitValue(), log(name));
    }

    /** Runs a {@code diredi} command and requires exit 0 within 5 minutes. */
    String ok(String name, Path dir, String... args) throws IOException, InterruptedException {
        return ok(name, dir, Duration.ofMinutes(5), args);
    }

    /** Runs a {@code diredi} command and requires exit 0 within {@code timeout}. */
    String ok(String name, Path dir, Duration timeout, String... args) throws IOException, InterruptedException {
        Done d = run(name, dir, timeout, args);
        if (d.code() != 0) {
            throw new AssertionError("diredi " + String.join(" ", args) + ": exit " + d.code() + "\n" + d.log());
        }
        mark("diredi " + String.join(" ", args));
        return d.log();
    }

    String log(String name) {
        try {
            Path f = logFiles.get(name);
            return f == null || Files.notExists(f) ? "" : Files.readString(f);
        } catch (IOException e) {
            return "(unreadable log: " + e.getMessage() + ")";
        }
    }

    /** Every log, for a failure message. */
    String logs() {
        StringBuilder s = new StringBuilder();
        logFiles.forEach((n, f) -> {
            String text = log(n);
            s.append("\n===== ").append(n).append(" =====\n")
                    .append(text.length() > 6000 ? "..." + text.substring(text.length() - 6000) : text);
        });
        return s.toString();
    }

    /** Waits until the log of {@code name} matches {@code pattern}; returns the first group. */
    String awaitLog(String name, Process p, Pattern pattern, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end && p.isAlive()) {
            Matcher m = pattern.matcher(log(name));
            if (m.find()) {
                return m.groupCount() > 0 ? m.group(1) : m.group();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " never printed " + pattern + (p.isAlive() ? "" : " (it exited "
                + p.exitValue() + ")") + logs());
    }

    /** Waits until {@code condition} holds; fails with {@code what} and every log. */
    void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                mark(what);
                return;
            }
            for (Map.Entry<String, Process> e : services.entrySet()) {
                if (!e.getValue().isAlive()) {
                    throw new AssertionError(what + ": " + e.getKey() + " exited " + e.getValue().exitValue() + logs());
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not within " + timeout + ": " + what + logs());
    }

    /** Stops service {@code name} the way an operator does (SIGTERM), waiting for it. */
    void stop(String name) throws InterruptedException {
        Process p = services.remove(name);
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Ends every process this test started, and their children: no orphans, whatever happened. */
    @Override
    public void close() {
        for (Process p : started.values()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : started.values()) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
