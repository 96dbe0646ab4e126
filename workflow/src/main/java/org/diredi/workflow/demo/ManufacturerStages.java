package org.diredi.workflow.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.pretrain.BackboneFile;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.export.OnnxExporter;

/**
 * The manufacturer before any customer: a tutor trained on the presumed classes and the edge model
 * distilled from it (Distill B, FGD), both cached stages, and edge model v0 exported for the cameras.
 */
final class ManufacturerStages {

    /** The checkpoints the manufacturer ships: the tutor (base of every delta) and the edge model v0. */
    record Models(Path tutor, Path edge) {}

    private ManufacturerStages() {}

    static Models train(DemoSettings s, DemoData data) throws IOException {
        TrainConfig base = TrainConfig.DEFAULTS.withDevice(s.device());
        Stages.Result tutor = Stages.run(Stages.Stage.direct("tutor", Presets.get(s.family() + "/tutor"),
                base.withEpochs(s.epochs().tutor()), data.presumedData()).withBackbone(pretrained(s, "tutor")),
                data.classes(), s.out().resolve("manufacturer/tutor"));
        Stages.Result edge = Stages.run(Stages.Stage.direct("edge", Presets.get(s.family() + "/edge"),
                base.withEpochs(s.epochs().edge()), data.presumedData()).withBackbone(pretrained(s, "edge"))
                .distilledFrom(tutor.checkpoint(), FgdConfig.DEFAULTS).weights(1f, s.fgdWeight()), data.classes(),
                s.out().resolve("manufacturer/edge-distill-B"));
        return new Models(tutor.checkpoint(), edge.checkpoint());
    }

    /** Edge model v0 as ONNX, what the cameras start with (exported once). */
    static Path exportEdge(Models m, Path onnx) {
        if (!Files.exists(onnx)) {
            OnnxExporter.export(m.edge(), onnx, OnnxExporter.DEFAULT_OPSET);
        }
        return onnx;
    }

    /** The bundled pretrained backbone of {@code role} in the demo's family, or null when there is none. */
    static Path pretrained(DemoSettings s, String role) {
        return BackboneFile.pretrainedFor(s.backbones(), Presets.get(s.family() + "/" + role));
    }
}
