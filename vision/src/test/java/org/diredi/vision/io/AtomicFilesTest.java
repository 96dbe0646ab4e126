package org.diredi.vision.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAndReplaces(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.txt");
        AtomicFiles.writeString(f, "one");
        assertEquals("one", Files.readString(f));
        AtomicFiles.writeString(f, "two, longer");
        assertEquals("two, longer", Files.readString(f));
        assertEquals(List.of("a.txt"), names(dir));
    }

    @Test
    void everyWriteSyncsItsDirectoryAfterTheRename(@TempDir Path dir) throws IOException {
        // The rename is an entry in the directory: without a sync of the directory a power cut can undo it.
        long before = AtomicFiles.directorySyncs();
        AtomicFiles.writeString(dir.resolve("ACTIVE"), "v2");
        AtomicFiles.writeJson(dir.resolve("sub/state.json"), Map.of("v", 2));
        assertEquals(before + 2, AtomicFiles.directorySyncs());
        AtomicFiles.syncDirectory(dir); // callable on its own, e.g. after a folder swap
        assertEquals(before + 3, AtomicFiles.directorySyncs());
    }

    @Test
    void writerFailingMidwayLeavesOldFileAndNoTemp(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("model.json");
        AtomicFiles.writeString(f, "old content");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("new partial".getBytes(StandardCharsets.UTF_8));
            out.flush();
            throw new IOException("disk on fire");
        }));
        assertEquals("disk on fire", e.getMessage());
        assertEquals("old content", Files.readString(f));
        assertEquals(List.of("model.json"), names(dir));

        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw new IllegalStateException("bug in writer");
        }));
        assertEquals("old content", Files.readString(f));
        assertEquals(List.of("model.json"), names(dir));
    }

    @Test
    void failingFirstWriteCreatesNothing(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("new.bin");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            throw new IOException("no");
        }));
        assertFalse(Files.exists(f));
        assertEquals(List.of(), names(dir));
    }

    @Test
    void writerMayCloseTheStreamAndParentsAreCreated(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x/y/z.bin");
        AtomicFiles.write(f, out -> {
            out.write(new byte[] {1, 2, 3});
            out.close();
        });
        assertEquals(3, Files.size(f));
    }

    @Test
    void writeJsonIsPrettyWithFinalNewline(@TempDir Path dir) throws IOException {
        record Point(int x, String name) {}
        Path f = dir.resolve("p.json");
        AtomicFiles.writeJson(f, Map.of("p", new Point(1, "a")));
        assertEquals("{\n  \"p\" : {\n    \"x\" : 1,\n    \"name\" : \"a\"\n  }\n}\n", Files.readString(f));
    }

    @Test
    void cleanStaleDeletesOnlyLeftoverTempFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path d)
            throws java.io.IOException {
        java.nio.file.Files.writeString(d.resolve(".last.ckpt.0123abcd89ef4567.tmp"), "half");
        java.nio.file.Files.writeString(d.resolve("last.ckpt"), "good");
        java.nio.file.Files.writeString(d.resolve(".hidden"), "keep");
        java.nio.file.Files.writeString(d.resolve("notes.tmp"), "keep");
        org.junit.jupiter.api.Assertions.assertEquals(1, AtomicFiles.cleanStale(d));
        try (var files = java.nio.file.Files.list(d)) {
            org.junit.jupiter.api.Assertions.assertEquals(java.util.Set.of("last.ckpt", ".hidden", "notes.tmp"),
                    files.map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void aFolderAppearsWholeOrNotAtAll(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        assertThrows(IOException.class, () -> AtomicFiles.directory(out, tmp -> {
            Files.writeString(tmp.resolve("half.txt"), "half");
            throw new IOException("disk full");
        }));
        assertEquals(List.of(), names(dir)); // neither the folder nor its temporary one
        AtomicFiles.directory(out, tmp -> Files.writeString(Files.createDirectories(tmp.resolve("sub")).resolve("a.txt"), "a"));
        assertEquals("a", Files.readString(out.resolve("sub/a.txt")));
        assertEquals(List.of("out"), names(dir));
        assertThrows(java.nio.file.DirectoryNotEmptyException.class,
                () -> AtomicFiles.directory(out, tmp -> Files.writeString(tmp.resolve("b.txt"), "b")));
        assertEquals(List.of("sub"), names(out)); // the full folder is left as it was
        Path empty = Files.createDirectories(dir.resolve("empty"));
        AtomicFiles.directory(empty, tmp -> Files.writeString(tmp.resolve("c.txt"), "c")); // an empty one is replaced
        assertEquals(List.of("c.txt"), names(empty));
    }
}
