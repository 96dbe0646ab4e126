package org.diredi.core.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * The one convolution layer of the project: a 2-D convolution, then an optional batch or group
 * norm, then an activation. Parameters are named {@code weight}, {@code bias}, {@code gamma},
 * {@code beta}, {@code runningMean}, {@code runningVar}, so a full name reads like
 * {@code 02neck_01lateral0_weight}. Keeping conv + norm in one block lets the exporter fold batch
 * norm into the convolution and map each layer to one ONNX Conv.
 */
public final class ConvNormAct extends AbstractBlock {

    private static final float BN_MOMENTUM = 0.9f; // DJL convention: running = 0.9 running + 0.1 batch
    private static final float EPS = 1e-5f;

    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int groups;
    private final Norm norm;
    private final int normGroups;
    private final Act act;

    private final Parameter weight;
    private final Parameter bias;
    private Parameter gamma;
    private Parameter beta;
    private Parameter runningMean;
    private Parameter runningVar;

    private ConvNormAct(Builder b) {
        this.outChannels = b.out;
        this.kernel = b.kernel;
        this.stride = b.stride;
        this.groups = b.groups;
        this.norm = b.norm;
        this.normGroups = b.normGroups;
        this.act = b.act;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build());
        // A bias before batch norm is redundant (BN's beta absorbs it); group norm keeps none either.
        bias = norm == Norm.NONE
                ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).build())
                : null;
        if (norm != Norm.NONE) {
            gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                    .optShape(new Shape(outChannels)).build());
            beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                    .optShape(new Shape(outChannels)).build());
        }
        if (norm == Norm.BATCH) {
            runningMean = addParameter(Parameter.builder().setName("runningMean")
                    .setType(Parameter.Type.RUNNING_MEAN).optRequiresGrad(false)
                    .optShape(new Shape(outChannels)).build());
            runningVar = addParameter(Parameter.builder().setName("runningVar")
                    .setType(Parameter.Type.RUNNING_VAR).optRequiresGrad(false)
                    .optShape(new Shape(outChannels)).build());
        }
        if (norm == Norm.GROUP && outChannels % normGroups != 0) {
            throw new IllegalArgumentException(
                    "group norm: " + outChannels + " channels do not split into " + normGroups + " groups");
        }
    }

    public static Builder builder(int outChannels, int kernel) {
        return new Builder(outChannels, kernel);
    }

    /** Overrides the weight initializer (FCOS head layers use N(0, 0.01)). */
    public ConvNormAct initWeight(Initializer init) {
        weight.setInitializer(init);
        return this;
    }

    /** Sets a constant bias (the classification prior of FCOS, -log((1 - p) / p)). */
    public ConvNormAct initBias(float value) {
        if (bias == null) {
            throw new IllegalStateException("this layer has no bias");
        }
        bias.setInitializer(new ConstantInitializer(value));
        return this;
    }

    public int outChannels() {
        return outChannels;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int groups() {
        return groups;
    }

    public Norm norm() {
        return norm;
    }

    public int normGroups() {
        return normGroups;
    }

    public Act act() {
        return act;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }

    public Parameter runningMean() {
        return runningMean;
    }

    public Parameter runningVar() {
        return runningVar;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Device d = x.getDevice();
        NDArray w = ps.getValue(weight, d, training);
        NDArray b = bias == null ? null : ps.getValue(bias, d, training);
        int pad = kernel / 2;
        NDArray y = Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(pad, pad),
                new Shape(1, 1), groups).singletonOrThrow();
        Shape ys = y.getShape();
        FlopCounter.add(2L * ys.size() / ys.get(0) * (w.getShape().get(1) * kernel * kernel));
        if (norm == Norm.BATCH) {
            // axis -1 takes DJL's direct path to torch.batch_norm (channel axis 1 for NCHW).
            y = BatchNorm.batchNorm(y, ps.getValue(runningMean, d, training),
                    ps.getValue(runningVar, d, training), ps.getValue(gamma, d, training),
                    ps.getValue(beta, d, training), -1, BN_MOMENTUM, EPS, training).singletonOrThrow();
        } else if (norm == Norm.GROUP) {
            y = groupNorm(y, normGroups, ps.getValue(gamma, d, training), ps.getValue(beta, d, training));
        }
        return new NDList(act.apply(y));
    }

    /**
     * Group normalisation (Wu and He, 2018), which DJL lacks: statistics over each group of
     * channels and all pixels, per sample, then a per-channel affine. Reshapes to (N, G, -1) because
     * DJL's mean over several axes is unreliable.
     */
    public static NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        NDArray r = x.reshape(n, groups, -1);
        NDArray centred = r.sub(r.mean(new int[] {2}, true));
        NDArray var = centred.square().mean(new int[] {2}, true);
        NDArray y = centred.div(var.add(EPS).sqrt()).reshape(s);
        // Reshaped parameters would otherwise belong to the model manager and leak every step.
        NDArray g = gamma.reshape(1, c, 1, 1);
        NDArray b = beta.reshape(1, c, 1, 1);
        g.attach(x.getManager());
        b.attach(x.getManager());
        return y.mul(g).add(b);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        int pad = kernel / 2;
        long h = (in.get(2) + 2L * pad - kernel) / stride + 1;
        long w = (in.get(3) + 2L * pad - kernel) / stride + 1;
        return new Shape[] {new Shape(in.get(0), outChannels, h, w)};
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        long inChannels = inputShapes[0].get(1);
        if (inChannels % groups != 0) {
            throw new IllegalArgumentException(
                    "convolution: " + inChannels + " input channels do not split into " + groups + " groups");
        }
        weight.setShape(new Shape(outChannels, inChannels / groups, kernel, kernel));
        if (bias != null) {
            bias.setShape(new Shape(outChannels));
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no children
    }

    /** Builder: kernel size, output channels, stride, groups, norm and activation. */
    public static final class Builder {
        private final int out;
        private final int kernel;
        private int stride = 1;
        private int groups = 1;
        private Norm norm = Norm.NONE;
        private int normGroups = 32;
        private Act act = Act.NONE;

        private Builder(int out, int kernel) {
            this.out = out;
            this.kernel = kernel;
        }

        public Builder stride(int s) {
            stride = s;
            return this;
        }

        public Builder groups(int g) {
            groups = g;
            return this;
        }

        /** Depthwise convolution: one group per channel (input channels = output channels). */
        public Builder depthwise() {
            groups = out;
            return this;
        }

        public Builder batchNorm() {
            norm = Norm.BATCH;
            return this;
        }

        public Builder groupNorm(int g) {
            norm = Norm.GROUP;
            normGroups = g;
            return this;
        }

        public Builder act(Act a) {
            act = a;
            return this;
        }

        public ConvNormAct build() {
            return new ConvNormAct(this);
        }
    }
}
