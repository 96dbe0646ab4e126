package org.diredi.export;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.core.TestData;
import org.diredi.core.model.FcosDetector;
import org.diredi.vision.data.ClassList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JetsonPackageTest {

    @TempDir
    Path dir;

    @Test
    void theBuildScriptChecksTheModelAndBuildsAnFp16EngineWithTrtexec() throws Exception {
        Path onnx = dir.resolve("edge.onnx");
        ExportManifest m;
        try (NDManager mgr = NDManager.newBaseManager()) {
            m = OnnxExporter.export(new FcosDetector(TestData.SMALL, ClassList.FASHION).init(mgr), onnx, 13,
                    new ExportManifest.Source("test", "none", "edge"));
        }
        Path script = JetsonPackage.write(onnx, m);
        String s = Files.readString(script);
        assertTrue(s.contains("--onnx=edge.onnx") && s.contains("--fp16") && s.contains("--saveEngine=edge-fp16.engine"), s);
        assertTrue(s.contains(m.onnxSha256() + "  edge.onnx"), "the script verifies the model's hash first");
        assertTrue(Files.isExecutable(script));
        String readme = Files.readString(dir.resolve(JetsonPackage.README));
        assertTrue(readme.contains("1x3x96x96") && readme.contains("NMS"), readme);
        // the hash line really matches the file (sha256sum -c would pass)
        assertTrue(OnnxExporter.sha256(Files.readAllBytes(onnx)).equals(m.onnxSha256()));
    }
}
