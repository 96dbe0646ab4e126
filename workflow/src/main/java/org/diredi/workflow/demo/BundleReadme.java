package org.diredi.workflow.demo;

import java.util.Locale;
import org.diredi.vision.report.MarkdownTable;

/** The README.md of a bundle of demo models: what made them, with which settings, and their hashes. */
final class BundleReadme {

    private BundleReadme() {}

    static String text(BundledModels.Contents c) {
        BundledModels.Recipe r = c.recipe();
        return "# Demo models: the manufacturer's tutor and edge model v0\n\n"
                + "Written by `diredi demo --write-bundle` (" + c.created() + "), the demo's own manufacturer stages:\n"
                + "the tutor trained on the presumed data from the pretrained tutor backbone, then Distill B (FGD)\n"
                + "from that tutor into the edge model, from the pretrained edge backbone. The command:\n\n"
                + "```bash\n" + c.command() + "\n```\n\n"
                + "`./diredi demo` starts from these files when its own manufacturer stages would train exactly\n"
                + "them: when the `recipe` in `manifest.json` (class list, presumed and added classes, number of\n"
                + "scenes, the presumed data's SHA-256, each stage's preset, training settings, backbone id and\n"
                + "loss weights) equals the run's. Otherwise it says which setting differs and trains them itself;\n"
                + "`--from-scratch` always trains them. A listed file whose SHA-256 differs is refused.\n\n"
                + files(c) + "\n" + settings(r)
                + String.format(Locale.ROOT, "%nPresumed data: %d images, %d objects (classes %s; images showing '%s'"
                        + " left out), from the first %d training scenes; SHA-256 `%s`.%n", r.presumedImages(),
                        r.presumedObjects(), String.join(", ", r.presumed()), r.added(), r.images(),
                        r.presumedDataSha256());
    }

    private static String files(BundledModels.Contents c) {
        MarkdownTable t = new MarkdownTable("file", "model", "checkpoint id", "bytes", "SHA-256");
        t.row("`" + c.tutor().file() + "`", "tutor", c.tutor().checkpointId(), String.format("%,d", c.tutor().bytes()),
                "`" + c.tutor().sha256() + "`");
        t.row("`" + c.edge().file() + "`", "edge model v0", c.edge().checkpointId(),
                String.format("%,d", c.edge().bytes()), "`" + c.edge().sha256() + "`");
        return t.toString();
    }

    private static String settings(BundledModels.Recipe r) {
        MarkdownTable t = new MarkdownTable("setting", "tutor", "edge model v0 (Distill B)");
        t.row("preset", r.tutor().model().name(), r.edge().model().name());
        t.row("epochs", r.tutor().train().epochs(), r.edge().train().epochs());
        t.row("backbone (pretrained, id)", String.valueOf(r.tutor().backboneId()),
                String.valueOf(r.edge().backboneId()));
        t.row("loss", "detection", String.format(Locale.ROOT, "detection x %s + %s x %s", r.edge().gtWeight(),
                r.edge().fgd() == null ? "-" : r.edge().fgd().distillation(), r.edge().featureWeight()));
        t.row("training", "configs/train.yaml defaults", "configs/train.yaml defaults");
        return t.toString();
    }
}
