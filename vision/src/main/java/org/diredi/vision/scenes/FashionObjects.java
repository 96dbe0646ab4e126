package org.diredi.vision.scenes;

import java.awt.image.BufferedImage;
import java.util.List;
import org.diredi.vision.data.Seeds;

/**
 * Single-object images for backbone pretraining (the ImageNet-classification analogue): one
 * Fashion-MNIST crop from the train scenes' t10k pool, pasted by {@link SceneRenderer} (same tint,
 * alpha and backgrounds as the scenes) on a train photo or a procedural texture; the label is the
 * crop's class. The val/test crops and the eval photos are never used, so a pretrained backbone has
 * seen nothing a detector is evaluated on. The last {@code holdout} crops of the pool are kept apart
 * as the pretraining validation set.
 *
 * <p>A pure function of (image size, holdout, seed, epoch, index): a training epoch deals a seeded
 * permutation of the training crops and renders each with fresh placement, tint and background, so
 * every epoch shows new images of the same crops.
 */
public final class FashionObjects {

    /** One rendered image: pixels, label (class of {@link org.diredi.vision.data.ClassList#FASHION}), provenance. */
    public record Image(BufferedImage image, int label, int cropIndex, String background) {}

    private final int size;
    private final int holdout;
    private final long seed;
    private final int from;
    private final int to;
    private final FashionMnist crops = FashionMnist.t10k();
    private final SceneRenderer renderer;
    private int[] cachedPermutation;
    private int cachedEpoch = -1;

    /**
     * @param imageSize side of the square images; objects are 3/8 to 7/8 of it (24-56 px at 64 px)
     * @param holdout   crops at the end of the pool reserved for validation
     */
    public FashionObjects(int imageSize, int holdout, long seed) {
        this.from = FashionScenes.T10K_RANGES[0][0];
        this.to = FashionScenes.T10K_RANGES[0][1];
        if (holdout < 1 || holdout >= (to - from) / 2) {
            throw new IllegalArgumentException("holdout must be in 1.." + ((to - from) / 2 - 1) + ", got " + holdout);
        }
        this.size = imageSize;
        this.holdout = holdout;
        this.seed = seed;
        FashionScenesConfig c = new FashionScenesConfig(imageSize, 1, 1, 1, 1, 1,
                Math.max(8, imageSize * 3 / 8), imageSize * 7 / 8, 1.0, seed, null);
        this.renderer = new SceneRenderer(c, new FashionScenery(imageSize,
                FashionScenes.TRAIN_PHOTOS.stream().map(FashionScenery.Photo::load).toList()));
    }

    public int imageSize() {
        return size;
    }

    /** Where the crops come from, e.g. {@code fashion-mnist t10k}. */
    public String cropSource() {
        return "fashion-mnist " + crops.name();
    }

    /** First crop index of the training crops. */
    public int trainFrom() {
        return from;
    }

    /** End (exclusive) of the training crops; the validation crops follow up to {@link #valTo()}. */
    public int trainTo() {
        return to - holdout;
    }

    public int valTo() {
        return to;
    }

    public int valImages() {
        return holdout;
    }

    /** The background photos images may show (the train scenes' photos). */
    public List<String> photos() {
        return FashionScenes.TRAIN_PHOTOS;
    }

    /** Training image {@code i} of {@code epoch}; past the number of crops, the permutation repeats. */
    public Image train(int epoch, int i) {
        int n = trainTo() - from;
        int[] perm = permutation(epoch);
        return render(Seeds.mix(seed, 0x7E7A1L, epoch, i), from + perm[i % n], from, trainTo());
    }

    /** Validation image {@code i} (one per held-out crop, the same every call). */
    public Image val(int i) {
        return render(Seeds.mix(seed, 0x7A1L, i), trainTo() + i, trainTo(), to);
    }

    private synchronized int[] permutation(int epoch) {
        if (epoch != cachedEpoch) {
            cachedPermutation = Seeds.permutation(trainTo() - from, Seeds.mix(seed, 0xC409L, epoch));
            cachedEpoch = epoch;
        }
        return cachedPermutation;
    }

    /** Renders {@code crop}; a blank crop (nothing to paste) falls through to the next one of its range. */
    private Image render(long imageSeed, int crop, int lo, int hi) {
        for (int k = 0; k < hi - lo; k++) {
            int c = lo + (crop - lo + k) % (hi - lo);
            SceneRenderer.Scene scene = renderer.render(imageSeed, crops, new int[] {c});
            if (!scene.objects().isEmpty()) {
                BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                img.getRaster().setDataElements(0, 0, size, size, scene.rgb());
                return new Image(img, scene.objects().get(0).label(), c, scene.background());
            }
        }
        throw new IllegalStateException("no pasteable crop in " + lo + ".." + hi);
    }
}
