package org.diredi.cli;

import ai.djl.engine.Engine;
import org.diredi.vision.report.MachineFacts;
import java.util.Map;

/** Machine facts recorded next to every benchmark figure. */
final class Machine {

    private Machine() {}

    static Map<String, Object> facts() {
        Map<String, Object> m = MachineFacts.cpu();
        m.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        m.put("torchThreads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        return m;
    }

    static String describe() {
        Map<String, Object> f = facts();
        return MachineFacts.describe(f) + ", " + f.get("engine") + ", torch threads " + f.get("torchThreads") + ".";
    }
}
