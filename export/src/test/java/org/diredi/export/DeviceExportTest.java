package org.diredi.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.model.FcosDetector;
import org.diredi.profiles.DeviceProfile;
import org.diredi.profiles.Profiles;
import org.diredi.profiles.Violation;
import org.diredi.vision.data.ClassList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device-export path is all or nothing: a failed or misfit export leaves the previous good one as it was. */
class DeviceExportTest {

    @TempDir
    static Path dir;
    static Path checkpoint;

    @BeforeAll
    static void model() throws IOException {
        checkpoint = dir.resolve("edge.ckpt");
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector d = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            Checkpoint.write(checkpoint, Manifest.builder("edge", d.config(), d.classes().names()).build(),
                    ModelWeights.snapshot(d), null);
        }
    }

    @Test
    void anExportRecordsItsProfileAndNestsTheCheckpoint() throws IOException {
        DeviceExport.Result r = DeviceExport.run(DeviceExport.Request.of(checkpoint, cpu()), dir.resolve("nested"));
        ExportManifest back = ExportManifest.read(ExportManifest.pathFor(r.artifact()));
        assertEquals(r.manifest(), back);
        var p = back.provenance();
        assertEquals(back.onnxSha256(), p.sha256());
        assertEquals("cpu", p.settings().get("profile"));
        assertEquals("fp32", p.settings().get("precision"));
        var ck = Checkpoint.read(checkpoint).manifest();
        assertEquals(List.of(ck.asParent("exported from")), p.parents());
        assertEquals(p, ProvenanceFiles.read(r.artifact()));
        assertEquals(p, ProvenanceFiles.read(r.folder()));
    }

    @Test
    void aFailingExportLeavesTheGoodOneByteForByte() throws IOException {
        Path out = dir.resolve("export");
        DeviceExport.Result good = DeviceExport.run(DeviceExport.Request.of(checkpoint, cpu()), out);
        assertTrue(good.fits(), good.report());
        assertEquals(out.resolve("edge-cpu.onnx"), good.artifact());
        Map<String, String> before = hashes(out);
        assertEquals(2, before.size(), before.toString()); // the model and its manifest

        DeviceProfile tooSmall = cpu().withMaxModelBytes(1000);
        DeviceExport.Result misfit = DeviceExport.run(DeviceExport.Request.of(checkpoint, tooSmall), out);
        assertFalse(misfit.fits());
        assertTrue(misfit.violations().stream().anyMatch(v -> v.kind() == Violation.Kind.MODEL_SIZE), misfit.report());
        assertEquals(dir.resolve("export.rejected"), misfit.folder());
        assertTrue(Files.exists(misfit.artifact()));
        assertEquals(before, hashes(out));

        var noCalibration = assertThrows(ExportException.class,
                () -> DeviceExport.run(DeviceExport.Request.of(checkpoint, Profiles.resolve("imx500")), out));
        assertTrue(noCalibration.getMessage().contains("calibration"), noCalibration.getMessage());
        assertEquals(before, hashes(out));

        var missing = assertThrows(ExportException.class,
                () -> DeviceExport.run(DeviceExport.Request.of(dir.resolve("nope.ckpt"), cpu()), out));
        assertTrue(missing.getMessage().contains("nope.ckpt"), missing.getMessage());
        assertEquals(before, hashes(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temporary folder is left");
        }
    }

    @Test
    void aSwapCutBetweenItsTwoRenamesIsPutBack() throws IOException {
        Path out = dir.resolve("swap");
        DeviceExport.run(DeviceExport.Request.of(checkpoint, cpu()), out);
        Map<String, String> good = hashes(out);
        Files.move(out, dir.resolve("swap.old")); // as a crash after the first rename leaves it
        DeviceExport.Result misfit = DeviceExport.run(
                DeviceExport.Request.of(checkpoint, cpu().withMaxModelBytes(1000)), out);
        assertFalse(misfit.fits());
        assertEquals(good, hashes(out));
        assertFalse(Files.exists(dir.resolve("swap.old")));
    }

    @Test
    void aFileWhereTheFolderShouldBeIsRefusedBeforeAnyWork() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "keep me");
        var e = assertThrows(ExportException.class,
                () -> DeviceExport.run(DeviceExport.Request.of(checkpoint, cpu()), file));
        assertTrue(e.getMessage().contains("a-file"), e.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    /** The cpu profile: it takes the test model's 96 px input. */
    private static DeviceProfile cpu() {
        DeviceProfile p = Profiles.resolve("cpu");
        assertTrue(p.acceptsInputSize(TestData.SMALL.inputSize()), p.inputSizes().toString());
        return p;
    }

    private static Map<String, String> hashes(Path folder) throws IOException {
        Map<String, String> h = new TreeMap<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path f : s.toList()) {
                h.put(f.getFileName().toString(), org.diredi.core.checkpoint.TensorFile.sha256(Files.readAllBytes(f)));
            }
        }
        return h;
    }
}
