package org.diredi.workflow.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.pretrain.BackboneFile;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.export.ExportManifest;
import org.diredi.export.DeviceExport;
import org.diredi.profiles.Profiles;

/**
 * The manufacturer before any customer: a tutor trained on the presumed classes and the edge model
 * distilled from it (Distill B, FGD), both cached stages, and edge model v0 exported for the cameras.
 * With the default settings both come from the bundle ({@link BundledModels}) unless the run asks to
 * train them from scratch.
 */
final class ManufacturerStages {

    /**
     * The checkpoints the manufacturer ships: the tutor (base of every delta) and the edge model v0.
     *
     * @param origin where they came from, for the report: "bundled (DIR)" or "trained"
     */
    record Models(Path tutor, Path edge, String origin) {

        Models(Path tutor, Path edge) {
            this(tutor, edge, "trained");
        }
    }

    private ManufacturerStages() {}

    /**
     * The bundled models when they were made with this run's recipe and the run does not ask to train,
     * else the trained ones; the clock gets the tutor and Distill B stages either way.
     */
    static Models obtain(DemoSettings s, DemoData data, StageClock clock, PrintStream out) throws IOException {
        if (!s.fromScratch() && s.writeBundle() == null) {
            BundledModels.Found b = BundledModels.find(s.bundled(), BundledModels.Recipe.of(s, data));
            if (b.models() != null) {
                out.println("manufacturer: bundled tutor and edge model v0 from " + s.bundled()
                        + " (made with these settings; --from-scratch trains them)");
                clock.lap("tutor", "bundled: " + b.models().tutor());
                clock.lap("Distill B", "bundled: " + b.models().edge());
                return new Models(b.models().tutor(), b.models().edge(), "bundled (" + s.bundled() + ")");
            }
            out.println("manufacturer: training the tutor and edge model v0: " + b.whyNot());
        }
        return train(s, data, clock);
    }

    /** The two stages, cached in the run's folder (a rerun reuses them). */
    static Models train(DemoSettings s, DemoData data, StageClock clock) throws IOException {
        Path tutor = runStage("tutor", tutorStage(s, data), data, s.out().resolve("manufacturer/tutor"), clock);
        Path edge = runStage("Distill B", edgeStage(s, data, tutor), data,
                s.out().resolve("manufacturer/edge-distill-B"), clock);
        return new Models(tutor, edge);
    }

    /** The tutor: direct training on the presumed data from the pretrained tutor backbone. */
    static Stages.Stage tutorStage(DemoSettings s, DemoData data) {
        return Stages.Stage.direct("tutor", Presets.get(s.family() + "/tutor"),
                TrainConfig.DEFAULTS.withDevice(s.device()).withEpochs(s.epochs().tutor()), data.presumedData())
                .withBackbone(pretrained(s, "tutor"));
    }

    /** Distill B: the edge model from its pretrained backbone, taught by {@code tutor} with FGD. */
    static Stages.Stage edgeStage(DemoSettings s, DemoData data, Path tutor) {
        return Stages.Stage.direct("edge", Presets.get(s.family() + "/edge"),
                TrainConfig.DEFAULTS.withDevice(s.device()).withEpochs(s.epochs().edge()), data.presumedData())
                .withBackbone(pretrained(s, "edge")).distilledFrom(tutor, FgdConfig.DEFAULTS)
                .weights(1f, s.fgdWeight());
    }

    /** Runs one stage and ends its lap on the clock, saying whether it trained or was reused. */
    private static Path runStage(String lap, Stages.Stage stage, DemoData data, Path dir, StageClock clock)
            throws IOException {
        boolean done = Files.exists(dir.resolve("model.ckpt"));
        Path ckpt = Stages.run(stage, data.classes(), dir).checkpoint();
        clock.lap(lap, (done ? "reused from an earlier run: " : "trained: ") + ckpt);
        return ckpt;
    }

    /**
     * Edge model v0 for the cameras' profile, as {@code diredi export --checkpoint EDGE --profile cpu --out
     * DIR} makes it ({@link DeviceExport}: the export and the profile check): exported again only when the
     * ONNX file there came from another checkpoint (bundled and trained models may take turns in one folder).
     *
     * @return the ONNX file, with its manifest beside it
     */
    static Path exportEdge(Models m, Path dir, PrintStream out) throws IOException {
        String id = Checkpoint.read(m.edge()).manifest().id();
        out.printf("$ ./diredi export --checkpoint %s --profile %s --out %s%n", m.edge(), DemoDeployment.PROFILE, dir);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                Optional<Path> made = files.filter(f -> f.toString().endsWith(".onnx"))
                        .filter(f -> Files.exists(ExportManifest.pathFor(f))
                                && id.equals(ExportManifest.read(ExportManifest.pathFor(f)).checkpoint().id()))
                        .findFirst();
                if (made.isPresent()) {
                    out.println("export: " + made.get() + " was made from this checkpoint by an earlier run; kept");
                    return made.get();
                }
            }
        }
        DeviceExport.Result x = DeviceExport.run(DeviceExport.Request.of(m.edge(),
                Profiles.resolve(DemoDeployment.PROFILE)), dir);
        x.lines().forEach(out::println);
        if (!x.fits()) {
            throw new IllegalStateException("edge model v0 does not fit profile " + DemoDeployment.PROFILE + ":\n"
                    + x.report());
        }
        return x.artifact();
    }

    /** The bundled pretrained backbone of {@code role} in the demo's family, or null when there is none. */
    static Path pretrained(DemoSettings s, String role) {
        return BackboneFile.pretrainedFor(s.backbones(), Presets.get(s.family() + "/" + role));
    }
}
