package org.diredi.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
            GateCommand.class, ExperimentCommand.class, ExportCommand.class, LoopCommands.OnPrem.class, LoopCommands.Cloud.class, FleetWatchCommands.Fleet.class, ProfilesCommand.class, EvalCommand.class, DetectCommand.class, BenchCommand.class,
            PresetsCommand.class, CommandLine.HelpCommand.class
        })
public final class Diredi {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "on an error, print its stack trace too (errors in your input are one line without it)")
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; bad input prints one clear line and gives exit code 2 (see {@link UserErrors}). */
    public static int run(String... args) {
        Diredi root = new Diredi();
        CommandLine cl = new CommandLine(root);
        cl.setExecutionStrategy(parse -> {
            UserErrors.checkFolders(parse);
            return new CommandLine.RunLast().execute(parse);
        });
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> UserErrors.report(ex, cmd.getErr(), root.debug));
        return cl.execute(args);
    }

    /** Whether {@code ex} is a user's mistake (one line, exit 2) rather than a bug; see {@link UserErrors}. */
    static boolean isUserError(Throwable ex) {
        return UserErrors.message(ex) != null;
    }
}
