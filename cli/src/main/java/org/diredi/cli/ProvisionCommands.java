package org.diredi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.fleet.ManufacturerKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The manufacturer's server: its signing keys and its broker. */
final class ProvisionCommands {

    private ProvisionCommands() {}

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "The manufacturer's signing keys.",
            subcommands = {Keys.Init.class})
    static final class Keys {
        @Command(name = "init", mixinStandardHelpOptions = true,
                description = {"Make the manufacturer's Ed25519 key pair: DIR/manufacturer.key.pem (owner-only) signs",
                    "every OTA update, DIR/manufacturer.pub.pem is pinned on every camera. Never overwrites a key."})
        static final class Init implements Callable<Integer> {
            @Option(names = "--out", required = true, paramLabel = "DIR", description = "the key folder (e.g. keys)")
            Path out;

            @Override
            public Integer call() {
                System.out.println("keys: " + ManufacturerKeys.init(out).describe());
                return 0;
            }
        }
    }

    @Command(name = "broker", mixinStandardHelpOptions = true, description = "The embedded MQTT broker.",
            subcommands = {Broker.Serve.class})
    static final class Broker {
        @Command(name = "serve", mixinStandardHelpOptions = true,
                description = {"Run the embedded HiveMQ CE broker until stopped (SIGTERM, Ctrl-C): 127.0.0.1 by default,",
                    "an optional TLS listener, accounts and topic grants from its account store, which enrolment",
                    "(diredi fleet add-*) updates without a restart. For production, mosquitto: broker/mosquitto/."})
        static final class Serve implements Callable<Integer> {
            @Option(names = "--config", required = true, paramLabel = "FILE", description = "broker settings (YAML/JSON)")
            Path config;

            @Override
            public Integer call() throws Exception {
                EmbeddedBroker.serve(BrokerConfig.load(config), System.out);
                return 0;
            }
        }
    }
}
