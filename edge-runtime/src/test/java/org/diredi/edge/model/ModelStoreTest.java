package org.diredi.edge.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.diredi.edge.EdgeFixtures;
import org.diredi.messaging.Hashes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

    @TempDir
    Path dir;

    @Test
    void installActivatePreviousPruneAndRemove() {
        ModelStore s = new ModelStore(dir.resolve("m"));
        Path a = EdgeFixtures.write(dir, "a.onnx", new byte[] {1, 2, 3});
        for (long v : new long[] {0, 1, 2, 3}) {
            s.install(v, a, "test");
            s.activate(v);
        }
        assertEquals(3, s.active().orElseThrow().version());
        assertEquals(2, s.previous().orElseThrow().version());
        s.prune(1);
        assertEquals(List.of(2L, 3L), s.versions());
        assertThrows(IllegalStateException.class, () -> s.remove(3), "the active model cannot be removed");
        assertEquals(Hashes.sha256Hex(new byte[] {1, 2, 3}), s.get(3).sha256());
    }

    /**
     * A child JVM installs and activates ever newer versions (a 1.5 MB model each) in a loop; it is
     * killed with SIGKILL at several moments. After each kill the store must open, and its active
     * model must be complete: same size and SHA-256 as its record.
     */
    @Test
    void aKillAtAnyMomentLeavesACompleteActiveModel() throws Exception {
        Path store = dir.resolve("store");
        Path model = EdgeFixtures.write(dir, "model.onnx", EdgeFixtures.model());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long[] delays = {150, 400, 700, 1100};
        long firstActive = -1;
        long lastActive = -1;
        for (long delay : delays) {
            Path started = dir.resolve("started-" + delay);
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    Churn.class.getName(), store.toString(), model.toString(), started.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("churn.log").toFile()).start();
            // wait until the child has activated its first version, then let it run a little longer
            long t0 = System.nanoTime();
            while (!Files.exists(started) && System.nanoTime() - t0 < 60e9) {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(started), "the child never got going: " + Files.readString(dir.resolve("churn.log")));
            Thread.sleep(delay);
            p.destroyForcibly(); // SIGKILL on Linux
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            ModelStore s = new ModelStore(store);
            ModelStore.Installed a = s.active().orElseThrow();
            firstActive = firstActive < 0 ? a.version() : firstActive;
            lastActive = a.version();
            Path f = s.path(a);
            assertEquals(a.size(), Files.size(f), "active model complete after a kill " + delay + " ms in");
            assertEquals(a.sha256(), Hashes.sha256Hex(f));
            assertTrue(Files.list(store).noneMatch(x -> x.getFileName().toString().endsWith(".tmp")),
                    "stale temporary files are cleaned on open");
        }
        assertTrue(lastActive > firstActive, "the child really was updating when killed: versions " + firstActive
                + " .. " + lastActive);
    }

    /** The child process of the kill test. */
    public static final class Churn {
        public static void main(String[] args) throws java.io.IOException {
            ModelStore s = new ModelStore(Path.of(args[0]));
            long v = s.versions().stream().mapToLong(Long::longValue).max().orElse(-1) + 1;
            boolean first = true;
            while (true) {
                s.install(v, Path.of(args[1]), "churn");
                s.activate(v);
                s.prune(1);
                v++;
                if (first) {
                    Files.createFile(Path.of(args[2]));
                    first = false;
                }
            }
        }
    }
}
