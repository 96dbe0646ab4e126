package org.diredi.cli;

import ai.djl.Device;
import java.nio.file.Path;
import org.diredi.core.engine.Devices;
import org.diredi.core.train.TrainConfig;
import picocli.CommandLine.Option;

/**
 * {@code --device}, the one option of every command that runs a model. Commands resolve it before any
 * other work, so asking for a GPU that is not there costs nothing but the one-line error (exit 2).
 */
final class DeviceOption {

    @Option(names = "--device", paramLabel = "NAME", description = "where the model runs: cpu, gpu (the first CUDA "
            + "device) or gpu:N; a GPU needs the CUDA build (README, GPU) (default: cpu, or the training settings' "
            + "device)")
    String name;

    /** The device asked for (cpu when none was), checked against what libtorch sees here. */
    Device device() {
        return Devices.require(name == null ? Devices.CPU : name, "--device");
    }

    /** The device's name (cpu when none was asked for), checked as {@link #device()} checks it. */
    String checkedName() {
        device();
        return name == null ? Devices.CPU : name;
    }

    /** Refuses a GPU for {@code what}, which runs on ONNX Runtime's CPU provider, not on libtorch. */
    void cpuOnly(String what) {
        if (name != null && !Devices.CPU.equals(name)) {
            throw new IllegalArgumentException("--device " + name + ": " + what + " runs on ONNX Runtime's CPU "
                    + "provider; --device applies to checkpoints");
        }
    }

    /**
     * The training settings on the device asked for, else on their own (read from {@code configFile},
     * which a missing GPU's error then names); checked against what libtorch sees here.
     */
    TrainConfig over(TrainConfig c, Path configFile) {
        if (name != null) {
            Devices.require(name, "--device");
            return c.withDevice(name);
        }
        Devices.require(c.device(), (configFile == null ? "" : configFile + ": ") + "device");
        return c;
    }
}
