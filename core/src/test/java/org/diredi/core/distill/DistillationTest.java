package org.diredi.core.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.train.DetectionObjective;
import org.diredi.core.train.DetectionSet;
import org.diredi.core.train.DetectorTrainer;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillationTest {

    @TempDir
    Path tmp;

    /** A smaller student than TestData.SMALL, with other FPN channels, so an align conv is needed. */
    static final ModelConfig STUDENT = ModelConfig.fcos("test/student").mobileNetV2(0.35f).depth(0.35f)
            .fpn(16).headConvs(1).groupNorm(8).input(96);

    @Test
    void theTeacherStaysBitIdenticalWhileTheStudentAndAlignConvsLearn() throws IOException {
        VocDataset ds = TestData.scenes(tmp.resolve("scenes"), 6);
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector teacher = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            FcosDetector student = new FcosDetector(STUDENT, ClassList.FASHION).init(m);
            List<TensorFile.Tensor> teacherBefore = ModelWeights.snapshot(teacher);
            List<TensorFile.Tensor> studentBefore = ModelWeights.snapshot(student);
            DistillationObjective obj = new DistillationObjective(teacher, student, m, FgdConfig.DEFAULTS,
                    new DetectionObjective(FcosLoss.Config.DEFAULT), 1f);
            List<TensorFile.Tensor> fgdBefore = ModelWeights.snapshot(obj.trainableBlock());
            TrainConfig cfg = new TrainConfig(2, 3, "adamw", 0.01f, 0.9f, 0f, TrainConfig.GRAD_CLIP, 1, 0.1f, 1L, true, 0.25f, 2f, 1.5f, 0, "cpu");
            DetectorTrainer.Result r = new DetectorTrainer(student, m, cfg, obj, new PrintStream(new ByteArrayOutputStream()))
                    .run(DetectionSet.load(ds, 96), null, new DetectorTrainer.RunInfo(tmp.resolve("run"), "edge",
                            new Manifest.DataInfo("s", "train", null, 6, 0), null,
                            new Manifest.Reference("t", "teacher.ckpt", "teacher")), false);
            List<TensorFile.Tensor> teacherAfter = ModelWeights.snapshot(teacher);
            for (int i = 0; i < teacherBefore.size(); i++) {
                assertArrayEquals(teacherBefore.get(i).data(), teacherAfter.get(i).data(), teacherBefore.get(i).name());
            }
            assertTrue(moved(studentBefore, ModelWeights.snapshot(student)), "student weights moved");
            assertTrue(moved(fgdBefore, ModelWeights.snapshot(obj.trainableBlock())), "align convs / GcBlocks moved");
            assertTrue(r.history().get(0).loss().containsKey("fgd_fg"));
            // diagnostics per level in history.json, apart from the loss terms
            for (DetectorTrainer.EpochRecord e : DetectorTrainer.readHistory(tmp.resolve("run"))) {
                Map<String, Double> d = e.diagnostics();
                assertTrue(e.loss().keySet().stream().noneMatch(k -> k.contains("diag") || k.contains("att_max")));
                assertEquals(15, d.size(), d.toString());
                for (String p : List.of("p3", "p4", "p5")) {
                    assertTrue(d.get("fgd_" + p + "_teacher_abs") > 0 && d.get("fgd_" + p + "_student_abs") > 0, p);
                    double share = d.get("fgd_" + p + "_att_share");
                    assertTrue(share > 0 && share < 1, p + " share " + share);
                    double max = d.get("fgd_" + p + "_teacher_att_max");
                    assertTrue(max > 0 && max <= 1, p + " max " + max);
                }
                assertTrue(d.get("fgd_p3_teacher_att_max") >= 1.0 / (12 * 12) - 1e-9, "at least uniform on 12 x 12");
            }
            // the saved student holds the student only: no align conv or GcBlock parameter
            var names = org.diredi.core.checkpoint.Checkpoint.read(r.model()).weights().stream()
                    .map(TensorFile.Tensor::name).toList();
            assertTrue(names.stream().noneMatch(n -> n.contains("align") || n.contains("Context")), names.toString());
            assertTrue(names.size() == studentBefore.size());
        }
    }

    @Test
    void incompatibleTeachersAreRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector student = new FcosDetector(STUDENT, ClassList.FASHION).init(m);
            FcosDetector otherClasses = new FcosDetector(TestData.SMALL, new ClassList(List.of("cat", "dog"))).init(m);
            var e = assertThrows(IllegalArgumentException.class, () -> new DistillationObjective(otherClasses, student,
                    m, FgdConfig.DEFAULTS, new DetectionObjective(FcosLoss.Config.DEFAULT), 1f));
            assertTrue(e.getMessage().contains("class"), e.getMessage());
            FcosDetector bigInput = new FcosDetector(ModelConfig.fcos("t").mobileNetV2(0.35f).depth(0.35f).fpn(16)
                    .headConvs(1).groupNorm(8).input(128), ClassList.FASHION).init(m);
            var e2 = assertThrows(IllegalArgumentException.class, () -> new DistillationObjective(bigInput, student,
                    m, FgdConfig.DEFAULTS, new DetectionObjective(FcosLoss.Config.DEFAULT), 1f));
            assertTrue(e2.getMessage().contains("aligned"), e2.getMessage());
        }
    }

    private static boolean moved(List<TensorFile.Tensor> a, List<TensorFile.Tensor> b) {
        int changed = 0;
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i).data(), b.get(i).data())) {
                changed++;
            }
        }
        return changed > a.size() / 2;
    }
}
