package org.diredi.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.diredi.core.checkpoint.Bundle;
import org.diredi.export.ExportException;
import org.diredi.inference.InferenceException;
import org.diredi.messaging.MessagingException;
import org.diredi.profiles.ProfileException;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.DataException;
import picocli.CommandLine;

/**
 * How a failed command ends: a user's mistake (a bad file, option, setting, an unreachable or refusing
 * broker, a missing key) is one line naming the file or option and the problem, exit code 2; anything
 * else is a bug, printed with its stack trace, exit code 1. {@code --debug} adds the trace to the line.
 */
final class UserErrors {

    static final int EXIT_USER_ERROR = 2;
    static final int EXIT_BUG = 1;

    private UserErrors() {}

    /** Prints {@code ex} as its kind asks and returns the exit code. */
    static int report(Throwable ex, PrintWriter err, boolean debug) {
        String line = message(ex);
        if (line != null) {
            err.println("error: " + line);
        }
        if (line == null || debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return line == null ? EXIT_BUG : EXIT_USER_ERROR;
    }

    /** The one line for a user's mistake, or null when {@code ex} is not one (a bug). */
    static String message(Throwable ex) {
        Throwable e = unwrap(ex);
        if (e instanceof FileSystemException fs) {
            return describe(fs);
        }
        if (e instanceof UncheckedIOException u && u.getCause() instanceof FileSystemException fs) {
            return describe(fs);
        }
        return isUserError(e) && e.getMessage() != null ? e.getMessage() : null;
    }

    static boolean isUserError(Throwable ex) {
        return ex instanceof DataException || ex instanceof Bundle.BundleException
                || ex instanceof ConfigFiles.ConfigException || ex instanceof IllegalArgumentException
                || ex instanceof IllegalStateException || ex instanceof MessagingException
                || ex instanceof ProfileException || ex instanceof ExportException
                || ex instanceof InferenceException;
    }

    /** Looks through the wrappers of asynchronous and reflective calls at the failure itself. */
    private static Throwable unwrap(Throwable ex) {
        Throwable e = ex;
        while ((e instanceof CompletionException || e instanceof ExecutionException
                || e instanceof InvocationTargetException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** A file system refusal in words: the JDK's message is often the bare path. */
    static String describe(FileSystemException e) {
        String file = e.getFile() == null ? "" : e.getFile() + ": ";
        String other = e.getOtherFile() == null ? "" : " (" + e.getOtherFile() + ")";
        if (e instanceof NoSuchFileException) {
            return file + "not found" + other;
        }
        if (e instanceof FileAlreadyExistsException) {
            boolean isFile = e.getFile() != null && Files.isRegularFile(Path.of(e.getFile()));
            return file + (isFile ? "already exists as a file, where a folder is needed" : "already exists") + other;
        }
        if (e instanceof AccessDeniedException) {
            return file + "permission denied" + other;
        }
        if (e instanceof NotDirectoryException) {
            return file + "not a folder" + other;
        }
        if (e instanceof DirectoryNotEmptyException) {
            return file + "folder not empty" + other;
        }
        return file + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason()) + other;
    }

    /**
     * Refuses, before the command runs, a folder option ({@code paramLabel = "DIR"}) that names an
     * existing file: a run would otherwise work for minutes and then fail to write its results.
     */
    static void checkFolders(CommandLine.ParseResult parse) {
        for (CommandLine.ParseResult r = parse; r != null; r = r.subcommand()) {
            for (CommandLine.Model.OptionSpec o : r.matchedOptions()) {
                Path file = "DIR".equals(o.paramLabel()) && o.getValue() instanceof Path p ? fileInPath(p) : null;
                if (file != null) {
                    String msg = o.longestName() + " " + o.getValue() + ": " + (file.equals(o.getValue())
                            ? "is a file" : file + " is a file") + "; a folder is expected here";
                    throw new CommandLine.ExecutionException(r.commandSpec().commandLine(), msg,
                            new IllegalArgumentException(msg));
                }
            }
        }
    }

    /** The first of {@code dir} and its parents that exists as something other than a folder, or null. */
    private static Path fileInPath(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return Files.isDirectory(p) ? null : p;
            }
        }
        return null;
    }
}
