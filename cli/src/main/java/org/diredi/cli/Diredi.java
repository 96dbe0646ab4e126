package org.diredi.cli;

import org.diredi.edge.cli.EdgeMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code diredi} command: one entry point, one subcommand per job. */
@Command(name = "diredi", mixinStandardHelpOptions = true, version = "diredi 0.1.0",
        description = {
            "DiReDi: Distillation and Reverse Distillation for AIoT detectors (arXiv 2409.08308).",
            "",
            "Start here:  diredi data fashion-scenes --out work/fashion-scenes",
            "             diredi train --data work/fashion-scenes --preset edge --out work/edge",
            "             diredi eval --checkpoint work/edge/model.ckpt --data work/fashion-scenes --split test",
            "README.md's tour shows the rest; './diredi test' runs the tests.",
        },
        subcommands = {
            DemoCommand.class, DataCommand.class, PretrainCommand.class, TrainCommand.class, DistillCommand.class, DeltaCommand.class,
            GateCommand.class, ExperimentCommand.class, ExportCommand.class, LoopCommands.OnPrem.class, LoopCommands.Cloud.class,
            ProvisionCommands.Keys.class, ProvisionCommands.Broker.class, FleetCommand.class, ProfilesCommand.class, EvalCommand.class, DetectCommand.class, BenchCommand.class,
            PresetsCommand.class, ProvenanceCommand.class, EdgeMain.class, CommandLine.HelpCommand.class
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
        return commandLine().execute(args);
    }

    /**
     * The command tree with its error handling, ready to parse or execute. {@code edge} runs in this JVM
     * here; the {@code ./diredi} launcher gives it a JVM of its own holding only the edge runtime's jars.
     */
    static CommandLine commandLine() {
        Diredi root = new Diredi();
        CommandLine cl = new CommandLine(root);
        cl.setExecutionStrategy(parse -> {
            UserErrors.checkFolders(parse);
            return new CommandLine.RunLast().execute(parse);
        });
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> UserErrors.report(ex, cmd.getErr(), root.debug));
        return cl;
    }

    /** Whether {@code ex} is a user's mistake (one line, exit 2) rather than a bug; see {@link UserErrors}. */
    static boolean isUserError(Throwable ex) {
        return UserErrors.message(ex) != null;
    }
}
