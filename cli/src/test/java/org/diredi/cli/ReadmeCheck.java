package org.diredi.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Runs the README's command lines in order, as a newcomer would from a fresh clone, and lists what fails.
 *
 * <p>A {@code diredi} command is parsed by the real command tree (so a misspelt subcommand or option, a
 * missing required option or a bad value fails) and then run in this JVM: the quick ones for real
 * ({@link #RUN_FOR_REAL}, writing under a scratch {@code work/}), the long ones (training, the demo,
 * benchmarks, services) with {@code --help}. Its files must fit a fresh clone: every file or folder it
 * reads under {@code work/} was written by an earlier line ({@code --out}, given or by default), every
 * other one is in the repository, and it writes under {@code work/} only (never over a tracked file).
 * Any other command is a script of the repository (present and executable), a word the {@code ./diredi}
 * launcher handles itself (such as {@code test}) or a well-known tool. A line that starts with
 * {@code cd DIR &&} into a folder a fresh clone does not have runs on another machine (a camera, a
 * customer's PC): its diredi command (by any path ending in {@code /diredi}) must parse and answer
 * {@code --help}, but its files are that machine's. {@code keys/} is ignored by git like {@code work/}, and
 * {@code diredi fleet} writes under {@code work/fleet}, {@code diredi broker serve} under {@code work/broker}.
 */
final class ReadmeCheck {

    /** Commands quick enough to run for real on every test run. */
    static final Set<String> RUN_FOR_REAL = Set.of("diredi", "diredi presets", "diredi profiles list",
            "diredi data fashion-scenes", "diredi help");

    /** Tools a README may name besides the repository's own scripts. */
    static final Set<String> KNOWN_TOOLS = Set.of("mvn", "git", "java", "sudo", "apt-get", "cd", "export",
            "install", "systemctl");

    /** Top folders of the repository that git ignores: README lines write only there. */
    static final Set<String> SCRATCH_FOLDERS = Set.of("work", "keys");

    /** Commands that write to fixed places besides their --out. */
    static final Map<String, String> IMPLIED_OUTPUTS = Map.of("diredi fleet", "work/fleet",
            "diredi broker serve", "work/broker");

    private static final Pattern LAUNCHER_WORD = Pattern.compile("\"\\$\\{1:-}\" = \"([a-z-]+)\"");

    private final Path root;
    private final Path scratch;
    private final Set<String> forReal;
    private final Set<String> launcherWords;
    private final List<Path> written = new ArrayList<>();
    private boolean elsewhere;

    /**
     * @param root    the repository (README's paths are relative to it)
     * @param scratch an empty folder that stands in for the repository's {@code work/} in real runs
     * @param forReal the commands run for real (usually {@link #RUN_FOR_REAL}); the others run with --help
     */
    ReadmeCheck(Path root, Path scratch, Set<String> forReal) {
        this.root = root;
        this.scratch = scratch;
        this.forReal = forReal;
        this.launcherWords = launcherWords(root.resolve("diredi"));
    }

    /** Checks every command line of {@code markdown} in order; the problems found, empty when all pass. */
    List<String> check(String markdown) {
        List<String> problems = new ArrayList<>();
        for (ReadmeLines.Line line : ReadmeLines.of(markdown)) {
            elsewhere = false;
            for (List<String> words : ReadmeLines.commands(line.text())) {
                if (words.size() == 2 && words.get(0).equals("cd") && !Files.isDirectory(root.resolve(words.get(1)))) {
                    elsewhere = true; // the rest of the line runs on another machine, in its own folder
                }
                String problem = check(withoutAssignments(words));
                if (problem != null) {
                    problems.add(line + "\n    " + problem);
                }
            }
        }
        return List.copyOf(problems);
    }

    /** The command without leading {@code NAME=value} assignments and a trailing {@code &}. */
    private static List<String> withoutAssignments(List<String> words) {
        int i = 0;
        while (i < words.size() && words.get(i).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
            i++;
        }
        int end = words.size() > i && words.get(words.size() - 1).equals("&") ? words.size() - 1 : words.size();
        return words.subList(i, end);
    }

    private String check(List<String> words) {
        if (words.isEmpty()) {
            return null;
        }
        String program = words.get(0);
        List<String> args = words.subList(1, words.size());
        if (program.equals("./diredi") || program.equals("diredi") || elsewhere && program.endsWith("/diredi")) {
            return diredi(args);
        }
        return otherProgram(program);
    }

    private String otherProgram(String program) {
        if (program.contains("/")) {
            Path script = root.resolve(program).normalize();
            return Files.isRegularFile(script) && Files.isExecutable(script) ? null
                    : program + ": no such executable script in the repository";
        }
        return KNOWN_TOOLS.contains(program) ? null : program + ": neither a script of the repository nor a known tool";
    }

    private String diredi(List<String> args) {
        if (!args.isEmpty() && launcherWords.contains(args.get(0)) && !isSubcommand(args.get(0))) {
            return null; // the launcher runs it (./diredi test: Maven), not the diredi command
        }
        ParseResult parse;
        try {
            parse = Diredi.commandLine().parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            return "diredi does not accept it: " + e.getMessage();
        }
        ParseResult leaf = leaf(parse);
        CommandSpec spec = leaf.commandSpec();
        if (!isRunnable(spec) && !parse.isUsageHelpRequested() && !leaf.isUsageHelpRequested()) {
            return spec.qualifiedName() + " needs a subcommand: " + spec.subcommands().keySet();
        }
        String files = elsewhere ? null : files(parse);
        if (files != null) {
            return files;
        }
        return run(spec.qualifiedName(), args);
    }

    private static boolean isSubcommand(String word) {
        return Diredi.commandLine().getSubcommands().containsKey(word);
    }

    /** The words the {@code ./diredi} launcher handles before the diredi command: {@code test}, {@code edge}. */
    private static Set<String> launcherWords(Path launcher) {
        try {
            Matcher m = LAUNCHER_WORD.matcher(Files.readString(launcher));
            Set<String> words = new TreeSet<>();
            while (m.find()) {
                words.add(m.group(1));
            }
            return words;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ParseResult leaf(ParseResult parse) {
        ParseResult r = parse;
        while (r.subcommand() != null) {
            r = r.subcommand();
        }
        return r;
    }

    private static boolean isRunnable(CommandSpec spec) {
        Object o = spec.userObject();
        return o instanceof Runnable || o instanceof Callable<?> || spec.subcommands().isEmpty();
    }

    /** The files a command reads must exist on a fresh clone after the lines above; it writes under work/. */
    private String files(ParseResult parse) {
        String problem = null;
        for (ParseResult r = parse; r != null; r = r.subcommand()) {
            for (ArgSpec a : r.matchedArgs()) {
                boolean isOut = a.isOption() && ((OptionSpec) a).longestName().equals("--out");
                for (Path p : paths(a)) {
                    String found = isOut ? writable(p) : readable(p);
                    problem = problem == null ? found : problem;
                }
            }
            OptionSpec out = r.commandSpec().findOption("--out");
            if (out != null) {
                written.addAll(paths(out)); // given or by default; kept even when the line fails, against follow-on noise
            }
            String command = r.commandSpec().qualifiedName();
            IMPLIED_OUTPUTS.forEach((prefix, folder) -> {
                if (command.startsWith(prefix)) {
                    written.add(Path.of(folder));
                }
            });
        }
        return problem;
    }

    private static List<Path> paths(ArgSpec a) {
        Object v = a.getValue();
        List<Path> paths = new ArrayList<>();
        if (v instanceof Path p) {
            paths.add(p.normalize());
        } else if (v instanceof Collection<?> c) {
            c.stream().filter(Path.class::isInstance).map(x -> ((Path) x).normalize()).forEach(paths::add);
        }
        return paths;
    }

    private String readable(Path p) {
        if (SCRATCH_FOLDERS.stream().anyMatch(p::startsWith)) {
            return written.stream().anyMatch(p::startsWith) ? null
                    : p + ": no line above writes it (a fresh clone has no work/ yet)";
        }
        return Files.exists(p.isAbsolute() ? p : root.resolve(p)) ? null : p + ": not in the repository";
    }

    private static String writable(Path p) {
        return !p.isAbsolute() && SCRATCH_FOLDERS.stream().anyMatch(p::startsWith) ? null
                : "--out " + p + ": README lines write under work/ (ignored by git), never over the repository's files";
    }

    /** Runs the command in this JVM, for real or with --help; null when it exits 0. */
    private String run(String command, List<String> args) {
        boolean real = forReal.contains(command);
        List<String> runArgs = new ArrayList<>(args.stream().map(this::inScratch).toList());
        if (!real) {
            runArgs.add("--help");
        }
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        StringWriter usage = new StringWriter();
        int code;
        try (PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            System.setErr(capture);
            CommandLine cl = Diredi.commandLine();
            cl.setOut(new PrintWriter(usage, true));
            cl.setErr(new PrintWriter(usage, true));
            code = cl.execute(runArgs.toArray(String[]::new));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String output = usage + printed.toString(StandardCharsets.UTF_8);
        if (code != 0 || (!real && !output.contains("Usage:"))) {
            return (real ? "" : "with --help: ") + "exit code " + code + "\n" + output.indent(6).stripTrailing();
        }
        return null;
    }

    /**
     * A word naming work/... points into the scratch folder, one naming a repository path becomes
     * absolute (this JVM runs in cli/); lists split by commas and {@code --option=value} are followed.
     */
    private String inScratch(String word) {
        int eq = word.startsWith("--") ? word.indexOf('=') : -1;
        if (eq > 0) {
            return word.substring(0, eq + 1) + inScratch(word.substring(eq + 1));
        }
        if (word.contains(",")) {
            return String.join(",", Arrays.stream(word.split(",", -1)).map(this::inScratch).toList());
        }
        if (SCRATCH_FOLDERS.stream().anyMatch(f -> word.equals(f) || word.startsWith(f + "/"))) {
            return scratch.resolve(word).toString();
        }
        if (word.contains("/") && !word.startsWith("/") && Files.exists(root.resolve(word))) {
            return root.resolve(word).normalize().toString();
        }
        return word;
    }
}
