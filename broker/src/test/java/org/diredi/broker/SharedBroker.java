package org.diredi.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded broker for the whole test run (HiveMQ takes seconds to start): started by the
 * first class that uses it, closed when JUnit finishes. Tests use their own client ids and topics.
 */
final class SharedBroker implements BeforeAllCallback {

    private static volatile Holder holder;

    static EmbeddedBroker broker() {
        return holder.broker;
    }

    @Override
    public void beforeAll(ExtensionContext ctx) {
        holder = ctx.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Holder.class, k -> new Holder(), Holder.class);
    }

    private static final class Holder implements ExtensionContext.Store.CloseableResource {
        final Path dir;
        final EmbeddedBroker broker;

        Holder() {
            try {
                dir = Files.createTempDirectory("diredi-broker-test");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            broker = EmbeddedBroker.start(TestBroker.config(dir));
        }

        @Override
        public void close() throws IOException {
            broker.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
