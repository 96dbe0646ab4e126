package org.diredi.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.bench.training.ChildJvm;
import org.diredi.cloud.update.AddedClassKnowledge;
import org.diredi.workflow.demo.DemoSettings;
import org.diredi.workflow.demo.DemoWorkflow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code diredi demo}: the README's main job, the whole DiReDi loop on one machine. The options are
 * {@link DemoSettings} (whose defaults they show); {@link DemoWorkflow} runs it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The whole DiReDi loop on one machine: embedded MQTT broker, bundled FashionScenes data, a",
            "manufacturer, two simulated cameras, a customer with a private class, the cloud, set up by README's",
            "Deploy steps (keys init, broker serve, fleet add-*, bundle-onprem, onprem unpack), each printed as",
            "its command line. Resumable: a rerun reuses finished training stages."})
final class DemoCommand implements Callable<Integer> {

    private static final DemoSettings D = DemoSettings.DEFAULTS;

    @Option(names = "--out", description = "working folder (default: ${DEFAULT-VALUE})")
    Path out = D.out();

    @Option(names = "--family", description = "model family: cpu, or tiny for a smoke run (default: ${DEFAULT-VALUE})")
    String family = D.family();

    @Option(names = "--epochs", split = ",", paramLabel = "TUTOR,EDGE,RD,C",
            description = "epochs of the tutor, Distill B, each RD run, Distill C (default: ${DEFAULT-VALUE})")
    List<Integer> epochs = D.epochs().list();

    @Option(names = "--presumed", split = ",", description = "classes the manufacturer presumes (default: ${DEFAULT-VALUE})")
    List<String> presumed = D.presumed();

    @Option(names = "--added", description = "the class only the customer's data labels (default: ${DEFAULT-VALUE})")
    String added = D.added();

    @Option(names = "--rd", split = ",", paramLabel = "LR,ALPHA,BETA",
            description = "reverse distillation: learning rate, alpha (L_gt), beta (L_RD) (default: ${DEFAULT-VALUE})")
    List<Float> rd = D.rd().list();

    @Option(names = "--fgd-weight", description = "weight of the FGD loss in Distill B and C (default: ${DEFAULT-VALUE})")
    float fgdWeight = D.fgdWeight();

    @Option(names = "--lambda", description = "Eq. 10: the share of the customer's delta the cloud applies "
            + "(default: ${DEFAULT-VALUE})")
    float lambda = D.lambda();

    @Option(names = "--images", description = "training scenes the demo uses: 70%% the manufacturer's, 30%% the "
            + "customer's (default: ${DEFAULT-VALUE})")
    int images = D.images();

    @Option(names = "--backbones", paramLabel = "DIR", description = "pretrained backbones <family>-<role>.backbone "
            + "('diredi pretrain'); a missing file means a random backbone (default: ${DEFAULT-VALUE})")
    Path backbones = D.backbones();

    @Mixin
    DeviceOption device;

    @Option(names = "--bundled", paramLabel = "DIR", description = "the manufacturer's trained tutor and edge model "
            + "v0, used when they were made with this run's settings, else trained (default: ${DEFAULT-VALUE})")
    Path bundled = D.bundled();

    @Option(names = "--from-scratch", description = "train the manufacturer's tutor and edge model v0 (about 6 min on "
            + "2 cores) even when the bundled ones fit")
    boolean fromScratch;

    @Option(names = "--write-bundle", paramLabel = "DIR", description = "train the manufacturer's tutor and edge model "
            + "v0 from scratch, write them to DIR as a bundle for --bundled (checkpoints, manifest.json, README.md) "
            + "and stop")
    Path writeBundle;

    @Option(names = "--added-class-knowledge", paramLabel = "labels|unlabelled|absent", description = "what the "
            + "manufacturer's data knows of the added class: its labels, its images unlabelled, or no image of it; "
            + "without labels the class reaches the cameras through the customer's delta alone, judged on the "
            + "customer's signed figures (default: ${DEFAULT-VALUE})")
    String addedClassKnowledge = D.addedClassKnowledge().id();

    @Option(names = "--pseudo-label-score", description = "without labels of the added class: the score above which "
            + "Distill C takes the updated tutor's detections of it as labels (default: ${DEFAULT-VALUE})")
    float pseudoLabelScore = D.pseudoLabelScore();

    @Override
    public Integer call() throws Exception {
        String on = device.checkedName();
        AddedClassKnowledge knows = AddedClassKnowledge.parse("--added-class-knowledge", addedClassKnowledge);
        DemoWorkflow.run(DemoSettings.builder().out(out).family(family).epochs(DemoSettings.Epochs.of(epochs))
                .presumed(presumed).added(added).rd(DemoSettings.RdSettings.of(rd)).fgdWeight(fgdWeight)
                .lambda(lambda).images(images).backbones(backbones).cameraClasspath(ChildJvm.edgeClasspath())
                .device(on).bundled(bundled).fromScratch(fromScratch).writeBundle(writeBundle)
                .addedClassKnowledge(knows).pseudoLabelScore(pseudoLabelScore).build(), System.out);
        return 0;
    }
}
