package org.diredi.broker;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real mosquitto broker for tests, configured from the committed production files in
 * {@code broker/mosquitto/}: {@code mosquitto.conf} with its paths pointed into a temp dir and its
 * one TLS listener turned into two on 127.0.0.1 and free ports (never 1883, where Debian's own
 * service may listen): plain TCP for the ACL tests, TLS with a throwaway CA made by
 * {@code make-certs.sh}. Accounts come from {@code add-device.sh} on top of the committed
 * {@code acl} header, exactly as a deployment would make them.
 *
 * <p>Fails (never skips) when mosquitto, mosquitto_passwd or openssl is missing: CI installs them.
 */
final class MosquittoProcess implements AutoCloseable {

    /** Listener options that only make sense with TLS: dropped from the plain test listener. */
    private static final Set<String> TLS_KEYS = Set.of("cafile", "capath", "certfile", "keyfile", "require_certificate",
            "use_identity_as_username", "use_subject_as_username", "tls_version", "ciphers", "ciphers_tls1.3", "crlfile",
            "dhparamfile", "tls_engine", "tls_keyform", "tls_engine_kpass_sha1");

    final Path dir;
    final Path source;
    int plainPort; // set once by the constructor
    int tlsPort;
    final Path caPem;      // the CA that signed mosquitto's certificate
    final Path otherCaPem; // a CA that did not
    final String version;
    private Process process;
    private final Path log;
    private Thread reaper;

    /**
     * @param accounts each {@code {role, args...}} as add-device.sh takes them; the password is
     *                 {@code <username>-pw} where the user name is the script's default
     */
    MosquittoProcess(List<String[]> accounts) throws Exception {
        source = committedFolder();
        String mosquitto = tool("mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto");
        tool("mosquitto_passwd", "/usr/bin/mosquitto_passwd"); // add-device.sh finds it on PATH
        tool("openssl", "/usr/bin/openssl");
        version = run(List.of(mosquitto, "-h"), null, false).lines().findFirst().orElse("?");

        dir = Files.createTempDirectory("diredi-mosquitto-test");
        Files.createDirectories(dir.resolve("data"));
        Files.copy(source.resolve("acl"), dir.resolve("acl"));
        for (String[] a : accounts) {
            List<String> cmd = new ArrayList<>(List.of("bash", source.resolve("add-device.sh").toString(), "--dir",
                    dir.toString()));
            cmd.addAll(List.of(a));
            run(cmd, defaultUser(a) + "-pw\n", true);
        }
        run(List.of("bash", source.resolve("make-certs.sh").toString(), dir.resolve("tls").toString(), "127.0.0.1"),
                null, true);
        run(List.of("bash", source.resolve("make-certs.sh").toString(), dir.resolve("other-ca").toString(), "127.0.0.1"),
                null, true);
        caPem = dir.resolve("tls/ca.crt");
        otherCaPem = dir.resolve("other-ca/ca.crt");

        log = dir.resolve("mosquitto.log");
        Path conf = dir.resolve("mosquitto.conf");
        List<String> committed = Files.readAllLines(source.resolve("mosquitto.conf"));
        for (int attempt = 1; ; attempt++) {
            // Free a moment ago; another process may take one before mosquitto binds: then again.
            int[] ports = freePorts(2);
            Files.writeString(conf, testConfig(committed, ports[0], ports[1]));
            Process p = new ProcessBuilder(mosquitto, "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            Thread r = new Thread(p::destroyForcibly, "mosquitto-reaper");
            Runtime.getRuntime().addShutdownHook(r); // even if the JVM dies before close()
            if (awaitPort(p, ports[0]) && awaitPort(p, ports[1])) {
                process = p;
                reaper = r;
                plainPort = ports[0];
                tlsPort = ports[1];
                return;
            }
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Runtime.getRuntime().removeShutdownHook(r);
            if (attempt == 3 || !log().contains("Address already in use")) {
                fail("mosquitto did not start" + (p.isAlive() ? " listening within 10 s" : "") + ":\n" + log()
                        + "\nconfiguration:\n" + Files.readString(conf));
            }
        }
    }

    /** The user name add-device.sh gives the account by default. */
    static String defaultUser(String[] a) {
        return switch (a[0]) {
            case "device" -> a.length > 3 ? a[3] : a[1] + "-" + a[2];
            case "onprem" -> a.length > 2 ? a[2] : a[1] + "-onprem";
            default -> a[1];
        };
    }

    String tcpUri() {
        return "tcp://127.0.0.1:" + plainPort;
    }

    String sslUri(String host) {
        return "ssl://" + host + ":" + tlsPort;
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGHUP: mosquitto re-reads its password and acl files, as {@code systemctl reload mosquitto} does. */
    void reload() throws Exception {
        run(List.of("kill", "-HUP", Long.toString(process.pid())), null, true);
    }

    /** The committed configuration, adapted: see the class comment. */
    String testConfig(List<String> lines, int plainPort, int tlsPort) {
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (key(lines.get(i)).equals("listener")) {
                if (at >= 0) {
                    fail("the committed mosquitto.conf has more than one listener; the test expects one (TLS, 8883)");
                }
                at = i;
            }
        }
        if (at < 0) {
            fail("the committed mosquitto.conf has no listener line");
        }
        Map<String, String> globals = Map.of("password_file", "password_file " + dir.resolve("passwd"),
                "acl_file", "acl_file " + dir.resolve("acl"),
                "persistence_location", "persistence_location " + dir.resolve("data") + File.separator);
        StringBuilder out = new StringBuilder("# Generated by MosquittoProcess from " + source.resolve("mosquitto.conf") + "\n");
        List<String> replaced = new ArrayList<>();
        for (String line : lines.subList(0, at)) {
            String k = key(line);
            if (globals.containsKey(k)) {
                out.append(globals.get(k)).append('\n');
                replaced.add(k);
            } else if (!k.equals("pid_file") && !k.equals("log_dest") && !k.equals("user")) {
                out.append(line).append('\n');
            }
        }
        if (replaced.size() != globals.size()) {
            fail("the committed mosquitto.conf lacks one of " + globals.keySet() + " before its listener");
        }
        // As root, mosquitto would switch to the "mosquitto" user, who cannot read the temp dir.
        out.append("user ").append(System.getProperty("user.name")).append('\n');
        out.append("log_dest stdout\n");

        List<String> listener = lines.subList(at + 1, lines.size());
        out.append("\n# plain TCP copy of the listener, for the ACL tests\nlistener ").append(plainPort)
                .append(" 127.0.0.1\n");
        for (String line : listener) {
            if (!TLS_KEYS.contains(key(line))) {
                out.append(line).append('\n');
            }
        }
        Map<String, String> tls = Map.of("cafile", "cafile " + dir.resolve("tls/ca.crt"),
                "certfile", "certfile " + dir.resolve("tls/server.crt"),
                "keyfile", "keyfile " + dir.resolve("tls/server.key"));
        out.append("\n# the TLS listener as committed, with a throwaway CA\nlistener ").append(tlsPort)
                .append(" 127.0.0.1\n");
        int found = 0;
        for (String line : listener) {
            String k = key(line);
            if (tls.containsKey(k)) {
                out.append(tls.get(k)).append('\n');
                found++;
            } else {
                out.append(line).append('\n');
            }
        }
        if (found != tls.size()) {
            fail("the committed listener lacks one of " + tls.keySet());
        }
        return out.toString();
    }

    private static String key(String line) {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
            return "";
        }
        int sp = t.indexOf(' ');
        return sp < 0 ? t : t.substring(0, sp);
    }

    /** broker/mosquitto, from the module folder (Maven) or the repository root (an IDE). */
    static Path committedFolder() {
        Path here = Path.of(System.getProperty("user.dir"));
        for (Path p : List.of(here.resolve("mosquitto"), here.resolve("broker/mosquitto"))) {
            if (Files.isRegularFile(p.resolve("mosquitto.conf"))) {
                return p.toAbsolutePath();
            }
        }
        return fail("broker/mosquitto/mosquitto.conf not found from " + here);
    }

    /** The tool's path: on PATH or at one of the usual places (mosquitto is in /usr/sbin, often not on PATH). */
    static String tool(String name, String... usual) {
        String path = System.getenv("PATH");
        List<Path> candidates = new ArrayList<>();
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, name));
                }
            }
        }
        for (String u : usual) {
            candidates.add(Path.of(u));
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c) && Files.isExecutable(c)) {
                return c.toString();
            }
        }
        return fail(name + " not found on PATH or in " + List.of(usual) + ": these tests need Debian's mosquitto"
                + " (apt-get install mosquitto openssl; .ci/run installs them before mvn verify)");
    }

    private static String run(List<String> cmd, String stdin, boolean mustSucceed) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out;
        try (InputStream o = p.getInputStream()) {
            out = new String(o.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 30 s");
        }
        if (mustSucceed && p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    private static int[] freePorts(int n) throws IOException {
        ServerSocket[] s = new ServerSocket[n];
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                s[i] = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                ports[i] = s[i].getLocalPort();
            }
        } finally {
            for (ServerSocket x : s) {
                if (x != null) {
                    x.close();
                }
            }
        }
        return ports;
    }

    /** True once {@code port} accepts connections; false if mosquitto exited or 10 s passed. */
    private static boolean awaitPort(Process p, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    /** Stops mosquitto and deletes the temp dir (persistence, passwords, keys). */
    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
