package org.diredi.workflow.demo;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for something to happen, with a deadline, instead of sleeping for a guessed time. */
final class Await {

    private static final long POLL_MILLIS = 200;

    /** The condition did not hold in time; the message says what was awaited and how long. */
    static final class TimedOut extends IllegalStateException {
        TimedOut(String message) {
            super(message);
        }
    }

    private Await() {}

    /**
     * Returns once {@code done} holds; {@code done} may itself throw to end the wait early (a process that
     * died will not report).
     *
     * @param what what is awaited, for the error: "... within 120 s"
     * @throws TimedOut when it still does not hold after {@code timeout}
     */
    static void until(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new TimedOut("no " + what + " within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
