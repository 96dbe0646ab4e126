package org.diredi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.core.provenance.Provenance;
import org.diredi.core.provenance.ProvenanceTree;
import org.diredi.export.ProvenanceFiles;
import org.diredi.vision.config.ConfigFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints the chain from an artifact (a shipped model, an export, a delta, a checkpoint) back to its data. */
@Command(name = "provenance", mixinStandardHelpOptions = true,
        description = "Print where a model came from, back to the hashes of its data: a .ckpt, a .delta, an export"
                + " (.onnx, its .json or its folder), or a release (.provenance.json or the signed update beside it).")
final class ProvenanceCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The artifact.")
    Path file;

    @Option(names = "--json", description = "Print the tree as JSON (null: unknown).")
    boolean json;

    @Override
    public Integer call() {
        Provenance p = ProvenanceFiles.read(file);
        System.out.print(json ? ConfigFiles.toJson(p) + "\n" : file + "\n" + ProvenanceTree.text(p));
        return 0;
    }
}
