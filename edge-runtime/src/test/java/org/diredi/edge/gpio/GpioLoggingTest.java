package org.diredi.edge.gpio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a person running {@code diredi edge run} sees from Pi4J, in a fresh JVM with the launcher's log
 * level (Pi4J's board detection runs once per JVM, so only a new one shows it): nothing with the mock
 * provider on a PC, its board warnings with {@code auto}, so real hardware still reports its problems.
 */
class GpioLoggingTest {

    /** The child JVM: builds a context with one rule pin and closes it. */
    public static void main(String[] args) {
        try (GpioActions g = new GpioActions(args[0], List.of(new GpioRule(17, "bag", 0.5f, 0)))) {
            System.out.println("pins " + g.pins());
        } catch (RuntimeException e) {
            System.out.println("no context: " + e); // auto on a PC may find no usable provider: not the point here
        }
    }

    static String[] run(String provider) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", GpioLoggingTest.class.getName(), provider);
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, p.exitValue(), out + err);
        return new String[] {out, err};
    }

    @Test
    void theMockProviderPrintsNoErrorOrWarningLines() throws Exception {
        String[] r = run("mock");
        assertTrue(r[0].contains("pins [17]"), r[0] + r[1]);
        assertTrue(r[1].lines().noneMatch(l -> l.contains("ERROR") || l.contains("WARN")), r[1]);
    }

    @Test
    void theAutoProviderStillReportsABoardItCannotIdentify() throws Exception {
        String[] r = run("auto");
        assertTrue(r[1].contains("com.pi4j.boardinfo"), "board detection messages stay visible with auto:\n" + r[1]);
    }
}
