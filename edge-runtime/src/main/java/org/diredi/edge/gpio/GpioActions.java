package org.diredi.edge.gpio;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diredi.vision.box.Detection;

/**
 * Drives GPIO pins from detections through Pi4J. {@code provider: mock} (the default, and what tests
 * use) needs no hardware; {@code auto} lets Pi4J find the board's plugin on the classpath.
 */
public final class GpioActions implements AutoCloseable {

    private final Context pi4j;
    private final List<GpioRule> rules;
    private final Map<Integer, DigitalOutput> pins = new HashMap<>();
    private final long[] lastSeen;

    public GpioActions(String provider, List<GpioRule> rules) {
        this.rules = List.copyOf(rules);
        this.lastSeen = new long[rules.size()];
        java.util.Arrays.fill(lastSeen, Long.MIN_VALUE);
        pi4j = switch (provider) {
            case "mock" -> mockContext();
            case "auto" -> Pi4J.newAutoContext();
            default -> throw new IllegalArgumentException("gpio.provider must be mock or auto, got '" + provider + "'");
        };
        for (GpioRule r : rules) {
            pins.computeIfAbsent(r.pin(), p -> pi4j.create(DigitalOutput.newConfigBuilder(pi4j)
                    .id("diredi-pin-" + p).name("DiReDi rule pin " + p).address(p)
                    .initial(DigitalState.LOW).shutdown(DigitalState.LOW)));
        }
    }

    /**
     * Pi4J looks for a Raspberry Pi's board files whenever a context is built and logs ERROR and WARN lines
     * when there are none, as on every PC the mock provider runs on. Those loggers are silenced for the
     * mock provider only (unless the user configured them); with {@code auto} a board that cannot be
     * identified still says so.
     */
    private static Context mockContext() {
        String boardInfo = "org.slf4j.simpleLogger.log.com.pi4j.boardinfo";
        if (System.getProperty(boardInfo) == null) {
            System.setProperty(boardInfo, "off"); // read when slf4j-simple creates those loggers
        }
        return Pi4J.newContextBuilder().add(new MockPlatform()).add(MockDigitalOutputProvider.newInstance()).build();
    }

    /** Applies every rule to one frame's detections at time {@code nowMillis}. */
    public void apply(List<Detection> detections, List<String> classes, long nowMillis) {
        Map<Integer, Boolean> high = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            GpioRule r = rules.get(i);
            int id = classes.indexOf(r.className());
            boolean seen = id >= 0 && detections.stream().anyMatch(d -> d.classId() == id && d.score() >= r.minScore());
            if (seen) {
                lastSeen[i] = nowMillis;
            }
            boolean on = lastSeen[i] != Long.MIN_VALUE && nowMillis - lastSeen[i] <= r.holdMs();
            high.merge(r.pin(), on, Boolean::logicalOr); // several rules on one pin: any keeps it high
        }
        high.forEach((pin, on) -> {
            DigitalOutput out = pins.get(pin);
            if (out.isHigh() != on) {
                out.state(on ? DigitalState.HIGH : DigitalState.LOW);
            }
        });
    }

    /** Current state of a rule's pin (status messages, tests). */
    public boolean isHigh(int pin) {
        DigitalOutput out = pins.get(pin);
        if (out == null) {
            throw new IllegalArgumentException("no gpio rule drives pin " + pin);
        }
        return out.isHigh();
    }

    public List<Integer> pins() {
        return new ArrayList<>(pins.keySet());
    }

    @Override
    public void close() {
        pi4j.shutdown();
    }
}
