package org.diredi.core.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The compute device models run on, named as settings files and {@code --device} name it: {@code cpu},
 * {@code gpu} (the first CUDA device) or {@code gpu:N}. Every command and service that runs a model
 * resolves its device here, so a request for a GPU that is not there fails at once, in one line,
 * instead of deep inside libtorch after minutes of data loading.
 */
public final class Devices {

    /** The default everywhere: the Maven build ships the CPU libtorch (README, "GPU"). */
    public static final String CPU = "cpu";

    /** The accepted spellings, for messages. */
    public static final String NAMES = "cpu, gpu or gpu:N";

    private static final Pattern NAME = Pattern.compile("cpu|gpu(?::(\\d+))?");

    private Devices() {}

    /** Whether {@code name} is spelled as a device (without asking libtorch what is there). */
    public static boolean isName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Refuses a misspelt device name, naming the {@code setting} it came from; needs no libtorch, so
     * settings files validate on load.
     *
     * @return {@code name}
     */
    public static String checkName(String name, String setting) {
        if (!isName(name)) {
            throw new IllegalArgumentException(setting + " must be " + NAMES + ", got '" + name + "'");
        }
        return name;
    }

    /**
     * The device {@code name} names, when libtorch has it here; otherwise one line naming {@code setting}
     * and what is available.
     */
    public static Device require(String name, String setting) {
        checkName(name, setting);
        if (CPU.equals(name)) {
            return Device.cpu();
        }
        Matcher m = NAME.matcher(name);
        m.matches();
        // DJL's own Device.fromName reads "gpu" as gpu(-1) and does not accept "gpu:N".
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        int gpus = Engine.getInstance().getGpuCount();
        if (index >= gpus) {
            throw new IllegalArgumentException(setting + " " + name + ": " + (gpus == 0
                    ? "libtorch sees no CUDA GPU here (a GPU and the CUDA build are needed: README, GPU)"
                    : "libtorch sees " + gpus + " CUDA GPU(s)") + "; available: " + available(gpus));
        }
        return Device.gpu(index);
    }

    /** What {@code --device} can name here, e.g. {@code cpu, gpu:0, gpu:1}. */
    public static String available() {
        return available(Engine.getInstance().getGpuCount());
    }

    private static String available(int gpus) {
        StringBuilder s = new StringBuilder(CPU);
        for (int i = 0; i < gpus; i++) {
            s.append(", gpu:").append(i);
        }
        return s.toString();
    }
}
