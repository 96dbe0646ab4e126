package org.diredi.broker;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.client.parameter.ServerInformation;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.diredi.messaging.MessagingException;
import org.diredi.vision.io.AtomicFiles;

/**
 * HiveMQ Community Edition inside this JVM: the zero-setup broker for a laptop deployment and for
 * tests. It always runs with its own generated {@code config.xml} (one TCP listener on
 * {@code bind}, usage statistics off, file persistence) and an embedded extension that
 * authenticates every client and restricts its topics by role (see {@link AclAuthenticator}).
 *
 * <p>Layout under {@code dataDir}: {@code conf/config.xml}, {@code data/} (sessions, queued
 * messages, retained messages: reusing the folder keeps them across restarts), {@code extensions/}.
 *
 * <p>HiveMQ does not configure logging here (logging bootstrap off): the application's SLF4J
 * binding decides, so a CLI can keep its own.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final long START_TIMEOUT_S = 60;

    private final BrokerConfig config;
    private final Path root;
    private final EmbeddedExtension extension;
    private EmbeddedHiveMQ hive; // a fresh one per start, see start()
    private volatile ServerInformation serverInfo;
    private int port;
    private boolean running;
    private boolean closed;

    private EmbeddedBroker(BrokerConfig config) {
        this.config = config;
        this.root = Path.of(config.dataDir()).toAbsolutePath();
        this.port = config.port();
        try {
            Files.createDirectories(root.resolve("conf"));
            Files.createDirectories(root.resolve("data"));
            Files.createDirectories(root.resolve("extensions"));
        } catch (IOException e) {
            throw new MessagingException("cannot create broker folders under " + root + ": " + e.getMessage(), e);
        }
        AclAuthenticator authenticator = new AclAuthenticator(config);
        ExtensionMain main = new ExtensionMain() {
            @Override
            public void extensionStart(ExtensionStartInput in, ExtensionStartOutput out) {
                serverInfo = in.getServerInformation();
                Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
            }

            @Override
            public void extensionStop(ExtensionStopInput in, ExtensionStopOutput out) {}
        };
        extension = EmbeddedExtension.builder()
                .withId("diredi-acl")
                .withName("DiReDi authentication and topic permissions")
                .withVersion("1")
                .withAuthor("DiReDi")
                .withPriority(1000)
                .withStartPriority(1000)
                .withExtensionMain(main)
                .build();
    }

    /** Starts a broker and returns once it accepts connections. */
    public static EmbeddedBroker start(BrokerConfig config) {
        EmbeddedBroker b = new EmbeddedBroker(config);
        try {
            b.start();
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    /** Starts (again after {@link #stop()}), on the same port as before and with the same data. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("broker closed");
        }
        if (running) {
            return;
        }
        writeConfig();
        // HiveMQ 2025.5 cannot start an instance again after stop(): its MetricRegistry lives as long
        // as the instance and the second start fails with "A metric named ... already exists".
        hive = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(root.resolve("conf"))
                .withDataFolder(root.resolve("data"))
                .withExtensionsFolder(root.resolve("extensions"))
                .withEmbeddedExtension(extension)
                .withoutLoggingBootstrap()
                .build();
        try {
            await(hive.start(), "start");
        } catch (RuntimeException e) {
            closeHive();
            throw e;
        }
        running = true;
        port = boundPort();
    }

    /** Stops; sessions and queued messages stay in the data folder for the next {@link #start()}. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        closeHive();
    }

    public synchronized void restart() {
        stop();
        start();
    }

    public synchronized boolean isRunning() {
        return running;
    }

    /** The port in use (the one chosen by the system when configured as 0). */
    public synchronized int port() {
        return port;
    }

    public String bind() {
        return config.bind();
    }

    public String serverUri() {
        String host = config.bind().equals("0.0.0.0") ? "127.0.0.1" : config.bind();
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    public Path root() {
        return root;
    }

    public BrokerConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        closeHive();
    }

    private void closeHive() {
        EmbeddedHiveMQ h = hive;
        hive = null;
        if (h == null) {
            return;
        }
        try {
            h.close(); // stops (persisting sessions and queues) and releases the instance
        } catch (ExecutionException e) {
            throw new MessagingException("embedded broker did not shut down cleanly: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int boundPort() {
        ServerInformation info = serverInfo;
        if (info != null) {
            for (Listener l : info.getListener()) {
                if (l.getPort() > 0) {
                    return l.getPort();
                }
            }
        }
        throw new MessagingException("broker started but reports no bound TCP listener");
    }

    private void writeConfig() {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- Generated by DiReDi EmbeddedBroker on every start: edit the broker YAML instead. -->
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                        </tcp-listener>
                    </listeners>
                    <mqtt>
                        <packets>
                            <max-packet-size>%d</max-packet-size>
                        </packets>
                        <!-- Off: Paho 1.2.5 persists in-flight PUBLISHes with the topic name replaced
                             by a connection-scoped alias and resends them so after a session resume;
                             the broker then disconnects with 0x94, again on every reconnect. -->
                        <topic-alias>
                            <enabled>false</enabled>
                        </topic-alias>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                            <strategy>discard</strategy>
                        </queued-messages>
                    </mqtt>
                    <persistence>
                        <mode>file</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, xmlEscape(config.bind()), config.maxPacketBytes(), config.maxQueuedMessages());
        try {
            AtomicFiles.writeString(root.resolve("conf/config.xml"), xml);
        } catch (IOException e) {
            throw new MessagingException("cannot write broker configuration in " + root + ": " + e.getMessage(), e);
        }
    }

    private void await(java.util.concurrent.CompletableFuture<Void> f, String what) {
        try {
            f.get(START_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new MessagingException("embedded broker failed to " + what + " (" + config.bind() + ":" + port
                    + ", data " + root + "): " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new MessagingException("embedded broker did not " + what + " within " + START_TIMEOUT_S + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("interrupted while the broker was trying to " + what);
        }
    }

    private static String xmlEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
