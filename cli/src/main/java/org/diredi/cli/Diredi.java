package org.diredi.cli;

import java.io.PrintWriter;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.DataException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code diredi} command: one entry point, one subcommand per job. */
@Command(name = "diredi", mixinStandardHelpOptions = true, version = "diredi 0.1.0",
        description = {
            "DiReDi: Distillation and Reverse Distillation for AIoT detectors (arXiv 2409.08308).",
            "",
            "Start here:  diredi data fashion-scenes --out data/fashion-scenes",
            "             diredi train --data data/fashion-scenes --preset edge --out runs/edge",
            "             diredi eval --checkpoint runs/edge/model.ckpt --data data/fashion-scenes --split test",
        },
        subcommands = {
            DemoCommand.class, DataCommand.class, PretrainCommand.class, TrainCommand.class, DistillCommand.class, DeltaCommand.class,
            GateCommand.class, ExperimentCommand.class, ExportCommand.class, LoopCommands.OnPrem.class, LoopCommands.Cloud.class, ProfilesCommand.class, EvalCommand.class, DetectCommand.class, BenchCommand.class,
            PresetsCommand.class, CommandLine.HelpCommand.class
        })
public final class Diredi {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; bad input prints one clear line and gives exit code 2. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Diredi());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            PrintWriter err = cmd.getErr();
            if (isUserError(ex)) {
                err.println("error: " + ex.getMessage());
                err.flush();
                return 2;
            }
            ex.printStackTrace(err);
            err.flush();
            return 1;
        });
        return cl.execute(args);
    }

    static boolean isUserError(Throwable ex) {
        return ex instanceof DataException || ex instanceof org.diredi.core.checkpoint.Bundle.BundleException
                || ex instanceof ConfigFiles.ConfigException || ex instanceof IllegalArgumentException
                || ex instanceof IllegalStateException || ex instanceof java.nio.file.NoSuchFileException
                || ex instanceof org.diredi.profiles.ProfileException || ex instanceof org.diredi.export.ExportException
                || ex instanceof org.diredi.inference.InferenceException;
    }
}
