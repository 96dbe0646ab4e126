package org.diredi.vision.scenes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.DataException;

/**
 * Fashion-MNIST crops (28x28, light object on black) with their labels, whose order is
 * {@link ClassList#FASHION}.
 *
 * @param name   {@code t10k} or {@code train}, recorded in provenance
 * @param images the crops
 * @param labels one label 0..9 per crop
 */
public record FashionMnist(String name, IdxReader.Images images, byte[] labels) implements SceneObjects {

    public static final int SIZE = 28;

    static final String T10K_IMAGES = "t10k-images-idx3-ubyte.gz";
    static final String T10K_LABELS = "t10k-labels-idx1-ubyte.gz";
    static final String LICENSE = "LICENSE-fashion-mnist";

    public FashionMnist {
        if (images.count() != labels.length) {
            throw new IllegalArgumentException(name + ": " + images.count() + " images but "
                    + labels.length + " labels");
        }
    }

    @Override
    public int count() {
        return labels.length;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    /** The crop's intensity as alpha ({@link SceneRenderer#alphaMask}); a crop pastes the same every time. */
    @Override
    public float[] alpha(int index, int w, int h, java.util.Random rnd) {
        return SceneRenderer.alphaMask(images, index, w, h);
    }

    /** The 10,000 test crops bundled as classpath resources (loaded once, then shared). */
    public static FashionMnist t10k() {
        return T10kHolder.T10K;
    }

    private static final class T10kHolder {
        static final FashionMnist T10K = loadT10k();
    }

    private static FashionMnist loadT10k() {
        IdxReader.Images imgs;
        byte[] labels;
        try (InputStream i = resource(T10K_IMAGES); InputStream l = resource(T10K_LABELS)) {
            imgs = IdxReader.readImages(i, Path.of("classpath:" + T10K_IMAGES));
            labels = IdxReader.readLabels(l, Path.of("classpath:" + T10K_LABELS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return validated("t10k", imgs, labels, Path.of("classpath:" + T10K_IMAGES));
    }

    /**
     * Fashion-MNIST's 60,000 training crops from {@code dir} (gzipped or not), e.g. Debian's
     * {@code /usr/share/datasets/fashion-mnist}.
     */
    public static FashionMnist trainFrom(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir, "Fashion-MNIST training directory not found");
        }
        Path imgFile = pick(dir, "train-images-idx3-ubyte");
        Path lblFile = pick(dir, "train-labels-idx1-ubyte");
        IdxReader.Images imgs = IdxReader.readImages(imgFile);
        byte[] labels = IdxReader.readLabels(lblFile);
        if (imgs.count() != labels.length) {
            throw new DataException(lblFile, labels.length + " labels but " + imgFile.getFileName()
                    + " holds " + imgs.count() + " images");
        }
        return validated("train", imgs, labels, imgFile);
    }

    static InputStream resource(String name) {
        InputStream in = FashionMnist.class.getResourceAsStream(name);
        if (in == null) {
            throw new DataException(Path.of("classpath:" + name), "bundled resource missing from the jar");
        }
        return in;
    }

    private static Path pick(Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(base);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        throw new DataException(gz, "Fashion-MNIST training file missing (nor " + raw.getFileName()
                + ")");
    }

    private static FashionMnist validated(String name, IdxReader.Images imgs, byte[] labels, Path src) {
        if (imgs.rows() != SIZE || imgs.cols() != SIZE) {
            throw new DataException(src, "expected 28x28 Fashion-MNIST crops, got " + imgs.rows()
                    + "x" + imgs.cols());
        }
        if (imgs.count() != labels.length) {
            throw new DataException(src, imgs.count() + " images but " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= ClassList.FASHION.size()) {
                throw new DataException(src, "label " + labels[i] + " of crop " + i
                        + " is not a Fashion-MNIST class 0..9");
            }
        }
        return new FashionMnist(name, imgs, labels);
    }
}
