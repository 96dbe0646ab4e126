package org.diredi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.CloudService;
import org.diredi.cloud.CloudWorker;
import org.diredi.core.engine.Devices;
import org.diredi.core.gate.GateDecision;
import org.diredi.fleet.ManufacturerKeys;
import org.diredi.messaging.DeltaDecision;
import org.diredi.messaging.Ed25519;
import org.diredi.onprem.OnPremConfig;
import org.diredi.onprem.OnPremTrainer;
import org.diredi.onprem.OnpremBundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The two services of the loop: the customer's on-prem trainer and the manufacturer's cloud. */
final class LoopCommands {

    private LoopCommands() {}

    @Command(name = "onprem", mixinStandardHelpOptions = true, description = "The customer's on-prem trainer.",
            subcommands = {OnPrem.Run.class, OnPrem.Unpack.class})
    static final class OnPrem {
        @Command(name = "run", mixinStandardHelpOptions = true,
                description = {"Reverse distillation (RD B on presumed data, RD A on presumed + private data) from the",
                    "deployed edge model, the knowledge delta (neck + head), its upload to the manufacturer over MQTT,",
                    "and the wait for the decision. Exit 0 accepted, 10 rejected. Private images never leave."})
        static final class Run implements Callable<Integer> {
            @Option(names = "--config", required = true, paramLabel = "FILE", description = "on-prem settings (YAML/JSON)")
            Path config;

            @Override
            public Integer call() throws Exception {
                OnPremConfig c = OnPremConfig.load(config);
                Devices.require(c.device(), config + ": device");
                DeltaDecision d = new OnPremTrainer(c, System.out).run();
                System.out.println("decision: " + d.status() + " (" + d.reason() + ")");
                return d.accepted() ? 0 : GateDecision.EXIT_REJECTED;
            }
        }

        @Command(name = "unpack", mixinStandardHelpOptions = true,
                description = {"Check the manufacturer's bundle (diredi fleet bundle-onprem: its signature against the pinned",
                    "public key, every file's SHA-256 and size) and only then extract it into a new folder: tutor.ckpt,",
                    "edge.ckpt, classes.txt, presumed/. A tampered or foreign bundle is refused and nothing is written."})
        static final class Unpack implements Callable<Integer> {
            @Option(names = "--bundle", required = true, paramLabel = "FILE", description = "the bundle received")
            Path bundle;

            @Option(names = "--out", required = true, paramLabel = "DIR", description = "a new folder to extract into")
            Path out;

            @Option(names = "--public-key", paramLabel = "PEM", defaultValue = ManufacturerKeys.PUBLIC,
                    description = "the manufacturer's pinned public key (default: ${DEFAULT-VALUE})")
            Path publicKey;

            @Override
            public Integer call() throws Exception {
                OnpremBundle.Manifest m = OnpremBundle.unpack(bundle, out, Ed25519.readPublicKey(publicKey));
                System.out.printf("onprem: %s checked (signed by the pinned key, %d files) and unpacked into %s: the"
                        + " models of %s, version %d, classes %s%n", bundle, m.entries().size(), out, m.customer(),
                        m.version(), m.classes());
                return 0;
            }
        }
    }

    @Command(name = "cloud", mixinStandardHelpOptions = true, description = "The manufacturer's cloud service.",
            subcommands = {Cloud.Serve.class, CloudMergeCommand.class})
    static final class Cloud {
        @Command(name = "serve", mixinStandardHelpOptions = true,
                description = {"Receive knowledge deltas, apply them (Eq. 10), run the verification gate, Distill C,",
                    "export, sign and ship the OTA update to the customer's devices; audit log in the work folder.",
                    "Runs until stopped; deltas received before a restart are processed after it. With jobs.shared",
                    "in the config, it announces each delta as a job for cloud serve --worker processes instead."})
        static final class Serve implements Callable<Integer> {
            @Option(names = "--config", required = true, paramLabel = "FILE", description = "cloud settings (YAML/JSON)")
            Path config;

            @Option(names = "--worker", description = {"decide the deltas announced by the cloud serve of the same work",
                "folder (jobs.shared: true), taken through the broker's shared subscription; any number of them"})
            boolean worker;

            @Override
            public Integer call() throws Exception {
                CloudConfig c = CloudConfig.load(config);
                Devices.require(c.device(), config + ": device");
                if (worker && !c.jobs().shared()) {
                    throw new IllegalArgumentException(config + ": jobs.shared is false, so the cloud decides its deltas itself: set it to true for --worker");
                }
                try (AutoCloseable s = worker ? new CloudWorker(c, System.out) : new CloudService(c, System.out)) {
                    if (s instanceof CloudWorker w) {
                        w.start();
                    } else {
                        ((CloudService) s).start();
                    }
                    Thread.currentThread().join(); // until the process is stopped
                }
                return 0;
            }
        }
    }
}
