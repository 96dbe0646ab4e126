package org.diredi.cloud;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.vision.config.ConfigFiles;

/** Append-only JSON-lines log of every delta and decision, each line forced to disk before returning. */
public final class AuditLog {

    private final Path file;

    public AuditLog(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized void record(String event, String transferId, String customer, Map<String, Object> facts) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("at", Instant.now().toString());
        line.put("event", event);
        line.put("transferId", transferId);
        line.put("customer", customer);
        line.putAll(facts);
        byte[] b;
        try {
            // one line per event: never pretty-printed
            b = (ConfigFiles.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("audit facts must be JSON values: " + e.getMessage(), e);
        }
        // the file lock keeps lines whole when workers in other processes append too (one lock per JVM first:
        // a second channel's lock in the same JVM would throw rather than wait)
        synchronized (AuditLog.class) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE); java.nio.channels.FileLock l = ch.lock()) {
                ch.write(ByteBuffer.wrap(b));
                ch.force(true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the audit log " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Every line, parsed (tests, reports). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> read() {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(l -> {
                try {
                    return (Map<String, Object>) ConfigFiles.JSON.readValue(l, Map.class);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
