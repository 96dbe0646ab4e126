package org.diredi.broker;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.client.parameter.ListenerType;
import com.hivemq.extension.sdk.api.client.parameter.ServerInformation;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.diredi.messaging.MessagingException;
import org.diredi.messaging.Secrets;

/**
 * HiveMQ Community Edition inside this JVM: the zero-setup broker for a laptop deployment, a trial and
 * tests. It always runs with its own generated {@code config.xml} (one TCP listener on
 * {@code bind}, optionally a TLS listener, usage statistics off, file persistence) and an embedded
 * extension that authenticates every client against its accounts ({@link AccountBook}: the
 * configuration's and the account store's, re-read when the store changes) and restricts its topics
 * by role (see {@link AclAuthenticator}).
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
    private final AccountBook accounts;
    private int port;
    private int tlsPort;
    private boolean running;
    private boolean closed;

    private EmbeddedBroker(BrokerConfig config, Consumer<String> log) {
        this.config = config;
        this.root = Path.of(config.dataDir()).toAbsolutePath();
        this.port = config.port();
        this.tlsPort = config.tls() == null ? -1 : config.tls().port();
        this.accounts = new AccountBook(config, log); // a corrupt account store stops the start here
        try {
            Files.createDirectories(root.resolve("conf"));
            Files.createDirectories(root.resolve("data"));
            Files.createDirectories(root.resolve("extensions"));
        } catch (IOException e) {
            throw new MessagingException("cannot create broker folders under " + root + ": " + e.getMessage(), e);
        }
        AclAuthenticator authenticator = new AclAuthenticator(accounts);
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

    /** Starts a broker and returns once it accepts connections; account store changes are reported on stderr. */
    public static EmbeddedBroker start(BrokerConfig config) {
        return start(config, System.err::println);
    }

    /**
     * Starts a broker and returns once it accepts connections.
     *
     * @param log where a re-read (or unreadable) account store is reported
     * @throws org.diredi.vision.config.ConfigFiles.ConfigException naming the account store when it is not valid
     */
    public static EmbeddedBroker start(BrokerConfig config, Consumer<String> log) {
        EmbeddedBroker b = new EmbeddedBroker(config, log);
        try {
            b.start();
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    /**
     * {@code diredi broker serve}: starts the broker and serves until the JVM is stopped (SIGTERM, Ctrl-C);
     * a shutdown hook then closes it cleanly, persisting sessions and queued messages.
     */
    public static void serve(BrokerConfig config, PrintStream out) throws InterruptedException {
        EmbeddedBroker b = start(config, out::println);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            b.close();
            out.println("broker: stopped; sessions and queued messages kept in " + b.root().resolve("data"));
            stopped.countDown();
        }, "broker-shutdown"));
        out.println("broker: listening on " + b.serverUri() + (b.tlsUri() == null ? "" : " and " + b.tlsUri()
                + " (TLS, bound to " + config.tls().bind() + ")") + "; " + b.accounts() + " account(s)"
                + (config.accountStore() == null ? "" : ", account store " + config.accountStore()
                + " (re-read when it changes)") + "; stop with SIGTERM or Ctrl-C");
        stopped.await();
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
        // HiveMQ assigns a client up to max(this, the client's Receive Maximum) messages of a shared subscription
        // at once, 50 by default, queued behind its Receive Maximum: cloud workers (Receive Maximum 1) would each
        // hold every job announced at once while the others idle. With 1 the batch is the client's own window
        // (min(Receive Maximum, 50)), unchanged for every client that allows 50 or more in flight.
        com.hivemq.configuration.service.InternalConfigurations.PUBLISH_POLL_BATCH_SIZE = 1;
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
        port = boundPort(ListenerType.TCP_LISTENER);
        tlsPort = config.tls() == null ? -1 : boundPort(ListenerType.TLS_TCP_LISTENER);
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
        return "tcp://" + host(config.bind()) + ":" + port();
    }

    /** The TLS listener's port, or -1 without one. */
    public synchronized int tlsPort() {
        return tlsPort;
    }

    /** {@code ssl://host:port} of the TLS listener (null without one); clients check the host against the certificate. */
    public String tlsUri() {
        return config.tls() == null ? null : "ssl://" + host(config.tls().bind()) + ":" + tlsPort();
    }

    /** How many accounts the broker knows now (the account store's as last read). */
    public int accounts() {
        return accounts.size();
    }

    private static String host(String bind) {
        String host = bind.equals("0.0.0.0") ? "127.0.0.1" : bind;
        return host.contains(":") ? "[" + host + "]" : host;
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

    private int boundPort(ListenerType type) {
        ServerInformation info = serverInfo;
        if (info != null) {
            for (Listener l : info.getListener()) {
                if (l.getListenerType() == type && l.getPort() > 0) {
                    return l.getPort();
                }
            }
        }
        throw new MessagingException("broker started but reports no bound " + type + " listener");
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
                %s    </listeners>
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
                """.formatted(port, xmlEscape(config.bind()), tlsListener(), config.maxPacketBytes(),
                config.maxQueuedMessages());
        try {
            // Owner-only: with TLS it holds the keystore's password.
            Secrets.writeOwnerOnly(root.resolve("conf/config.xml"), xml.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new MessagingException("cannot write broker configuration in " + root + ": " + e.getMessage(), e);
        }
    }

    /** The TLS listener's XML (empty without one); the keystore password is read when the broker starts. */
    private String tlsListener() {
        BrokerConfig.Tls t = config.tls();
        if (t == null) {
            return "";
        }
        String pw = xmlEscape(t.password());
        return """
                        <tls-tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <tls>
                                <keystore>
                                    <path>%s</path>
                                    <password>%s</password>
                                    <private-key-password>%s</private-key-password>
                                </keystore>
                            </tls>
                        </tls-tcp-listener>
                """.formatted(tlsPort, xmlEscape(t.bind()), xmlEscape(Path.of(t.keystore()).toAbsolutePath().toString()),
                pw, pw);
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
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")
                .replace("\"", "&quot;");
    }
}
