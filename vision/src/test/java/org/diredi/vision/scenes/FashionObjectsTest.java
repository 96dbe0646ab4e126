package org.diredi.vision.scenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Pretraining images come from the train scenes' crops and photos only, and are reproducible. */
class FashionObjectsTest {

    private static int[] pixels(FashionObjects.Image im) {
        return im.image().getRGB(0, 0, im.image().getWidth(), im.image().getHeight(), null, 0, im.image().getWidth());
    }

    @Test
    void usesOnlyTheTrainPoolAndTrainPhotosWithAHeldOutTail() {
        FashionObjects d = new FashionObjects(64, 500, 11);
        int[] train = FashionScenes.T10K_RANGES[0];
        assertEquals(train[0], d.trainFrom());
        assertEquals(train[1] - 500, d.trainTo());
        assertEquals(train[1], d.valTo());
        Set<Integer> trainCrops = new HashSet<>();
        Set<String> backgrounds = new HashSet<>();
        FashionMnist t10k = FashionMnist.t10k();
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int i = 0; i < 400; i++) {
                FashionObjects.Image im = d.train(epoch, i);
                assertTrue(im.cropIndex() >= d.trainFrom() && im.cropIndex() < d.trainTo(), "crop " + im.cropIndex());
                assertEquals(t10k.label(im.cropIndex()), im.label());
                assertEquals(64, im.image().getWidth());
                trainCrops.add(im.cropIndex());
                backgrounds.add(im.background());
            }
        }
        for (int i = 0; i < d.valImages(); i++) {
            FashionObjects.Image im = d.val(i);
            assertTrue(im.cropIndex() >= d.trainTo() && im.cropIndex() < d.valTo(), "val crop " + im.cropIndex());
            assertFalse(trainCrops.contains(im.cropIndex()));
            backgrounds.add(im.background());
        }
        // Two epochs of 400 deal mostly different crops; every background is a train photo or procedural.
        assertTrue(trainCrops.size() > 700, "distinct crops " + trainCrops.size());
        for (String b : backgrounds) {
            assertTrue(b.startsWith("procedural:")
                    || FashionScenes.TRAIN_PHOTOS.contains(b.substring("photo:".length())), b);
            assertFalse(FashionScenes.EVAL_PHOTOS.stream().anyMatch(b::endsWith), b);
        }
        assertTrue(backgrounds.stream().anyMatch(b -> b.startsWith("photo:")), "no photo backgrounds");
    }

    @Test
    void isAPureFunctionOfSeedEpochAndIndex() {
        FashionObjects a = new FashionObjects(64, 100, 5);
        FashionObjects b = new FashionObjects(64, 100, 5);
        assertArrayEquals(pixels(a.train(1, 7)), pixels(b.train(1, 7)));
        assertArrayEquals(pixels(a.val(3)), pixels(b.val(3)));
        assertNotEquals(a.train(0, 7).cropIndex() * 31 + a.train(0, 8).cropIndex(),
                a.train(1, 7).cropIndex() * 31 + a.train(1, 8).cropIndex(), "epochs deal the same crops");
        assertFalse(java.util.Arrays.equals(pixels(a.train(0, 7)), pixels(new FashionObjects(64, 100, 6).train(0, 7))));
    }
}
