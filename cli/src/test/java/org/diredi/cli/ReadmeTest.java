package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command line of README.md runs as written on a fresh clone (see {@link ReadmeCheck}). */
class ReadmeTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private static String readme() throws IOException {
        return Files.readString(ROOT.resolve("README.md"));
    }

    private List<String> check(String markdown) {
        return new ReadmeCheck(ROOT, tmp.resolve("scratch"), ReadmeCheck.RUN_FOR_REAL).check(markdown);
    }

    private static String bash(String... lines) {
        return "```bash\n" + String.join("\n", lines) + "\n```\n";
    }

    @Test
    void everyReadmeCommandLineRuns() throws IOException {
        String readme = readme();
        assertTrue(ReadmeLines.of(readme).size() >= 30, "the README's command lines were found: "
                + ReadmeLines.of(readme).size());
        List<String> problems = check(readme);
        assertEquals("", String.join("\n", problems), problems.size() + " README line(s) fail as written");
    }

    /** diredi --help's "Start here" lines, a sequence of their own, pass the same check. */
    @Test
    void theStartHereLinesOfDirediHelpRun() {
        List<String> start = Arrays.stream(Diredi.commandLine().getCommandSpec().usageMessage().description())
                .map(l -> l.replaceFirst("^Start here:", "").strip())
                .filter(l -> l.startsWith("diredi "))
                .toList();
        assertEquals(3, start.size(), "diredi --help's start-here lines: " + start);
        List<String> problems = new ReadmeCheck(ROOT, tmp.resolve("scratch"), Set.of())
                .check(bash(start.toArray(String[]::new)));
        assertEquals("", String.join("\n", problems));
    }

    @Test
    void theHelpListsEveryCommand() {
        String usage = Diredi.commandLine().getUsageMessage();
        for (String c : List.of("demo", "data", "pretrain", "train", "distill", "delta", "gate", "experiment", "export",
                "onprem", "cloud", "profiles", "eval", "detect", "bench", "presets", "provenance", "edge")) {
            assertTrue(usage.lines().anyMatch(l -> l.strip().startsWith(c + " ")), c + " missing from:\n" + usage);
        }
    }

    /** The check fails on each kind of broken line, naming the line and the problem. */
    @Test
    void aBrokenLineFails() {
        assertFails(bash("./diredi presets --verbose"), "Unknown option: '--verbose'");
        assertFails(bash("./diredi trian --data work/fashion-scenes --out work/edge"), "trian");
        assertFails(bash("./diredi export --profile cpu --out work/export"), "--checkpoint");
        assertFails(bash("./diredi bench"), "needs a subcommand");
        assertFails(bash("./diredi train --data work/fashion-scenes --epochs many --out work/edge"), "many");
        assertFails(bash("./diredi eval --checkpoint work/large/model.ckpt --data work/fashion-scenes"),
                "work/large/model.ckpt: no line above writes it");
        assertFails(bash("./diredi pretrain --preset cpu/tutor --out models/pretrained/cpu-tutor.backbone"),
                "never over the repository's files");
        assertFails(bash("./diredi experiment run experiments/no-such-spec.yaml"), "not in the repository");
        assertFails(bash("./diredi data fashion-scenes --out work/fashion-scenes --image-size 8"), "exit code 2");
        assertFails(bash("./no-such-script --fast"), "no such executable script");
        assertFails(bash("./diredi train --data work/fashion-scenes \\", "    --presett edge --out work/edge"),
                "README line 2", "--presett");
    }

    /** The README itself with one line broken: the check names that line and only that one. */
    @Test
    void theReadmeWithOneLineBrokenFails() throws IOException {
        String good = "--checkpoint work/edge/model.ckpt --data work/fashion-scenes --split test";
        String readme = readme();
        assertTrue(readme.contains(good), "the tour's eval line");
        List<String> problems = new ReadmeCheck(ROOT, tmp.resolve("scratch"), Set.of())
                .check(readme.replace(good, good.replace("--split", "--splt")));
        assertEquals(1, problems.size(), String.join("\n", problems));
        assertTrue(problems.get(0).contains("--splt"), problems.get(0));
    }

    @Test
    void linesAreJoinedSplitAndStrippedOfComments() {
        String md = "text\n```bash\n./a x \\\n    y  # comment \\\n# only a comment\n./b 'q r' && ./c\n"
                + "    # an indented comment\n```\n```\n./not-bash\n```\n";
        assertEquals(List.of("3: ./a x y", "6: ./b 'q r' && ./c"), ReadmeLines.of(md).stream()
                .map(l -> l.number() + ": " + l.text()).collect(Collectors.toList()));
        assertEquals(List.of(List.of("./b", "q r"), List.of("./c")), ReadmeLines.commands("./b 'q r' && ./c"));
    }

    private void assertFails(String markdown, String... fragments) {
        List<String> problems = check(markdown);
        assertEquals(1, problems.size(), "one problem expected for " + markdown + ": " + problems);
        for (String f : fragments) {
            assertTrue(problems.get(0).contains(f), "'" + f + "' missing from: " + problems.get(0));
        }
    }
}
