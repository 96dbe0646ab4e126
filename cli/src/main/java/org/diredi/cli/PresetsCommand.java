package org.diredi.cli;

import ai.djl.ndarray.NDManager;
import java.util.concurrent.Callable;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.nn.FlopCounter;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.report.MarkdownTable;
import picocli.CommandLine.Command;

/** Lists the model presets with their parameter counts and FLOPs per image. */
@Command(name = "presets", mixinStandardHelpOptions = true,
        description = "List model presets (paper and cpu families: large, tutor, edge) with parameters and FLOPs.")
final class PresetsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        MarkdownTable t = new MarkdownTable("preset", "architecture", "params", "GFLOPs/img");
        try (NDManager m = NDManager.newBaseManager()) {
            for (String name : Presets.names()) {
                ModelConfig c = Presets.get(name);
                try (NDManager sub = m.newSubManager()) {
                    FcosDetector d = new FcosDetector(c, ClassList.FASHION).init(sub);
                    t.row(name, c.toString(), String.format("%,d", d.parameterCount()),
                            String.format("%.2f", d.flopsPerImage(sub) / 1e9));
                }
            }
        }
        System.out.println(t);
        System.out.println("(10 classes; FLOPs count 2 per multiply-accumulate of every convolution)");
        return 0;
    }
}
