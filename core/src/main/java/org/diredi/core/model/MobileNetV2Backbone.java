package org.diredi.core.model;

import org.diredi.core.nn.Act;
import org.diredi.core.nn.Chain;
import org.diredi.core.nn.ConvNormAct;
import org.diredi.core.nn.Residual;

/**
 * MobileNetV2 (Sandler et al. 2018), the FCOS-Lite backbone: inverted residuals with linear
 * bottlenecks and ReLU6. Width multiplier scales channels (rounded to multiples of 8 as in the
 * paper); depth multiplier scales block repeats. C3/C4/C5 are the outputs of the last blocks at
 * strides 8, 16 and 32 (the 32-, 96- and 320-channel stages at width 1.0).
 */
public final class MobileNetV2Backbone extends Backbone {

    // expansion t, channels c, repeats n, first stride s (Table 2 of the MobileNetV2 paper)
    private static final int[][] SETTINGS = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}
    };
    // C3 after setting 2 (stride 8), C4 after setting 4 (stride 16), C5 after setting 6 (stride 32)
    private static final int[] TAPS = {2, 4, 6};

    public MobileNetV2Backbone(float width, float depth) {
        int in = divisible(32 * width);
        stem(new Chain().add("conv", ConvNormAct.builder(in, 3).stride(2).batchNorm().act(Act.RELU6).build()));
        for (int i = 0; i < SETTINGS.length; i++) {
            int t = SETTINGS[i][0];
            int out = divisible(SETTINGS[i][1] * width);
            int n = Math.max(1, Math.round(SETTINGS[i][2] * depth));
            Chain stage = new Chain();
            for (int b = 0; b < n; b++) {
                int stride = b == 0 ? SETTINGS[i][3] : 1;
                int hidden = in * t;
                Chain main = new Chain();
                if (t != 1) {
                    main.add("expand", ConvNormAct.builder(hidden, 1).batchNorm().act(Act.RELU6).build());
                }
                main.add("depthwise", ConvNormAct.builder(hidden, 3).stride(stride).depthwise()
                                .batchNorm().act(Act.RELU6).build())
                        .add("project", ConvNormAct.builder(out, 1).batchNorm().build());
                // The residual connects only where shapes match; the block stays linear after the sum.
                stage.add("block" + b, stride == 1 && in == out ? new Residual(main, null, Act.NONE) : main);
                in = out;
            }
            stage(stage, i == TAPS[0] || i == TAPS[1] || i == TAPS[2] ? out : 0);
        }
    }

    /** Rounds channels to a multiple of 8, never below 90% of the target (MobileNet convention). */
    static int divisible(float v) {
        int r = Math.max(8, (int) (v + 4) / 8 * 8);
        return r < 0.9f * v ? r + 8 : r;
    }
}
