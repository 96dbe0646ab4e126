package org.diredi.core.model;

import org.diredi.core.nn.Act;
import org.diredi.core.nn.Chain;
import org.diredi.core.nn.ConvNormAct;
import org.diredi.core.nn.MaxPool;
import org.diredi.core.nn.Residual;

/**
 * Bottleneck ResNet (He et al. 2016; stride on the 3x3 conv as in torchvision's v1.5). Depth and
 * width are configurable so the same code builds the paper's ResNet-101 / ResNet-50 and the scaled
 * CPU presets. C3, C4, C5 are the outputs of stages 2-4.
 */
public final class ResNetBackbone extends Backbone {

    private static final int EXPANSION = 4;

    public ResNetBackbone(int[] depths, int width) {
        stem(new Chain()
                .add("conv", ConvNormAct.builder(width, 7).stride(2).batchNorm().act(Act.RELU).build())
                .add("pool", new MaxPool()));
        int in = width;
        for (int s = 0; s < 4; s++) {
            int mid = width << s;
            int out = mid * EXPANSION;
            Chain stage = new Chain();
            for (int b = 0; b < depths[s]; b++) {
                int stride = (b == 0 && s > 0) ? 2 : 1;
                Chain main = new Chain()
                        .add("reduce", ConvNormAct.builder(mid, 1).batchNorm().act(Act.RELU).build())
                        .add("conv", ConvNormAct.builder(mid, 3).stride(stride).batchNorm().act(Act.RELU).build())
                        .add("expand", ConvNormAct.builder(out, 1).batchNorm().build());
                ConvNormAct shortcut = (stride != 1 || in != out)
                        ? ConvNormAct.builder(out, 1).stride(stride).batchNorm().build()
                        : null;
                stage.add("block" + b, new Residual(main, shortcut, Act.RELU));
                in = out;
            }
            stage(stage, s > 0 ? out : 0);
        }
    }
}
