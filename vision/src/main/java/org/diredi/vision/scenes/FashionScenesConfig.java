package org.diredi.vision.scenes;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Parameters of a FashionScenes generation; everything that changes the output is here (and is
 * recorded in {@code fashion-scenes.json}), so one config and seed always give the same dataset.
 *
 * @param imageSize     side of the square scenes, px
 * @param trainImages   images in split {@code train} (at least 1)
 * @param valImages     images in split {@code val} (at least 1)
 * @param testImages    images in split {@code test} (at least 1)
 * @param minObjects    fewest objects per image (0 allows pure background negatives)
 * @param maxObjects    most objects per image (fewer when no free spot is found)
 * @param minObjectSize smallest side, px, that a 28x28 crop frame is scaled to
 * @param maxObjectSize largest side, px, that a 28x28 crop frame is scaled to
 * @param maxOverlap    largest IoU allowed between the boxes of two objects of one image
 * @param seed          master seed; every image derives its own seed from it
 * @param extraTrainDir optional directory with Fashion-MNIST's training files
 *                      ({@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]},
 *                      e.g. Debian's {@code /usr/share/datasets/fashion-mnist}); when given, the
 *                      train split draws its crops from those 60,000 instead of t10k; may be null
 */
public record FashionScenesConfig(
        int imageSize,
        int trainImages,
        int valImages,
        int testImages,
        int minObjects,
        int maxObjects,
        int minObjectSize,
        int maxObjectSize,
        double maxOverlap,
        long seed,
        Path extraTrainDir) {

    /** 160 px scenes, 2000/300/500 images, 1 to 4 objects of 28 to 72 px, IoU at most 0.3, seed 7. */
    public static final FashionScenesConfig DEFAULT =
            new FashionScenesConfig(160, 2000, 300, 500, 1, 4, 28, 72, 0.3, 7, null);

    public FashionScenesConfig {
        require(imageSize >= 32 && imageSize <= 4096, "imageSize must be in 32..4096, got " + imageSize);
        require(trainImages >= 1 && valImages >= 1 && testImages >= 1,
                "every split needs at least one image, got train " + trainImages + ", val "
                        + valImages + ", test " + testImages);
        require((long) trainImages + valImages + testImages <= 10_000_000,
                "at most 10,000,000 images in total");
        require(minObjects >= 0, "minObjects must be >= 0, got " + minObjects);
        require(maxObjects >= minObjects && maxObjects <= 64,
                "maxObjects must be in minObjects.." + 64 + ", got " + maxObjects);
        require(minObjectSize >= 8, "minObjectSize must be >= 8 px, got " + minObjectSize);
        require(maxObjectSize >= minObjectSize,
                "maxObjectSize " + maxObjectSize + " < minObjectSize " + minObjectSize);
        require(maxObjectSize <= imageSize,
                "maxObjectSize " + maxObjectSize + " exceeds imageSize " + imageSize);
        require(maxOverlap >= 0 && maxOverlap <= 1, "maxOverlap must be in [0, 1], got " + maxOverlap);
    }

    public static FashionScenesConfig defaults() {
        return DEFAULT;
    }

    public Optional<Path> extraTrain() {
        return Optional.ofNullable(extraTrainDir);
    }

    public int totalImages() {
        return trainImages + valImages + testImages;
    }

    public FashionScenesConfig withImages(int train, int val, int test) {
        return new FashionScenesConfig(imageSize, train, val, test, minObjects, maxObjects,
                minObjectSize, maxObjectSize, maxOverlap, seed, extraTrainDir);
    }

    /** Also scales the object size range when it would no longer fit. */
    public FashionScenesConfig withImageSize(int size) {
        return new FashionScenesConfig(size, trainImages, valImages, testImages, minObjects,
                maxObjects, Math.min(minObjectSize, size), Math.min(maxObjectSize, size),
                maxOverlap, seed, extraTrainDir);
    }

    public FashionScenesConfig withObjects(int min, int max) {
        return new FashionScenesConfig(imageSize, trainImages, valImages, testImages, min, max,
                minObjectSize, maxObjectSize, maxOverlap, seed, extraTrainDir);
    }

    public FashionScenesConfig withObjectSize(int min, int max) {
        return new FashionScenesConfig(imageSize, trainImages, valImages, testImages, minObjects,
                maxObjects, min, max, maxOverlap, seed, extraTrainDir);
    }

    public FashionScenesConfig withMaxOverlap(double iou) {
        return new FashionScenesConfig(imageSize, trainImages, valImages, testImages, minObjects,
                maxObjects, minObjectSize, maxObjectSize, iou, seed, extraTrainDir);
    }

    public FashionScenesConfig withSeed(long s) {
        return new FashionScenesConfig(imageSize, trainImages, valImages, testImages, minObjects,
                maxObjects, minObjectSize, maxObjectSize, maxOverlap, s, extraTrainDir);
    }

    public FashionScenesConfig withExtraTrainDir(Path dir) {
        return new FashionScenesConfig(imageSize, trainImages, valImages, testImages, minObjects,
                maxObjects, minObjectSize, maxObjectSize, maxOverlap, seed, dir);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("FashionScenes config: " + message);
        }
    }
}
