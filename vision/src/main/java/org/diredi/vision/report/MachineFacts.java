package org.diredi.vision.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** CPU and JVM facts recorded next to every benchmark figure (engines add their own). */
public final class MachineFacts {

    private MachineFacts() {}

    public static Map<String, Object> cpu() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpuInfo("model name"));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        String flags = cpuInfo("flags");
        m.put("avx2", flags.contains(" avx2"));
        m.put("avx512f", flags.contains(" avx512f"));
        m.put("avx512_vnni", flags.contains("avx512_vnni") || flags.contains("avx_vnni"));
        m.put("java", System.getProperty("java.version"));
        m.put("memoryGiB", Runtime.getRuntime().maxMemory() / (1L << 30));
        return m;
    }

    /** One line: CPU, cores, vector extensions, Java. */
    public static String describe(Map<String, Object> f) {
        return "Machine: " + f.get("cpu") + ", " + f.get("cores") + " cores (avx2 " + f.get("avx2") + ", avx512f "
                + f.get("avx512f") + ", vnni " + f.get("avx512_vnni") + "), Java " + f.get("java");
    }

    private static String cpuInfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            // not Linux: leave it unknown
        }
        return "unknown";
    }
}
