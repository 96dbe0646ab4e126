package org.diredi.cloud.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.diredi.core.delta.DeltaMerge;
import org.junit.jupiter.api.Test;

/** The window's bookkeeping: groups apart, one delta per customer and group, closed after the window. */
class MergeWindowTest {

    @Test
    void deltasOfOneGroupAreHandedOverTogetherAndAnotherGroupApart() throws Exception {
        BlockingQueue<List<MergeWindow.Entry>> closed = new LinkedBlockingQueue<>();
        try (MergeWindow w = new MergeWindow(Duration.ofMillis(300), closed::add)) {
            w.add("tutor-a", new MergeWindow.Entry("t1", "acme"));
            w.add("tutor-b", new MergeWindow.Entry("t2", "globex"));
            w.add("tutor-a", new MergeWindow.Entry("t3", "initech"));
            assertEquals(List.of(new MergeWindow.Entry("t1", "acme"), new MergeWindow.Entry("t3", "initech")),
                    w.waiting().get("tutor-a"));
            List<List<MergeWindow.Entry>> groups = List.of(closed.poll(1, TimeUnit.MINUTES),
                    closed.poll(1, TimeUnit.MINUTES));
            assertTrue(groups.contains(List.of(new MergeWindow.Entry("t1", "acme"),
                    new MergeWindow.Entry("t3", "initech"))), groups.toString());
            assertTrue(groups.contains(List.of(new MergeWindow.Entry("t2", "globex"))), groups.toString());
            assertTrue(w.waiting().isEmpty());
        }
    }

    @Test
    void aCustomersSecondDeltaClosesItsGroupAndOpensTheNext() {
        BlockingQueue<List<MergeWindow.Entry>> closed = new LinkedBlockingQueue<>();
        try (MergeWindow w = new MergeWindow(Duration.ofHours(1), closed::add)) {
            w.add("tutor-a", new MergeWindow.Entry("t1", "acme"));
            w.add("tutor-a", new MergeWindow.Entry("t2", "globex"));
            w.add("tutor-a", new MergeWindow.Entry("t3", "acme"));
            assertEquals(List.of(List.of(new MergeWindow.Entry("t1", "acme"), new MergeWindow.Entry("t2", "globex"))),
                    List.copyOf(closed));
            assertEquals(List.of(new MergeWindow.Entry("t3", "acme")), w.waiting().get("tutor-a"));
        }
    }

    @Test
    void anOfferedDeltaWithoutAGroupGoesAloneAndOneWithAGroupWaits() throws Exception {
        BlockingQueue<MergeWindow.Entry> alone = new LinkedBlockingQueue<>();
        try (MergeWindow w = new MergeWindow(Duration.ofHours(1), g -> { })) {
            w.offer(new MergeWindow.Entry("t1", "mallory"), e -> java.util.Optional.empty(), alone::add);
            w.offer(new MergeWindow.Entry("t2", "acme"), e -> java.util.Optional.of("tutor-a"), alone::add);
            assertEquals(new MergeWindow.Entry("t1", "mallory"), alone.poll(1, TimeUnit.MINUTES));
            for (int i = 0; i < 600 && w.waiting().isEmpty(); i++) {
                Thread.sleep(100); // offers are taken on the window's thread
            }
            assertEquals(List.of(new MergeWindow.Entry("t2", "acme")), w.waiting().get("tutor-a"));
            assertTrue(alone.isEmpty());
        }
    }

    @Test
    void settingsAreCheckedAndNameThePolicy() {
        assertEquals(new DeltaMerge.Settings(DeltaMerge.Strategy.PER_CLASS, DeltaMerge.Weight.OBJECTS),
                new MergeSettings(10, "perClass", "objects").policy());
        assertTrue(!MergeSettings.DEFAULTS.on());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new MergeSettings(10, "fedavg", "images"))
                .getMessage().contains("merge strategy must be weighted or perClass"));
        assertThrows(IllegalArgumentException.class, () -> new MergeSettings(-1, "weighted", "images"));
        assertThrows(IllegalArgumentException.class, () -> new MergeSettings(1, "weighted", "pixels"));
    }
}
