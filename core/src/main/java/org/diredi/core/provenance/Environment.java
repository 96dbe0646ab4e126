package org.diredi.core.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.diredi.vision.report.MachineFacts;

/**
 * The software and machine that made an artifact: DiReDi's version, DJL, libtorch (DJL's PyTorch
 * engine), ONNX Runtime where the process has it, Java, the OS and CPU. "unknown" where it cannot be told.
 */
public record Environment(String diredi, String djl, String pytorch, String onnxRuntime, String java,
                          String javaVendor, String os, String osVersion, String arch, String cpu) {

    private static final String UNKNOWN = "unknown";
    private static Environment current;

    /** This process's environment (gathered once: libtorch's version needs the engine loaded). */
    public static synchronized Environment current() {
        if (current == null) {
            current = new Environment(dirediVersion(), djlVersion(), pytorchVersion(), onnxRuntimeVersion(),
                    System.getProperty("java.version"), System.getProperty("java.vendor"),
                    System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
                    String.valueOf(MachineFacts.cpu().get("cpu")));
        }
        return current;
    }

    /** One line for people. */
    public String describe() {
        return "diredi " + diredi + ", DJL " + djl + ", PyTorch " + pytorch
                + (onnxRuntime == null ? "" : ", ONNX Runtime " + onnxRuntime) + ", Java " + java + " (" + javaVendor
                + "), " + os + " " + osVersion + " " + arch + ", " + cpu;
    }

    private static String dirediVersion() {
        try (InputStream in = Environment.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", UNKNOWN);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    private static String djlVersion() {
        try {
            return ai.djl.engine.Engine.getDjlVersion();
        } catch (RuntimeException e) {
            return UNKNOWN;
        }
    }

    private static String pytorchVersion() {
        try {
            return ai.djl.engine.Engine.getEngine("PyTorch").getVersion();
        } catch (RuntimeException | LinkageError e) {
            return UNKNOWN; // no libtorch in this process
        }
    }

    /** The ONNX Runtime jar's version, when this process has it on its class path (null otherwise). */
    private static String onnxRuntimeVersion() {
        try {
            Package p = Class.forName("ai.onnxruntime.OrtEnvironment").getPackage();
            return p == null || p.getImplementationVersion() == null ? UNKNOWN : p.getImplementationVersion();
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
