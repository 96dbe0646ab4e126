package org.diredi.export;

import org.diredi.inference.OnnxModel;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.model.Backbone;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.FcosHead;
import org.diredi.core.model.Fpn;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Pyramid;
import org.diredi.core.nn.Act;
import org.diredi.core.nn.Chain;
import org.diredi.core.nn.ConvNormAct;
import org.diredi.core.nn.MaxPool;
import org.diredi.core.nn.Norm;
import org.diredi.core.nn.Residual;
import org.diredi.core.provenance.Provenance;
import org.diredi.vision.image.Preprocess;
import org.diredi.vision.io.AtomicFiles;

/**
 * Writes an {@link FcosDetector} as an FP32 ONNX model with one static input {@code images}
 * (1, 3, S, S) and the detector's first three outputs, {@code cls_logits} (1, L, C),
 * {@code box_distances} (1, L, 4) and {@code centerness} (1, L), exactly as DJL computes them
 * (the neck features are training-only and left out). Post-processing (sigmoid, boxes, NMS) stays
 * on the host, in the shared {@code FcosDecoder}.
 *
 * <p>Only operators every target handles are used: batch norm is folded into the preceding
 * convolution; group norm (ONNX's GroupNormalization needs opset 18, TensorRT 8.2 stops at 13) is
 * written out as Reshape / ReduceMean / Sub / Mul / ReduceMean / Add / Sqrt / Div / Reshape / Mul /
 * Add in DJL's order of operations; ReLU6 is Clip with initializer bounds (what TensorRT
 * requires); FPN upsampling is Resize nearest with asymmetric coordinates and floor rounding, which
 * is what libtorch's nearest interpolation does.
 */
public final class OnnxExporter {

    public static final int DEFAULT_OPSET = 13;
    public static final int MIN_OPSET = 11;
    public static final int MAX_OPSET = 21;
    public static final String INPUT = OnnxModel.INPUT;
    public static final String CLS = OnnxModel.CLS;
    public static final String BOX = OnnxModel.BOX;
    public static final String CENTERNESS = OnnxModel.CENTERNESS;
    public static final String PRODUCER = "diredi";
    public static final String PRODUCER_VERSION = "0.1.0";

    private static final double BN_EPS = 1e-5; // ConvNormAct's batch-norm epsilon
    private static final float GN_EPS = 1e-5f; // ConvNormAct.groupNorm's epsilon

    private final FcosDetector model;
    private final int opset;
    private final OnnxGraph g;
    private final Map<Block, String> paths = new IdentityHashMap<>();
    private final Map<ConvNormAct, String[]> convWeights = new IdentityHashMap<>();
    private final Map<ConvNormAct, String[]> gnAffine = new IdentityHashMap<>();
    private int folded;

    private OnnxExporter(FcosDetector model, int opset) {
        this.model = model;
        this.opset = opset;
        this.g = new OnnxGraph("fcos_" + model.config().name().replaceAll("[^A-Za-z0-9]", "_"));
        index(model, "");
    }

    /** An exported model in memory: the serialised ONNX file and what the manifest needs. */
    public record Exported(byte[] onnx, int opset, long irVersion, int foldedBatchNorms, Map<String, Integer> operators) {}

    /**
     * Builds the ONNX model of {@code model} at {@code opset} (11 to 21). The model is read, never
     * changed; {@code checkpointId} (may be null) is recorded in the ONNX metadata.
     */
    public static Exported toOnnx(FcosDetector model, int opset, String checkpointId) {
        requireOpset(opset);
        OnnxExporter e = new OnnxExporter(model, opset);
        e.build();
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(irVersion(opset))
                .setProducerName(PRODUCER)
                .setProducerVersion(PRODUCER_VERSION)
                .setDomain("org.diredi")
                .setModelVersion(1)
                .setDocString("DiReDi FCOS detector " + model.config() + "; outputs as FcosDetector outputs 0-2,"
                        + " decode with FcosDecoder (NMS on the host)")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(e.g.proto());
        // Metadata lets a runtime that only has the .onnx file decode it (ORT reads it back).
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("diredi.preset", model.config().name());
        meta.put("diredi.classes", String.join(",", model.classes().names()));
        meta.put("diredi.input_size", Integer.toString(model.config().inputSize()));
        meta.put("diredi.strides", IntStream.of(ModelConfig.STRIDES).mapToObj(Integer::toString)
                .collect(Collectors.joining(",")));
        meta.put("diredi.mean", floats3(Preprocess::mean));
        meta.put("diredi.std", floats3(Preprocess::std));
        if (checkpointId != null) {
            meta.put("diredi.checkpoint_id", checkpointId);
        }
        meta.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return new Exported(m.build().toByteArray(), opset, irVersion(opset), e.folded, e.g.opCounts());
    }

    /**
     * Reads a checkpoint and exports it to {@code out} (atomically) plus its manifest
     * ({@link ExportManifest#pathFor}). A missing, truncated or tampered checkpoint raises the
     * checkpoint's own error, which names the file.
     */
    public static ExportManifest export(Path checkpoint, Path out, int opset) {
        requireOpset(opset);
        Checkpoint ck = Checkpoint.read(checkpoint);
        try (NDManager manager = NDManager.newBaseManager()) {
            FcosDetector d = ck.toModel(manager);
            ExportManifest m = export(d, out, opset, new ExportManifest.Source(ck.manifest().id(),
                    checkpoint.toAbsolutePath().toString(), ck.manifest().role()));
            return withProvenance(out, m, List.of(ck.manifest().asParent("exported from")), Map.of());
        }
    }

    /**
     * Rewrites the manifest of {@code onnx} with its provenance: the export's settings (precision, opset,
     * preset, and {@code settings}: the device profile, ...) and {@code parents}.
     */
    public static ExportManifest withProvenance(Path onnx, ExportManifest m, List<Provenance.Parent> parents,
                                                Map<String, String> settings) {
        Map<String, String> s = new java.util.LinkedHashMap<>(Map.of("precision", m.precision(),
                "opset", Integer.toString(m.opset()), "preset", m.preset()));
        s.putAll(settings);
        ExportManifest full = m.withProvenance(Provenance.of("export", m.checkpoint() == null ? "model"
                : m.checkpoint().role(), List.of(), s, parents).identified(m.onnxSha256(), m.created()));
        try {
            AtomicFiles.writeJson(ExportManifest.pathFor(onnx), full);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + ExportManifest.pathFor(onnx) + ": " + e.getMessage(), e);
        }
        return full;
    }

    /** Exports a model held in memory; {@code source} (may be null) names the checkpoint it came from. */
    public static ExportManifest export(FcosDetector model, Path out, int opset, ExportManifest.Source source) {
        Exported x = toOnnx(model, opset, source == null ? null : source.id());
        int s = model.config().inputSize();
        int c = model.classes().size();
        long locations = 0;
        for (int stride : ModelConfig.STRIDES) {
            long side = (s + stride - 1) / stride;
            locations += side * side;
        }
        ExportManifest m = new ExportManifest(ExportManifest.FORMAT, Instant.now().toString(),
                out.getFileName().toString(), sha256(x.onnx()), x.onnx().length, "fp32", x.opset(), x.irVersion(),
                source, model.config().name(), model.config(), model.classes().names(), s,
                new ExportManifest.Tensor(INPUT, List.of(1L, 3L, (long) s, (long) s),
                        "RGB image, channel-first, normalised (see normalisation)"),
                List.of(new ExportManifest.Tensor(CLS, List.of(1L, locations, (long) c),
                                "class logits per location and class (sigmoid gives the probability)"),
                        new ExportManifest.Tensor(BOX, List.of(1L, locations, 4L),
                                "distances l, t, r, b from the location to the box sides, in input pixels"),
                        new ExportManifest.Tensor(CENTERNESS, List.of(1L, locations),
                                "center-ness logit per location")),
                IntStream.of(ModelConfig.STRIDES).boxed().toList(),
                new ExportManifest.Normalisation("NCHW, RGB", "bilinear, whole image to input size, no letterbox",
                        1f / 255f, List.of(Preprocess.mean(0), Preprocess.mean(1), Preprocess.mean(2)),
                        List.of(Preprocess.std(0), Preprocess.std(1), Preprocess.std(2))),
                "locations: every cell of P3, P4, P5 (strides as listed) row-major, at (j*s + s/2, i*s + s/2);"
                        + " score = sqrt(sigmoid(cls) * sigmoid(centerness)); box = (x - l, y - t, x + r, y + b);"
                        + " class-wise NMS IoU 0.6 on the host (FcosDecoder)",
                x.foldedBatchNorms(), x.operators());
        try {
            // The model first: a manifest must never describe a file that is not there.
            AtomicFiles.writeBytes(out, x.onnx());
            AtomicFiles.writeJson(ExportManifest.pathFor(out), m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        return m;
    }

    /** ONNX IR version that goes with an opset (the release that introduced the opset). */
    static long irVersion(int opset) {
        if (opset <= 11) {
            return 6;
        }
        if (opset <= 14) {
            return 7;
        }
        if (opset <= 18) {
            return 8;
        }
        if (opset <= 20) {
            return 9;
        }
        return 10;
    }

    private static void requireOpset(int opset) {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new ExportException("opset " + opset + " is not supported: the exporter writes opsets "
                    + MIN_OPSET + " to " + MAX_OPSET + " (Clip takes its bounds as inputs from 11 on)");
        }
    }

    // ---- the graph -------------------------------------------------------------------------

    /** Full parameter-name prefix of every block, as DJL builds names ({@code 02neck_01lateral0}). */
    private void index(Block b, String path) {
        paths.put(b, path);
        for (Pair<String, Block> c : b.getChildren()) {
            index(c.getValue(), path.isEmpty() ? c.getKey() : path + "_" + c.getKey());
        }
    }

    private void build() {
        int s = model.config().inputSize();
        g.input(INPUT, 1, 3, s, s);
        String[] c = backbone(model.backbone(), INPUT);
        String[] p = neck(model.neck(), c);
        head(model.head(), p);
        g.output(CLS, "class logits (1, L, C); L = locations of P3, P4, P5 in order, row-major");
        g.output(BOX, "box distances l, t, r, b in input pixels (1, L, 4): relu(scale * x) * stride");
        g.output(CENTERNESS, "center-ness logits (1, L)");
    }

    private String[] backbone(Backbone b, String x) {
        List<Pair<String, Block>> children = b.getChildren().stream().toList();
        // First child is the stem, the rest are stages. The backbone does not expose which stages
        // feed C3-C5; they are the last stage at each of strides 8, 16, 32 (true for ResNet and
        // MobileNetV2), which the channel counts then confirm.
        String[] taps = new String[Pyramid.levels()];
        long input = g.shape(x)[2];
        for (Pair<String, Block> c : children) {
            x = block(c.getValue(), x, "");
            long stride = input / g.shape(x)[2];
            for (int l = 0; l < taps.length; l++) {
                if (stride == ModelConfig.STRIDES[l]) {
                    taps[l] = x;
                }
            }
        }
        int[] want = b.outChannels();
        for (int l = 0; l < taps.length; l++) {
            if (taps[l] == null || g.shape(taps[l])[1] != want[l]) {
                throw new ExportException("cannot find backbone output C" + Pyramid.number(l) + " (stride "
                        + ModelConfig.STRIDES[l] + ", " + want[l] + " channels) in " + model.config());
            }
        }
        return taps;
    }

    private String[] neck(Fpn fpn, String[] c) {
        int n = fpn.levels();
        String[] lat = new String[n];
        for (int i = 0; i < n; i++) {
            lat[i] = conv(fpn.lateral(i), c[i], "");
        }
        String[] merged = new String[n];
        merged[n - 1] = lat[n - 1];
        for (int i = n - 2; i >= 0; i--) {
            String up = upsample(merged[i + 1], g.shape(lat[i]), paths.get(fpn) + "_up" + (i + 1));
            merged[i] = g.node("Add", paths.get(fpn) + "_merge" + i, g.shape(lat[i]), new String[] {lat[i], up});
        }
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = conv(fpn.output(i), merged[i], "");
        }
        return out;
    }

    private String upsample(String x, long[] target, String name) {
        long[] s = g.shape(x);
        long[] outShape = {s[0], s[1], target[2], target[3]};
        String sizes = g.int64s("sizes_" + target[2] + "x" + target[3], outShape);
        String[] inputs = opset >= 13
                ? new String[] {x, "", "", sizes}
                // Resize-11 has no optional roi / scales: empty tensors mean "use sizes".
                : new String[] {x, g.empty("resize_no_roi"), g.empty("resize_no_scales"), sizes};
        return g.node("Resize", name, outShape, inputs, "mode", "nearest",
                "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor");
    }

    private void head(FcosHead h, String[] p) {
        String base = paths.get(h);
        List<String> cls = new ArrayList<>();
        List<String> box = new ArrayList<>();
        List<String> ctr = new ArrayList<>();
        int numClasses = h.numClasses();
        for (int l = 0; l < p.length; l++) {
            String lvl = "@P" + Pyramid.number(l);
            long[] ps = g.shape(p[l]);
            long hw = ps[2] * ps[3];
            String ct = h.clsTower(l).size() == 0 ? p[l] : block(h.clsTower(l), p[l], lvl);
            String bt = h.boxTower(l).size() == 0 ? p[l] : block(h.boxTower(l), p[l], lvl);

            String logits = conv(h.clsLogits(), ct, lvl);
            cls.add(flatten(logits, numClasses, base + "_cls" + lvl));

            // relu(raw * scale) * stride, in DJL's order
            String raw = conv(h.boxPred(), bt, lvl);
            String scale = g.floats(base + "_scale" + l, h.scale(l).getArray().toFloatArray(), 1);
            String scaled = g.node("Mul", base + "_boxScale" + lvl, g.shape(raw), new String[] {raw, scale});
            String relu = g.node("Relu", base + "_boxRelu" + lvl, g.shape(raw), new String[] {scaled});
            String px = g.node("Mul", base + "_boxStride" + lvl, g.shape(raw),
                    new String[] {relu, g.scalar(ModelConfig.STRIDES[l])});
            box.add(flatten(px, 4, base + "_box" + lvl));

            // (1, 1, H, W) holds the same numbers as (1, H*W): one Reshape, no Transpose.
            String c = conv(h.centerness(), bt, lvl);
            ctr.add(g.node("Reshape", base + "_ctr" + lvl + "_flat", new long[] {1, hw},
                    new String[] {c, g.int64s("shape_1x" + hw, 1, hw)}));
        }
        concat(cls, CLS);
        concat(box, BOX);
        concat(ctr, CENTERNESS);
    }

    /** (1, K, H, W) -> (1, H*W, K): Transpose(0, 2, 3, 1) then Reshape, as FcosHead.flatten. */
    private String flatten(String x, int k, String name) {
        long[] s = g.shape(x);
        String t = g.node("Transpose", name + "_nhwc", new long[] {s[0], s[2], s[3], s[1]}, new String[] {x},
                "perm", new long[] {0, 2, 3, 1});
        long hw = s[2] * s[3];
        return g.node("Reshape", name + "_flat", new long[] {1, hw, k},
                new String[] {t, g.int64s("shape_1x" + hw + "x" + k, 1, hw, k)});
    }

    private void concat(List<String> parts, String name) {
        long[] s = g.shape(parts.get(0));
        long total = 0;
        for (String p : parts) {
            total += g.shape(p)[1];
        }
        s[1] = total;
        String out = g.node("Concat", name, s, parts.toArray(String[]::new), "axis", 1L);
        if (!out.equals(name)) {
            throw new IllegalStateException("output name " + name + " was taken by another tensor");
        }
    }

    /** Any block of the backbone or head towers; {@code suffix} tells shared-weight calls apart. */
    private String block(Block b, String x, String suffix) {
        if (b instanceof ConvNormAct c) {
            return conv(c, x, suffix);
        }
        if (b instanceof Chain chain) {
            for (Pair<String, Block> c : chain.getChildren()) {
                x = block(c.getValue(), x, suffix);
            }
            return x;
        }
        if (b instanceof Residual r) {
            String y = block(r.main(), x, suffix);
            String s = r.shortcut() == null ? x : block(r.shortcut(), x, suffix);
            String sum = g.node("Add", paths.get(r) + "_add" + suffix, g.shape(y), new String[] {y, s});
            return act(r.act(), sum, paths.get(r) + suffix);
        }
        if (b instanceof MaxPool) {
            long[] s = g.shape(x);
            long[] o = {s[0], s[1], (s[2] - 1) / 2 + 1, (s[3] - 1) / 2 + 1};
            return g.node("MaxPool", paths.get(b) + suffix, o, new String[] {x},
                    "kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1});
        }
        // A block the exporter does not know would otherwise be silently dropped.
        throw new ExportException("cannot export block " + paths.get(b) + " of type " + b.getClass().getSimpleName());
    }

    /** Conv (+ folded batch norm | + group norm) + activation. */
    private String conv(ConvNormAct c, String x, String suffix) {
        String name = paths.get(c);
        long[] in = g.shape(x);
        int k = c.kernel();
        int pad = k / 2;
        long h = (in[2] + 2L * pad - k) / c.stride() + 1;
        long w = (in[3] + 2L * pad - k) / c.stride() + 1;
        long[] out = {in[0], c.outChannels(), h, w};
        String[] wb = convWeights.computeIfAbsent(c, this::weights);
        String[] inputs = wb[1] == null ? new String[] {x, wb[0]} : new String[] {x, wb[0], wb[1]};
        String y = g.node("Conv", name + suffix, out, inputs,
                "kernel_shape", new long[] {k, k}, "strides", new long[] {c.stride(), c.stride()},
                "pads", new long[] {pad, pad, pad, pad}, "dilations", new long[] {1, 1}, "group", (long) c.groups());
        if (c.norm() == Norm.GROUP) {
            y = groupNorm(c, y, name + suffix);
        }
        return act(c.act(), y, name + suffix);
    }

    /** Conv weight and bias initializers; batch norm folded in (computed in double). */
    private String[] weights(ConvNormAct c) {
        String name = paths.get(c);
        float[] w = c.weight().getArray().toFloatArray();
        long[] dims = c.weight().getArray().getShape().getShape();
        if (c.norm() != Norm.BATCH) {
            String wn = g.floats(name + "_weight", w, dims);
            String bn = c.bias() == null ? null : g.floats(name + "_bias", c.bias().getArray().toFloatArray(),
                    c.outChannels());
            return new String[] {wn, bn};
        }
        float[] gamma = values(c.gamma());
        float[] beta = values(c.beta());
        float[] mean = values(c.runningMean());
        float[] var = values(c.runningVar());
        int outC = c.outChannels();
        int per = w.length / outC;
        float[] fw = new float[w.length];
        float[] fb = new float[outC];
        for (int o = 0; o < outC; o++) {
            // w' = w * gamma / sqrt(var + eps); b' = beta - mean * gamma / sqrt(var + eps)
            double f = gamma[o] / Math.sqrt(var[o] + BN_EPS);
            for (int i = 0; i < per; i++) {
                fw[o * per + i] = (float) (w[o * per + i] * f);
            }
            fb[o] = (float) (beta[o] - mean[o] * f);
        }
        folded++;
        return new String[] {g.floats(name + "_weight_bnfolded", fw, dims), g.floats(name + "_bias_bnfolded", fb, outC)};
    }

    private static float[] values(Parameter p) {
        return p.getArray().toFloatArray();
    }

    /** GroupNorm in basic operators, in the order ConvNormAct.groupNorm computes it. */
    private String groupNorm(ConvNormAct c, String x, String name) {
        long[] s = g.shape(x);
        int groups = c.normGroups();
        long per = s[1] / groups * s[2] * s[3];
        long[] grouped = {s[0], groups, per};
        long[] stat = {s[0], groups, 1};
        String r = g.node("Reshape", name + "_gn_group", grouped,
                new String[] {x, g.int64s("shape_" + s[0] + "x" + groups + "x" + per, grouped)});
        String mean = reduceMean(r, name + "_gn_mean", stat);
        String centred = g.node("Sub", name + "_gn_centre", grouped, new String[] {r, mean});
        String sq = g.node("Mul", name + "_gn_square", grouped, new String[] {centred, centred});
        String var = reduceMean(sq, name + "_gn_var", stat);
        String ve = g.node("Add", name + "_gn_var_eps", stat, new String[] {var, g.scalar(GN_EPS)});
        String sd = g.node("Sqrt", name + "_gn_std", stat, new String[] {ve});
        String norm = g.node("Div", name + "_gn_norm", grouped, new String[] {centred, sd});
        String back = g.node("Reshape", name + "_gn_ungroup", s,
                new String[] {norm, g.int64s("shape_" + s[0] + "x" + s[1] + "x" + s[2] + "x" + s[3], s)});
        String[] affine = gnAffine.computeIfAbsent(c, cc -> new String[] {
            g.floats(paths.get(cc) + "_gamma", values(cc.gamma()), 1, cc.outChannels(), 1, 1),
            g.floats(paths.get(cc) + "_beta", values(cc.beta()), 1, cc.outChannels(), 1, 1)});
        String scaled = g.node("Mul", name + "_gn_gamma", s, new String[] {back, affine[0]});
        return g.node("Add", name + "_gn_beta", s, new String[] {scaled, affine[1]});
    }

    private String reduceMean(String x, String name, long[] outShape) {
        if (opset >= 18) { // axes became an input in opset 18
            return g.node("ReduceMean", name, outShape, new String[] {x, g.int64s("axes_2", 2)}, "keepdims", 1L);
        }
        return g.node("ReduceMean", name, outShape, new String[] {x}, "axes", new long[] {2}, "keepdims", 1L);
    }

    private String act(Act a, String x, String name) {
        return switch (a) {
            case NONE -> x;
            case RELU -> g.node("Relu", name + "_relu", g.shape(x), new String[] {x});
            case RELU6 -> g.node("Clip", name + "_relu6", g.shape(x), new String[] {x, g.scalar(0f), g.scalar(6f)});
        };
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String floats3(java.util.function.IntFunction<Float> f) {
        return f.apply(0) + "," + f.apply(1) + "," + f.apply(2);
    }
}
