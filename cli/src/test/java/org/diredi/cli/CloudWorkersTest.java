package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.diredi.bench.workers.WorkersFixture;
import org.diredi.bench.workers.WorkersRun;
import org.diredi.messaging.DeltaDecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once with several cloud workers: the intake in this JVM, 2 {@code diredi cloud serve --worker}
 * processes, 20 deltas from 5 customers, one worker killed with SIGKILL while it decides a job. Every
 * delta gets one decision and one DECIDED audit entry, each customer's first delta is the one accepted
 * (v1, applied once), and the killed worker's job is finished by the other worker. The intake's re-announce
 * is set far beyond the test's time, so the killed job reaching the survivor is the broker's doing (HiveMQ CE
 * gives a shared subscription's unacknowledged message to another member when its session ends).
 */
class CloudWorkersTest {

    @TempDir
    Path dir;

    @Test
    void twentyDeltasFromFiveCustomersAreDecidedExactlyOnceThoughAWorkerIsKilled() throws Exception {
        WorkersFixture f = WorkersFixture.make(dir.resolve("fixture"), System.out);
        WorkersRun.Result r = WorkersRun.run(f, dir.resolve("run"), new WorkersRun.Settings(5, 4, 2, true, 3600,
                Diredi.class.getName(), 600, false), System.out);
        assertEquals(20, r.decisions().size(), r.decisions().keySet().toString());
        r.decisions().forEach((id, ds) -> assertEquals(1, ds.size(), id + " decided " + ds.size() + " times"));
        Map<String, Long> decided = count(r.audit(), "DECIDED");
        Map<String, Long> received = count(r.audit(), "RECEIVED");
        assertEquals(20, decided.size(), decided.toString());
        decided.forEach((id, n) -> assertEquals(1L, n, id + ": one DECIDED audit entry"));
        received.forEach((id, n) -> assertEquals(1L, n, id + ": one RECEIVED audit entry"));
        for (int c = 0; c < 5; c++) {
            DeltaDecision first = r.decisions().get("c" + c + "-0").get(0);
            assertEquals("ACCEPTED", first.status(), first.reason());
            assertEquals(1, first.modelVersion());
            for (int k = 1; k < 4; k++) {
                DeltaDecision later = r.decisions().get("c" + c + "-" + k).get(0);
                // made against the tutor the first one replaced (Eq. 10 refuses it): accepted twice would be v2
                assertEquals("REJECTED", later.status(), later.reason());
            }
            assertEquals(1L, r.versions().get("c" + c), "c" + c + " was updated once");
        }
        assertNotNull(r.killedJob(), "a worker was killed while it decided a job");
        List<String> appliedBy = r.audit().stream().filter(e -> "APPLIED".equals(e.get("event"))
                && r.killedJob().equals(e.get("transferId"))).map(e -> (String) e.get("worker")).toList();
        assertEquals(2, appliedBy.size(), "the killed worker's job was taken again: " + appliedBy);
        assertTrue(appliedBy.get(0).endsWith("-" + r.killedPid()) && !appliedBy.get(1).endsWith("-" + r.killedPid()),
                "first by the killed worker, then by the other: " + appliedBy);
        assertEquals(0, r.audit().stream().filter(e -> "APPLIED".equals(e.get("event"))
                && !r.killedJob().equals(e.get("transferId"))).collect(Collectors.groupingBy(e -> e.get("transferId"),
                Collectors.counting())).values().stream().filter(n -> n > 1).count(), "no other job was applied twice");
    }

    private static Map<String, Long> count(List<Map<String, Object>> audit, String event) {
        return audit.stream().filter(e -> event.equals(e.get("event")))
                .collect(Collectors.groupingBy(e -> (String) e.get("transferId"), Collectors.counting()));
    }
}
