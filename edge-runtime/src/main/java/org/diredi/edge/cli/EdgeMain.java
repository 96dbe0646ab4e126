package org.diredi.edge.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diredi.edge.EdgeDevice;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.vision.config.ConfigFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code diredi edge ...}: the camera's own program. It runs in a JVM holding only the edge runtime's
 * jars (ONNX Runtime, OpenCV, Paho, Pi4J), as on the device; the launcher picks that classpath.
 */
@Command(name = "edge", mixinStandardHelpOptions = true, description = "Edge runtime (what runs on the camera).",
        subcommands = {EdgeMain.Run.class, VideoBench.class, CommandLine.HelpCommand.class})
public final class EdgeMain {

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new EdgeMain());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException
                    || ex instanceof ConfigFiles.ConfigException || ex instanceof java.io.UncheckedIOException
                    || ex instanceof org.diredi.messaging.MessagingException
                    || ex instanceof org.diredi.inference.InferenceException) {
                err.println("error: " + ex.getMessage());
                err.flush();
                return 2;
            }
            ex.printStackTrace(err);
            return 1;
        });
        System.exit(cl.execute(args));
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run the edge model on frames (image folder, video file, camera index or GStreamer",
                "pipeline) with ONNX Runtime; publish detections and status over MQTT v5; apply signed OTA",
                "updates (verify, stage, health-check, swap, or roll back). See configs/edge.yaml."})
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "edge configuration (YAML/JSON)")
        Path config;

        @Option(names = "--frames", description = "stop after this many frames (default: the config's maxFrames)")
        Long frames;

        @Override
        public Integer call() {
            EdgeConfig c = EdgeConfig.load(config);
            if (frames != null) {
                c = c.with(Map.of("maxFrames", frames));
            }
            try (EdgeDevice d = EdgeDevice.open(c, Clock.systemUTC())) {
                d.run();
                System.out.println(ConfigFiles.toJson(d.runtime().status()));
            }
            return 0;
        }
    }
}
