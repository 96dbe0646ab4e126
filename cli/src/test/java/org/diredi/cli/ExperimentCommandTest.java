package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.core.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code experiment run} shell: it loads the spec and checks it against the data before any stage
 * runs; bad specs are user errors (exit 2, one line). The runner itself is tested in the workflow module.
 */
class ExperimentCommandTest {

    @TempDir
    Path tmp;

    private Path spec(String... lines) throws Exception {
        Path data = tmp.resolve("scenes");
        if (!Files.exists(data)) {
            TestData.scenes(data, 4);
        }
        Path f = tmp.resolve("exp.yaml");
        Files.writeString(f, "name: bad\ndata: " + data + "\nfamily: tiny\n" + String.join("\n", lines) + "\n");
        return f;
    }

    @Test
    void aClassTheDataDoesNotKnowIsAUserErrorBeforeAnyStage() throws Exception {
        Path out = tmp.resolve("runs/bad");
        var r = BadInputTest.run("experiment", "run", spec("presumed: [tshirt, unicorn]").toString(),
                "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("unicorn"), r.err());
        assertFalse(Files.exists(out), "no stage ran");
    }

    @Test
    void anUnknownStageInTheSpecNamesTheFile() throws Exception {
        Path f = spec("presumed: [tshirt]", "epochs: {large: 1, tutor: 1, edge: 1, rd: 1, distillC: 1, baseline: 1, "
                + "warmup: 1}");
        var r = BadInputTest.run("experiment", "run", f.toString(), "--out", tmp.resolve("runs/x").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(f.toString()) && r.err().contains("warmup"), r.err());
    }
}
