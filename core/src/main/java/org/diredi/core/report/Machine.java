package org.diredi.core.report;

import ai.djl.engine.Engine;
import java.util.Map;
import org.diredi.vision.report.MachineFacts;

/** Machine facts recorded next to every benchmark and experiment figure: CPU, engine, threads. */
public final class Machine {

    private Machine() {}

    public static Map<String, Object> facts() {
        Map<String, Object> m = MachineFacts.cpu();
        m.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        m.put("torchThreads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        return m;
    }

    public static String describe() {
        Map<String, Object> f = facts();
        return MachineFacts.describe(f) + ", " + f.get("engine") + ", torch threads " + f.get("torchThreads") + ".";
    }
}
