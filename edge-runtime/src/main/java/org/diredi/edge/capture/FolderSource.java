package org.diredi.edge.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.diredi.vision.image.Images;

/**
 * Frames from the JPEG / PNG files of a folder in name order, optionally looping: replays recorded
 * footage and feeds tests. An unreadable file is skipped with a message naming it, never fatal.
 */
public final class FolderSource implements FrameSource {

    private final Path dir;
    private final List<Path> files;
    private final boolean loop;
    private int next;
    private long index;

    public FolderSource(Path dir, boolean loop) {
        this.dir = dir;
        this.loop = loop;
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such frame folder");
        }
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list the frame folder (" + e.getMessage() + ")", e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no .jpg / .png frames in the folder");
        }
    }

    @Override
    public Frame next() {
        for (int tries = 0; tries < files.size(); tries++) {
            if (next == files.size()) {
                if (!loop) {
                    return null;
                }
                next = 0;
            }
            Path f = files.get(next++);
            try {
                return Frame.of(index++, f.getFileName().toString(), Images.read(f));
            } catch (RuntimeException e) {
                System.err.println("edge: skipping frame " + f + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException(dir + ": none of the " + files.size() + " frames could be read");
    }

    @Override
    public String describe() {
        return "folder " + dir + " (" + files.size() + " frames" + (loop ? ", looping" : "") + ")";
    }

    @Override
    public void close() {
        // nothing held open
    }
}
