package org.diredi.bench.delta;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.DeltaEncoding;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.bench.report.Cells;
import org.diredi.vision.report.MarkdownTable;

/**
 * {@code diredi bench delta-forms}: one knowledge delta (Eq. 9 of two RD tutors) written in every form
 * (float32, float16, sparse at each density, int8, sparse-int8 at each density), each read back as the cloud reads it, applied to the
 * original tutor (Eq. 10) and evaluated: bytes, bytes against the tutor's, the error against float32, mAP and
 * the added class's AP.
 */
public final class DeltaFormsBenchmark {

    /** The models, data and settings ({@link UpdateProbe.Inputs}), the sparse densities and the results folder. */
    public record Settings(UpdateProbe.Inputs inputs, List<Double> densities, Path out) {}

    /** One form's row. */
    public record Row(String form, long bytes, double vsTutor, double relativeError, double map, double addedAp) {}

    private DeltaFormsBenchmark() {}

    /** Runs every form and writes results.md / results.json into {@code out}; returns the Markdown. */
    public static String run(Settings s) throws IOException {
        UpdateProbe probe = new UpdateProbe(s.inputs());
        Path dir = s.out().resolve("deltas");
        Files.createDirectories(dir);
        List<TensorFile.Tensor> dw = probe.difference();
        long tutorBytes = probe.tutorBytes(dir);
        List<DeltaEncoding> forms = new ArrayList<>(List.of(DeltaEncoding.FLOAT32, DeltaEncoding.FLOAT16));
        s.densities().forEach(d -> forms.add(DeltaEncoding.sparse(d)));
        forms.add(DeltaEncoding.INT8);
        s.densities().forEach(d -> forms.add(DeltaEncoding.sparseInt8(d)));
        List<UpdateProbe.Measured> measured = new ArrayList<>(List.of(probe.before()));
        List<Row> rows = new ArrayList<>();
        for (DeltaEncoding e : forms) {
            String name = e.form().id() + (e.sparseDensity() == null ? "" : " " + e.sparseDensity());
            Path file = dir.resolve(name.replace(' ', '-') + ".delta");
            KnowledgeDelta written = KnowledgeDelta.write(file, probe.manifest("bench delta-forms"), dw, e);
            UpdateProbe.Measured m = probe.apply(name, file, dir.resolve(name.replace(' ', '-') + ".ckpt"));
            System.out.printf("delta-forms: %-14s %,12d bytes  mAP %.4f%n", name, m.bytes(), m.map());
            measured.add(m);
            rows.add(new Row(name, m.bytes(), m.bytes() / (double) tutorBytes, relativeError(written.tensors(), dw),
                    m.map(), probe.addedAp(m)));
        }
        String md = UpdateProbe.write(s.out(), "Knowledge delta forms", table(rows, probe.addedAp(measured.get(0)),
                measured.get(0).map()), measured, settings(s, tutorBytes, dw), rows);
        System.out.print(md);
        return md;
    }

    /** |dW' - dW| / |dW| over all values. */
    static double relativeError(List<TensorFile.Tensor> stored, List<TensorFile.Tensor> exact) {
        double num = 0;
        Map<String, TensorFile.Tensor> byName = TensorFile.byName(stored);
        for (TensorFile.Tensor t : exact) {
            float[] a = t.data();
            float[] b = byName.get(t.name()).data();
            for (int i = 0; i < a.length; i++) {
                num += (double) (a[i] - b[i]) * (a[i] - b[i]);
            }
        }
        return Math.sqrt(num) / Math.max(KnowledgeDelta.l2Norm(exact), Double.MIN_NORMAL);
    }

    private static String table(List<Row> rows, double addedBefore, double mapBefore) {
        MarkdownTable t = new MarkdownTable("form", "bytes", "x tutor bytes", "|dW' - dW| / |dW|", "mAP@0.5",
                "added-class AP");
        t.row("tutor (before)", "-", "-", "-", String.format("%.4f", mapBefore), Cells.number("%.4f", addedBefore));
        for (Row r : rows) {
            t.row(r.form(), String.format("%,d", r.bytes()), String.format("%.4fx", r.vsTutor()),
                    String.format("%.2g", r.relativeError()), String.format("%.4f", r.map()),
                    Cells.number("%.4f", r.addedAp()));
        }
        return t.toString();
    }

    private static String settings(Settings s, long tutorBytes, List<TensorFile.Tensor> dw) {
        UpdateProbe.Inputs in = s.inputs();
        return String.format("Tutor %s (%,d bytes as a weights-only checkpoint); dW = tutor2 - %s tutor1 over neck + head"
                        + " (%s, %s; %d tensors, %,d values, |dW| = %.4g); Eq. 10 with lambda %s; %s split of %s;"
                        + " added %s. Every delta is read back through KnowledgeDelta.read, as the cloud reads it.",
                in.tutor(), tutorBytes, in.gamma(), in.tutor2(), in.tutor1(), dw.size(),
                dw.stream().mapToLong(t -> t.data().length).sum(), KnowledgeDelta.l2Norm(dw), in.lambda(), in.split(),
                in.data(), in.added());
    }
}
