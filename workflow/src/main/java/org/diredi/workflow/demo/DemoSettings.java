package org.diredi.workflow.demo;

import java.nio.file.Path;
import java.util.List;
import org.diredi.core.engine.Devices;

/**
 * What one demo run does: its folder, the model family, the training budgets, the classes the
 * manufacturer presumes and the one only the customer's data labels. {@link #DEFAULTS} is the
 * README's demo (BENCHMARKS.md section 4 has its runs).
 *
 * @param images          training scenes the demo uses: the manufacturer owns the first 70%, the customer
 *                        the rest
 * @param backbones       pretrained backbones {@code <family>-<role>.backbone}; a missing file means a
 *                        random backbone
 * @param cameraClasspath the edge runtime's own classpath (ONNX Runtime, no libtorch) the camera JVMs run
 *                        on; null when the demo was not started through the diredi launcher
 * @param device          where the manufacturer's, the customer's and the cloud's models train and run:
 *                        cpu, gpu or gpu:N (the cameras run ONNX Runtime on their CPU)
 */
public record DemoSettings(Path out, String family, Epochs epochs, List<String> presumed, String added,
                           RdSettings rd, float fgdWeight, int images, Path backbones, String cameraClasspath,
                           String device) {

    /** Epochs of the tutor, Distill B (the edge model), each reverse-distillation run and Distill C. */
    public record Epochs(int tutor, int edge, int rd, int distillC) {

        /** From the command line's {@code TUTOR,EDGE,RD,C}. */
        public static Epochs of(List<Integer> e) {
            if (e.size() != 4) {
                throw new IllegalArgumentException("epochs: expected TUTOR,EDGE,RD,C (4 values), got " + e);
            }
            return new Epochs(e.get(0), e.get(1), e.get(2), e.get(3));
        }

        public List<Integer> list() {
            return List.of(tutor, edge, rd, distillC);
        }
    }

    /** Reverse distillation (Eq. 8): learning rate, alpha (weight of L_gt) and beta (weight of L_RD). */
    public record RdSettings(float learningRate, float alpha, float beta) {

        /** From the command line's {@code LR,ALPHA,BETA}. */
        public static RdSettings of(List<Float> v) {
            if (v.size() != 3) {
                throw new IllegalArgumentException("rd: expected LR,ALPHA,BETA (3 values), got " + v);
            }
            return new RdSettings(v.get(0), v.get(1), v.get(2));
        }

        public List<Float> list() {
            return List.of(learningRate, alpha, beta);
        }
    }

    public static final DemoSettings DEFAULTS = builder().build();

    public DemoSettings {
        presumed = List.copyOf(presumed);
        Devices.checkName(device, "device");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings by name; every one starts at the README demo's value. */
    public static final class Builder {
        private Path out = Path.of("work/demo");
        // The tiny family's edge model (116k parameters) does not learn the scenes: its box loss rose and
        // turned NaN in Distill B (BENCHMARKS.md section 4); cpu is the smallest family that learns them.
        private String family = "cpu";
        private Epochs epochs = new Epochs(6, 8, 4, 5);
        private List<String> presumed = List.of("tshirt", "trouser", "dress", "sandal", "bag");
        private String added = "boot";
        private RdSettings rd = new RdSettings(0.002f, 1.0f, 1.0f);
        // Heavier FGD made the edge model worse in every run (BENCHMARKS.md section 5).
        private float fgdWeight = 0.01f;
        // With these defaults the whole loop took 9.8-12.4 min on 2 cores (BENCHMARKS.md section 4 has the runs).
        private int images = 1200;
        private Path backbones = Path.of("models/pretrained");
        private String cameraClasspath;
        private String device = Devices.CPU;

        private Builder() {}

        public Builder out(Path v) {
            out = v;
            return this;
        }

        public Builder family(String v) {
            family = v;
            return this;
        }

        public Builder epochs(Epochs v) {
            epochs = v;
            return this;
        }

        public Builder presumed(List<String> v) {
            presumed = v;
            return this;
        }

        public Builder added(String v) {
            added = v;
            return this;
        }

        public Builder rd(RdSettings v) {
            rd = v;
            return this;
        }

        public Builder fgdWeight(float v) {
            fgdWeight = v;
            return this;
        }

        public Builder images(int v) {
            images = v;
            return this;
        }

        public Builder backbones(Path v) {
            backbones = v;
            return this;
        }

        public Builder cameraClasspath(String v) {
            cameraClasspath = v;
            return this;
        }

        public Builder device(String v) {
            device = v;
            return this;
        }

        public DemoSettings build() {
            return new DemoSettings(out, family, epochs, presumed, added, rd, fgdWeight, images, backbones,
                    cameraClasspath, device);
        }
    }
}
