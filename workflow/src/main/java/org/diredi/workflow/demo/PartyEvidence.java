package org.diredi.workflow.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.diredi.cloud.AuditLog;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.vision.io.AtomicFiles;

/**
 * What the on-prem trainer and the cloud leave behind, read by the demo: when their inner stages ended
 * (for the stage-time table), and whether the on-prem trainer's cached stages still belong to the
 * manufacturer's models of this run.
 */
final class PartyEvidence {

    private PartyEvidence() {}

    /** When {@code file} was last written, or null when it is not there. */
    static Instant written(Path file) {
        try {
            return Files.exists(file) ? Files.getLastModifiedTime(file).toInstant() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** When the cloud's audit log recorded {@code event} for {@code transferId}, or null. */
    static Instant audited(Path cloudDir, String event, String transferId) {
        for (Map<String, Object> line : new AuditLog(cloudDir.resolve("audit.jsonl")).read()) {
            if (event.equals(line.get("event")) && transferId.equals(line.get("transferId"))) {
                return Instant.parse((String) line.get("at"));
            }
        }
        return null;
    }

    /** The cloud's working folder of one received delta (gate.md / gate.json, Distill C's stage). */
    static Path cloudJob(Path cloudDir, String transferId) {
        return cloudDir.resolve("jobs").resolve(transferId);
    }

    /**
     * Removes the on-prem trainer's cached RD stages and delta when they were trained from another tutor
     * or taught by another edge model than this run's (bundled and trained models may take turns in one
     * folder): reused, they would make a delta the cloud refuses as made against another tutor.
     *
     * @return whether anything was removed
     */
    static boolean clearStaleRd(Path onpremDir, ManufacturerStages.Models m) throws IOException {
        String tutor = Checkpoint.read(m.tutor()).manifest().id();
        String edge = Checkpoint.read(m.edge()).manifest().id();
        for (String stage : new String[] {"tutor1-rdB", "tutor2-rdA"}) {
            for (String f : new String[] {"model.ckpt", "last.ckpt"}) {
                Path ckpt = onpremDir.resolve(stage).resolve(f);
                if (Files.exists(ckpt) && !madeFrom(Checkpoint.read(ckpt).manifest(), tutor, edge)) {
                    AtomicFiles.deleteTree(onpremDir);
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean madeFrom(Manifest rd, String tutorId, String edgeId) {
        return rd.parent() != null && tutorId.equals(rd.parent().id()) && rd.teacher() != null
                && edgeId.equals(rd.teacher().id());
    }
}
