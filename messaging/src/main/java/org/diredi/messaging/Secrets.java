package org.diredi.messaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Broker passwords from configuration: a file named by the config (keeps secrets out of it), or inline. */
public final class Secrets {

    private Secrets() {}

    /**
     * @param inline  the inline password, or null
     * @param file    a file holding the password (trailing whitespace ignored); wins over {@code inline}
     * @param setting the config key of {@code file}, for the error message
     */
    public static String password(String inline, String file, String setting) {
        if (file == null || file.isBlank()) {
            return inline;
        }
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(setting + " " + file + ": password file not found");
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + " " + file + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
