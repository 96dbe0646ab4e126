package org.diredi.workflow.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.update.AddedClassKnowledge;
import org.diredi.cloud.update.PseudoLabels;
import org.diredi.core.gate.Firing;
import org.diredi.core.gate.GateDecision;
import org.diredi.core.gate.GatePolicy;
import org.diredi.vision.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo report's account of the added class, read from the files the cloud leaves in a delta's job folder. */
class AddedClassEvidenceTest {

    @TempDir
    Path dir;

    @Test
    void readsTheGatesEvidenceTheFiringCheckAndThePseudoLabels() throws Exception {
        Path job = dir.resolve("jobs/t1");
        GateDecision.Row kept = new GateDecision.Row("bag", "kept", 0.5, 0.48, -2, "drop <= 10", true, 0.4, 0.4);
        GateDecision.Row boot = new GateDecision.Row("boot", "added", 0.0, 0.31, 31, "gain >= 5", true, 0, 0.3,
                GateDecision.CUSTOMER_FIGURES + " (val: 90 images)");
        GateDecision.Operating op = new GateDecision.Operating(0.3, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, "reported", true);
        GateDecision g = new GateDecision(true, List.of("passed"), List.of(kept, boot), 0.4, 0.45, GatePolicy.DEFAULTS,
                op, List.of(new GateDecision.FiringRow(new Firing("boot", 200, 30, 41, true), "[0.02, 0.6]",
                        "[0.02, 1.5]", true)));
        AtomicFiles.writeJson(job.resolve("gate.json"), g);
        AtomicFiles.writeJson(PseudoLabels.file(job.resolve("edge-distill-C")), new PseudoLabels.Drawn("sha",
                PseudoLabels.Settings.DEFAULTS, List.of("boot"), Map.of("boot", 57), Map.of()));
        DemoSettings s = DemoSettings.builder().out(dir).build();

        AddedClassEvidence e = AddedClassEvidence.read(s, job, dir.resolve("no.delta"));
        assertEquals(AddedClassKnowledge.UNLABELLED, e.knowledge());
        assertTrue(e.judgedOn().startsWith(GateDecision.CUSTOMER_FIGURES), e.judgedOn());
        assertEquals(31.0, e.gatePoints(), 1e-9);
        assertEquals(List.of(new AddedClassEvidence.FiringCheck(200, 30, 41, "[0.02, 0.6]", "[0.02, 1.5]", true)),
                e.firing());
        assertEquals(Map.of("boot", 57), e.pseudoLabels());
        assertNull(e.figures(), "no delta, no figures");
        String md = e.toMarkdown();
        for (String part : List.of("addedClassKnowledge **unlabelled**", "no label of it",
                "judged 'boot' on the customer's signed figures (val: 90 images): +31.0 AP points, passed",
                "reported on 30 of them (0.150", "41 detections (0.205 per image", "{boot=57}")) {
            assertTrue(md.contains(part), "lacks '" + part + "': " + md);
        }
    }

    @Test
    void aDeltaRefusedBeforeTheGateLeavesNothingToReadButSaysSo() throws Exception {
        DemoSettings s = DemoSettings.builder().out(dir).addedClassKnowledge(AddedClassKnowledge.LABELS).build();
        AddedClassEvidence e = AddedClassEvidence.read(s, dir.resolve("jobs/none"), dir.resolve("no.delta"));
        assertNull(e.judgedOn());
        assertTrue(e.toMarkdown().contains("The gate did not judge 'boot'"), e.toMarkdown());
        assertTrue(e.toMarkdown().contains("the manufacturer's data labels 'boot'"), e.toMarkdown());
    }
}
