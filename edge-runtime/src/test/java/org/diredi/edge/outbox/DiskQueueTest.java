package org.diredi.edge.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskQueueTest {

    static Message msg(String text) {
        return Message.atLeastOnce("diredi/v1/t", text.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> texts(DiskQueue q) {
        return q.peek(Integer.MAX_VALUE).stream()
                .map(e -> new String(e.message().payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void atItsBoundTheOldestAreDroppedFirstAndCounted(@TempDir Path dir) {
        DiskQueue q = new DiskQueue(dir, 3);
        for (int i = 1; i <= 5; i++) {
            q.append(msg("e" + i));
        }
        assertEquals(List.of("e3", "e4", "e5"), texts(q));
        assertEquals(3, q.size());
        assertEquals(2, q.dropped());
        q.remove(q.peek(1).get(0).sequence());
        q.append(msg("e6"));
        assertEquals(List.of("e4", "e5", "e6"), texts(q), "a free place takes a new entry without a drop");
        assertEquals(2, q.dropped());
    }

    @Test
    void entriesAndTheDroppedCountSurviveARestartInOrder(@TempDir Path dir) throws Exception {
        DiskQueue q = new DiskQueue(dir, 4);
        for (int i = 1; i <= 6; i++) {
            q.append(new Message("diredi/v1/t" + i, i % 2, i == 3, ("e" + i).getBytes(StandardCharsets.UTF_8)));
        }
        q.remove(q.peek(1).get(0).sequence()); // e3 delivered
        // a write that a power cut interrupted leaves a temp file: not an entry
        Files.writeString(dir.resolve(".m-00000000000000000099.json.abc123.tmp"), "{\"topic\":");

        DiskQueue again = new DiskQueue(dir, 4); // the camera restarted
        assertEquals(List.of("e4", "e5", "e6"), texts(again));
        assertEquals(2, again.dropped());
        Message e4 = again.peek(1).get(0).message();
        assertEquals("diredi/v1/t4", e4.topic());
        assertEquals(0, e4.qos());
        again.append(msg("e7"));
        assertEquals(List.of("e4", "e5", "e6", "e7"), texts(again), "new entries queue behind the old ones");
        assertTrue(Files.list(dir).noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "stale temp file removed");

        DiskQueue smaller = new DiskQueue(dir, 2); // the bound was lowered meanwhile
        assertEquals(List.of("e6", "e7"), texts(smaller));
        assertEquals(4, smaller.dropped());
    }

    @Test
    void anUnreadableEntryIsDroppedAndCountedNotDeliveredNorFatal(@TempDir Path dir) throws Exception {
        DiskQueue q = new DiskQueue(dir, 10);
        q.append(msg("a"));
        q.append(msg("b"));
        long first = q.peek(1).get(0).sequence();
        Files.writeString(dir.resolve(String.format("m-%020d.json", first)), "not json");
        assertEquals(List.of("b"), texts(q));
        assertEquals(1, q.dropped());
        assertEquals(1, q.size());
    }
}
