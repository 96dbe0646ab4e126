package org.diredi.messaging;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.persist.MqttDefaultFilePersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * A thin, honest wrapper over Paho's asynchronous MQTT v5 client: publishes that wait for the
 * PUBACK and fail on a refusing reason code, subscribes that fail on a refusing SUBACK, and message
 * routing that survives reconnects.
 *
 * <p>Routing: one client-level callback dispatches every arriving message to the handlers whose
 * filter matches its topic. Paho's per-subscription listeners are not used because a resumed
 * session (cleanStart=false) delivers queued messages right after CONNACK, before anyone could
 * register a listener again. Register handlers with {@link #subscribe} before {@link #connect()}
 * and they see those messages; the SUBSCRIBE itself is sent on connect.
 *
 * <p>Handlers run on Paho's single callback thread, one message at a time, and the QoS 1 PUBACK is
 * sent only after the handler returns: a handler that stores the message durably gets
 * at-least-once delivery. A handler that throws is logged to stderr; the client carries on and the
 * message counts as delivered.
 *
 * <p>Paho 1.2.5 quirks worth knowing: its reconnect backoff is a static field shared by all clients
 * in the JVM (capped by {@link Options#maxReconnectDelay}); a client closed while a reconnect is
 * scheduled leaves an idle non-daemon timer thread behind; with a resumed session it resends
 * in-flight messages with topic aliases from the old connection, so brokers must not grant topic
 * aliases (the embedded broker does not); a QoS 2 PUBREC >= 0x80 makes Paho drop the connection.
 */
public final class MqttLink implements AutoCloseable {

    /**
     * Connection settings.
     *
     * @param serverUri            e.g. {@code tcp://127.0.0.1:1883}, {@code ssl://host:8883}
     * @param clientId             unique per connection; the broker keys sessions by it
     * @param username             null for none
     * @param password             null for none
     * @param cleanStart           false to resume a session (needs {@code sessionExpirySeconds > 0})
     * @param sessionExpirySeconds how long the broker keeps the session (subscriptions, queued QoS 1
     *                             messages) after a disconnect; 0 = dropped at disconnect
     * @param automaticReconnect   reconnect after a lost connection (Paho's backoff, capped by maxReconnectDelay)
     * @param persistenceDir       where Paho keeps in-flight messages; null = memory
     * @param keepAliveSeconds     MQTT keep-alive
     * @param connectTimeout       CONNECT to CONNACK
     * @param operationTimeout     publish to PUBACK, subscribe to SUBACK
     * @param maxReconnectDelay    cap of the reconnect backoff
     * @param caCertificate        for {@code ssl://}: PEM file of the CA that signed the broker's certificate,
     *                             trusted instead of the JVM's CAs (pins the project's own CA, see
     *                             broker/mosquitto/make-certs.sh); null = the JVM's trust store
     */
    public record Options(String serverUri, String clientId, String username, char[] password, boolean cleanStart,
            long sessionExpirySeconds, boolean automaticReconnect, Path persistenceDir, int keepAliveSeconds,
            Duration connectTimeout, Duration operationTimeout, Duration maxReconnectDelay, Path caCertificate) {

        public Options {
            Objects.requireNonNull(serverUri, "serverUri");
            if (clientId == null || clientId.isEmpty()) {
                throw new IllegalArgumentException("clientId must not be empty (the broker keys sessions by it)");
            }
            if (sessionExpirySeconds < 0 || sessionExpirySeconds > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("sessionExpirySeconds must be 0..4294967295, got " + sessionExpirySeconds);
            }
            if (!cleanStart && sessionExpirySeconds == 0) {
                throw new IllegalArgumentException("cleanStart=false needs sessionExpirySeconds > 0:"
                        + " with 0 the broker drops the session at disconnect and nothing is resumed");
            }
            if (keepAliveSeconds < 0 || keepAliveSeconds > 65535) {
                throw new IllegalArgumentException("keepAliveSeconds must be 0..65535, got " + keepAliveSeconds);
            }
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(operationTimeout, "operationTimeout");
            requirePositive(maxReconnectDelay, "maxReconnectDelay");
            if (caCertificate != null && !serverUri.startsWith("ssl://")) {
                throw new IllegalArgumentException("a CA certificate (" + caCertificate + ") needs an ssl:// server URI, got "
                        + serverUri + ": credentials would otherwise cross the network in clear text");
            }
        }

        /** Clean session, no credentials, memory persistence, automatic reconnect, 30 s keep-alive. */
        public static Options of(String serverUri, String clientId) {
            return new Options(serverUri, clientId, null, null, true, 0, true, null, 30,
                    Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(10), null);
        }

        public Options withCredentials(String user, String pass) {
            return withCredentials(user, pass == null ? null : pass.toCharArray());
        }

        public Options withCredentials(String user, char[] pass) {
            return new Options(serverUri, clientId, user, pass, cleanStart, sessionExpirySeconds, automaticReconnect,
                    persistenceDir, keepAliveSeconds, connectTimeout, operationTimeout, maxReconnectDelay, caCertificate);
        }

        /** A persistent session: {@code withSession(false, 3600)} resumes within an hour. */
        public Options withSession(boolean clean, long expirySeconds) {
            return new Options(serverUri, clientId, username, password, clean, expirySeconds, automaticReconnect,
                    persistenceDir, keepAliveSeconds, connectTimeout, operationTimeout, maxReconnectDelay, caCertificate);
        }

        public Options withAutomaticReconnect(boolean on) {
            return new Options(serverUri, clientId, username, password, cleanStart, sessionExpirySeconds, on,
                    persistenceDir, keepAliveSeconds, connectTimeout, operationTimeout, maxReconnectDelay, caCertificate);
        }

        public Options withPersistenceDir(Path dir) {
            return new Options(serverUri, clientId, username, password, cleanStart, sessionExpirySeconds,
                    automaticReconnect, dir, keepAliveSeconds, connectTimeout, operationTimeout, maxReconnectDelay, caCertificate);
        }

        public Options withKeepAlive(int seconds) {
            return new Options(serverUri, clientId, username, password, cleanStart, sessionExpirySeconds,
                    automaticReconnect, persistenceDir, seconds, connectTimeout, operationTimeout, maxReconnectDelay, caCertificate);
        }

        public Options withTimeouts(Duration connect, Duration operation, Duration maxReconnect) {
            return new Options(serverUri, clientId, username, password, cleanStart, sessionExpirySeconds,
                    automaticReconnect, persistenceDir, keepAliveSeconds, connect, operation, maxReconnect, caCertificate);
        }

        /** Trust only the CA in this PEM file for the broker's TLS certificate ({@code ssl://} URIs). */
        public Options withCaCertificate(Path pem) {
            return new Options(serverUri, clientId, username, password, cleanStart, sessionExpirySeconds,
                    automaticReconnect, persistenceDir, keepAliveSeconds, connectTimeout, operationTimeout,
                    maxReconnectDelay, pem);
        }

        @Override
        public String toString() { // never print the password
            return "Options[" + serverUri + ", clientId=" + clientId + ", user=" + username + ", cleanStart=" + cleanStart
                    + ", sessionExpiry=" + sessionExpirySeconds + "s, autoReconnect=" + automaticReconnect
                    + ", persistence=" + (persistenceDir == null ? "memory" : persistenceDir) + "]";
        }

        private static void requirePositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, got " + d);
            }
        }
    }

    /** Receives messages whose topic matches the filter it was registered with. */
    @FunctionalInterface
    public interface Handler {
        void onMessage(String topic, byte[] payload, Map<String, String> userProperties) throws Exception;
    }

    /** A publish on its way: {@link #await} blocks until the broker acknowledged it. */
    public final class Delivery {
        private final IMqttToken token;
        private final String topic;
        private final int qos;

        private Delivery(IMqttToken token, String topic, int qos) {
            this.token = token;
            this.topic = topic;
            this.qos = qos;
        }

        public String topic() {
            return topic;
        }

        /**
         * Waits for the PUBACK (QoS 1) / PUBCOMP (QoS 2), or until QoS 0 is written out.
         *
         * @throws RejectedByBroker  if the broker answered with a reason code >= 0x80
         * @throws MessagingException on a lost connection or timeout
         */
        public void await(Duration timeout) {
            try {
                // Waits on the token directly (woken by Paho's receiver thread), so it also works
                // from inside a handler, where an action listener would never run.
                token.waitForCompletion(timeout.toMillis());
            } catch (MqttException e) {
                throw new MessagingException("publish to " + topic + " not acknowledged: " + describe(e), e);
            }
            if (qos > 0 && token.getResponse() == null) {
                throw new MessagingException("publish to " + topic + " not acknowledged (connection closed)");
            }
            int[] codes = token.getReasonCodes();
            if (codes != null) {
                for (int c : codes) {
                    if (c >= 0x80) {
                        throw new RejectedByBroker("publish to " + topic + " refused by the broker: reason code "
                                + RejectedByBroker.hex(c) + " (" + reasonName(c) + ")", topic, c);
                    }
                }
            }
        }
    }

    /**
     * Receives a message whose acknowledgement waits for {@code ack}: call it, from any thread, once the
     * message's effect is durable. Needs {@link #manualAcks}; until then the broker counts the message as
     * in flight to this client and, if the session ends first, may give it to another subscriber.
     */
    @FunctionalInterface
    public interface AckedHandler {
        void onMessage(String topic, byte[] payload, Map<String, String> userProperties, Runnable ack) throws Exception;
    }

    private record Subscription(String filter, int qos, Handler handler, AckedHandler acked) {}

    private final Options options;
    private final MqttAsyncClient client;
    private final MqttConnectionOptions connectOptions;
    private final String tag;
    private final Object lock = new Object();
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final List<Runnable> lostListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile boolean manualAcks;
    /** Set by {@link #connectAndStayConnected()}: this link reconnects itself, Paho's reconnect is off. */
    private volatile boolean stayConnected;
    private Thread connector; // guarded by lock: the running reconnect loop, if any

    public MqttLink(Options options) {
        this.options = options;
        this.tag = "[mqtt " + options.clientId() + "] ";
        // Always an explicit persistence: Paho's default writes files into the working directory.
        MqttClientPersistence persistence = options.persistenceDir() == null
                ? new MemoryPersistence()
                : new MqttDefaultFilePersistence(options.persistenceDir().toAbsolutePath().toString());
        try {
            client = new MqttAsyncClient(options.serverUri(), options.clientId(), persistence);
        } catch (MqttException | IllegalArgumentException e) {
            throw new MessagingException("cannot create MQTT client for " + options.serverUri() + ": " + e.getMessage(), e);
        }
        client.setCallback(new Callback());
        connectOptions = new MqttConnectionOptions();
        connectOptions.setCleanStart(options.cleanStart());
        // Without an explicit interval a cleanStart=false session is not kept (MQTT v5 default 0).
        connectOptions.setSessionExpiryInterval(options.sessionExpirySeconds());
        connectOptions.setAutomaticReconnect(options.automaticReconnect());
        connectOptions.setMaxReconnectDelay((int) Math.min(Integer.MAX_VALUE, options.maxReconnectDelay().toMillis()));
        connectOptions.setKeepAliveInterval(options.keepAliveSeconds());
        connectOptions.setConnectionTimeout((int) Math.max(1, options.connectTimeout().toSeconds()));
        if (options.username() != null) {
            connectOptions.setUserName(options.username());
        }
        if (options.password() != null) {
            connectOptions.setPassword(new String(options.password()).getBytes(StandardCharsets.UTF_8));
        }
        if (options.caCertificate() != null) {
            connectOptions.setSocketFactory(pinnedCa(options.caCertificate()));
            connectOptions.setHttpsHostnameVerificationEnabled(true); // the dialled host must be in the certificate
        }
    }

    /** A TLS socket factory that trusts the CA certificate(s) in {@code pem} and nothing else. */
    static javax.net.ssl.SSLSocketFactory pinnedCa(Path pem) {
        try (var in = java.nio.file.Files.newInputStream(pem)) {
            var certs = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new MessagingException(pem + ": no certificate in the file (expected a PEM CA certificate)");
            }
            java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (var c : certs) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (java.io.IOException e) {
            throw new MessagingException("cannot read the CA certificate " + pem + ": " + e.getMessage(), e);
        } catch (java.security.GeneralSecurityException e) {
            throw new MessagingException(pem + " is not a usable CA certificate: " + e.getMessage(), e);
        }
    }

    public Options options() {
        return options;
    }

    /**
     * Connects and (re)sends SUBSCRIBE for every registered handler.
     *
     * @throws RejectedByBroker  if the broker refused the connection (e.g. 0x86 bad user name or password)
     * @throws MessagingException if the broker cannot be reached
     */
    public void connect() {
        ensureOpen();
        try {
            IMqttToken t = client.connect(connectOptions);
            t.waitForCompletion(options.connectTimeout().toMillis() + 1000);
        } catch (MqttException e) {
            int rc = e.getReasonCode();
            if (rc >= 0x80 && rc <= 0xFF) {
                throw new RejectedByBroker("connection to " + options.serverUri() + " as " + who()
                        + " refused by the broker: reason code " + RejectedByBroker.hex(rc) + " (" + reasonName(rc) + ")",
                        null, rc);
            }
            throw new MessagingException("cannot connect to " + options.serverUri() + " as " + who() + ": " + describe(e), e);
        }
        List<Subscription> subs;
        synchronized (lock) {
            subs = new ArrayList<>(subscriptions.values());
        }
        for (Subscription s : subs) {
            sendSubscribe(s);
        }
    }

    /**
     * Connects, and keeps the link connected for as long as it is open: when the broker cannot be
     * reached now, or drops the connection later, a background thread tries again after a wait that
     * starts at 1 s and doubles up to {@link Options#maxReconnectDelay}, forever. Paho's automatic
     * reconnect is off for such a link (its delay is one static field for every client in the JVM, and
     * it doubles past its cap). Reconnect listeners run after each connection the thread makes.
     *
     * @return true when connected on return; false when the broker could not be reached (the thread goes on)
     * @throws RejectedByBroker when the broker refuses this client for good (bad credentials, not
     *                          authorised, banned): a setting to fix, which retrying would not
     */
    public boolean connectAndStayConnected() {
        ensureOpen();
        stayConnected = true;
        connectOptions.setAutomaticReconnect(false);
        try {
            connect();
            return true;
        } catch (RejectedByBroker e) {
            if (!isTransientRefusal(e.reasonCode())) {
                throw e;
            }
            keepTrying(e);
        } catch (MessagingException e) {
            keepTrying(e);
        }
        return false;
    }

    private void keepTrying(MessagingException first) {
        System.err.println(tag + first.getMessage() + "; trying again in the background (at most "
                + options.maxReconnectDelay().toSeconds() + " s apart)");
        startConnector(first.getMessage());
    }

    /** CONNACK codes that say "not now" rather than "not you": server unavailable or busy, quota, rate. */
    static boolean isTransientRefusal(int code) {
        return code == 0x88 || code == 0x89 || code == 0x97 || code == 0x9F;
    }

    private void startConnector(String failure) {
        synchronized (lock) {
            if (closed || connector != null) {
                return;
            }
            connector = new Thread(() -> reconnectLoop(failure), "mqtt-reconnect-" + options.clientId());
            connector.setDaemon(true);
            connector.start();
        }
    }

    /** Tries until connected or closed; a drop noticed while this ran is picked up on the way out. */
    private void reconnectLoop(String failure) {
        try {
            Backoff backoff = Backoff.upTo(options.maxReconnectDelay());
            Duration wait = backoff.first();
            for (int attempt = 1; sleepUnlessClosed(wait) && !client.isConnected(); attempt++) {
                try {
                    connect();
                    System.err.println(tag + "connected to " + options.serverUri() + " (attempt " + attempt + ")");
                    for (Runnable r : reconnectListeners) {
                        runQuietly(r, "reconnect listener");
                    }
                    return;
                } catch (MessagingException e) { // a broker still starting may refuse too: try again all the same
                    failure = e.getMessage();
                    wait = backoff.after(wait);
                    if (attempt <= 5 || attempt % 10 == 0) { // a line per attempt at first, then every tenth
                        System.err.printf("%sattempt %d failed: %s; next in %d s%n", tag, attempt, failure,
                                wait.toSeconds());
                    }
                }
            }
        } finally {
            synchronized (lock) {
                connector = null;
            }
            if (!closed && !client.isConnected()) {
                startConnector(failure);
            }
        }
    }

    /** Waits {@code d} unless the link is closed meanwhile; returns whether it is still open. */
    private boolean sleepUnlessClosed(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        synchronized (lock) {
            for (long left = d.toNanos(); !closed && left > 0; left = deadline - System.nanoTime()) {
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !closed;
        }
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    /** Waits until connected (e.g. after an automatic reconnect); false on timeout or when closed. */
    public boolean awaitConnected(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!closed && !client.isConnected()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    // Bounded slices: connectComplete notifies, the slice guards a missed wake-up.
                    lock.wait(Math.max(1, Math.min(200, left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !closed;
        }
    }

    /**
     * Publishes and waits for the acknowledgement.
     *
     * @throws RejectedByBroker  if the broker refused it (e.g. 0x87 not authorised)
     * @throws MessagingException if not connected, the connection dropped or no ack came in time
     */
    public void publish(String topic, byte[] payload, int qos, boolean retained, Map<String, String> userProperties) {
        publishAsync(topic, payload, qos, retained, userProperties).await(options.operationTimeout());
    }

    /** Starts a publish; {@link Delivery#await} gives the outcome. Lets a sender keep a few in flight. */
    public Delivery publishAsync(String topic, byte[] payload, int qos, boolean retained,
            Map<String, String> userProperties) {
        ensureOpen();
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + qos);
        }
        MqttMessage m = new MqttMessage(payload);
        m.setQos(qos);
        m.setRetained(retained);
        if (userProperties != null && !userProperties.isEmpty()) {
            MqttProperties p = new MqttProperties();
            List<UserProperty> list = new ArrayList<>();
            userProperties.forEach((k, v) -> list.add(new UserProperty(k, v)));
            p.setUserProperties(list);
            m.setProperties(p);
        }
        long deadline = System.nanoTime() + options.operationTimeout().toNanos();
        while (true) {
            try {
                return new Delivery(client.publish(topic, m), topic, qos);
            } catch (MqttException e) {
                // Paho refuses rather than queues when the broker's receive maximum is reached
                // (e.g. right after a resume, while it resends its own in-flight messages): wait.
                if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT && System.nanoTime() < deadline
                        && client.isConnected()) {
                    pause(20);
                    continue;
                }
                throw new MessagingException("cannot publish to " + topic + ": " + describe(e), e);
            } catch (IllegalArgumentException e) {
                throw new MessagingException("cannot publish to '" + topic + "': " + e.getMessage(), e);
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("interrupted while waiting to publish");
        }
    }

    /**
     * Acknowledges messages only when their handler says so ({@link #subscribeAcked}; other handlers' messages
     * are acknowledged when the handlers return) and tells the broker to send at most {@code receiveMaximum}
     * unacknowledged QoS 1 / 2 messages at a time (MQTT v5 Receive Maximum): with 1, a shared subscription
     * gives this client one message and the next only after its acknowledgement. Before {@link #connect()}.
     */
    public MqttLink manualAcks(int receiveMaximum) {
        if (client.isConnected()) {
            throw new IllegalStateException("manual acknowledgements are set before connecting");
        }
        if (receiveMaximum < 1 || receiveMaximum > 65535) {
            throw new IllegalArgumentException("receiveMaximum must be 1..65535, got " + receiveMaximum);
        }
        client.setManualAcks(true);
        connectOptions.setReceiveMaximum(receiveMaximum);
        manualAcks = true;
        return this;
    }

    /**
     * As {@link #subscribe}, but the message is acknowledged only when {@code handler} runs its {@code ack}
     * (needs {@link #manualAcks}). A handler that throws has its message acknowledged.
     */
    public void subscribeAcked(String filter, int qos, AckedHandler handler) {
        if (!manualAcks) {
            throw new IllegalStateException("subscribeAcked needs manualAcks(...) first");
        }
        Objects.requireNonNull(handler, "handler");
        register(new Subscription(filter, qos, null, handler));
    }

    /**
     * Registers {@code handler} for messages matching {@code filter} and, when connected, subscribes
     * and checks the SUBACK. Before {@link #connect()} it only registers; connect subscribes.
     *
     * @throws RejectedByBroker  e.g. "not authorised to subscribe to X" (0x87)
     * @throws MessagingException on a lost connection or timeout
     */
    public void subscribe(String filter, int qos, Handler handler) {
        Objects.requireNonNull(handler, "handler");
        register(new Subscription(filter, qos, handler, null));
    }

    private void register(Subscription s) {
        ensureOpen();
        String filter = s.filter();
        Topics.matches(filter, "x"); // validates the filter syntax early
        if (s.qos() < 0 || s.qos() > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + s.qos());
        }
        synchronized (lock) {
            subscriptions.put(filter, s);
        }
        if (client.isConnected()) {
            try {
                sendSubscribe(s);
            } catch (RuntimeException e) {
                synchronized (lock) {
                    subscriptions.remove(filter, s);
                }
                throw e;
            }
        }
    }

    public void unsubscribe(String filter) {
        synchronized (lock) {
            subscriptions.remove(filter);
        }
        if (client.isConnected()) {
            try {
                client.unsubscribe(filter).waitForCompletion(options.operationTimeout().toMillis());
            } catch (MqttException e) {
                throw new MessagingException("cannot unsubscribe from " + filter + ": " + describe(e), e);
            }
        }
    }

    /** Runs after a lost connection (not after {@link #close()}), on Paho's thread: do not block. */
    public void onConnectionLost(Runnable r) {
        lostListeners.add(r);
    }

    /**
     * Runs after the link connected again on its own (Paho's automatic reconnect, or the thread of
     * {@link #connectAndStayConnected()}), once SUBSCRIBEs are re-sent; on that thread: do not block.
     */
    public void onReconnected(Runnable r) {
        reconnectListeners.add(r);
    }

    /** Disconnects (if connected) and releases the client; safe to call twice. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
        }
        // Stops Paho from scheduling further reconnect attempts (it reads this object on each failure).
        connectOptions.setAutomaticReconnect(false);
        try {
            if (client.isConnected()) {
                client.disconnect(1000).waitForCompletion(2000);
            }
        } catch (MqttException e) {
            // Going away anyway: the forced close below releases the resources.
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            System.err.println(tag + "close: " + describe(e));
        }
    }

    private void sendSubscribe(Subscription s) {
        IMqttToken t;
        try {
            t = client.subscribe(new MqttSubscription(s.filter(), s.qos()));
            t.waitForCompletion(options.operationTimeout().toMillis());
        } catch (MqttException e) {
            throw new MessagingException("cannot subscribe to " + s.filter() + ": " + describe(e), e);
        }
        checkSubAck(s.filter(), t.getReasonCodes());
    }

    private static void checkSubAck(String filter, int[] codes) {
        if (codes == null || codes.length == 0) {
            throw new MessagingException("no SUBACK reason code for " + filter);
        }
        int c = codes[0];
        if (c == RejectedByBroker.NOT_AUTHORIZED) {
            throw new RejectedByBroker("not authorised to subscribe to " + filter + " (SUBACK 0x87)", filter, c);
        }
        if (c >= 0x80) {
            throw new RejectedByBroker("subscription to " + filter + " refused by the broker: reason code "
                    + RejectedByBroker.hex(c) + " (" + reasonName(c) + ")", filter, c);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new MessagingException("MQTT link " + options.clientId() + " is closed");
        }
    }

    private String who() {
        return "'" + options.clientId() + "'" + (options.username() == null ? "" : " (user " + options.username() + ")");
    }

    private static String describe(MqttException e) {
        String m = e.getMessage();
        return (m == null ? "error" : m) + " (Paho code " + e.getReasonCode() + ")";
    }

    static String reasonName(int code) {
        return switch (code) {
            case 0x80 -> "unspecified error";
            case 0x81 -> "malformed packet";
            case 0x82 -> "protocol error";
            case 0x83 -> "implementation specific error";
            case 0x84 -> "unsupported protocol version";
            case 0x85 -> "client identifier not valid";
            case 0x86 -> "bad user name or password";
            case 0x87 -> "not authorised";
            case 0x88 -> "server unavailable";
            case 0x89 -> "server busy";
            case 0x8A -> "banned";
            case 0x8F -> "topic filter invalid";
            case 0x90 -> "topic name invalid";
            case 0x91 -> "packet identifier in use";
            case 0x95 -> "packet too large";
            case 0x97 -> "quota exceeded";
            case 0x99 -> "payload format invalid";
            case 0x9E -> "shared subscriptions not supported";
            case 0xA1 -> "subscription identifiers not supported";
            case 0xA2 -> "wildcard subscriptions not supported";
            default -> "see the MQTT v5 reason codes";
        };
    }

    private final class Callback implements MqttCallback {

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            List<Subscription> matching = new ArrayList<>(2);
            synchronized (lock) {
                for (Subscription s : subscriptions.values()) {
                    if (Topics.matches(s.filter(), topic)) {
                        matching.add(s);
                    }
                }
            }
            if (matching.isEmpty()) {
                System.err.println(tag + "no handler for message on " + topic + " (dropped)");
                ack(message).run();
                return;
            }
            Map<String, String> props = userProperties(message);
            byte[] payload = message.getPayload();
            Runnable ack = ack(message);
            boolean deferred = false;
            for (Subscription s : matching) {
                try {
                    if (s.acked() != null) {
                        deferred = true;
                        s.acked().onMessage(topic, payload, props, ack);
                    } else {
                        s.handler().onMessage(topic, payload, props);
                    }
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) {
                    // Never let a handler kill the connection: Paho disconnects when this callback throws.
                    System.err.println(tag + "handler for " + s.filter() + " failed on " + topic + ": " + e);
                    e.printStackTrace();
                    deferred = false;
                }
            }
            if (!deferred) {
                ack.run();
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            if (closed) {
                return;
            }
            System.err.println(tag + "connection lost: " + response);
            if (response != null && response.getReturnCode() == 0x94) {
                System.err.println(tag + "the broker could not map a topic alias: Paho 1.2.5 resends in-flight"
                        + " messages with aliases from the previous connection. Disable topic aliases on the broker"
                        + " (HiveMQ: mqtt/topic-alias/enabled=false, mosquitto: max_topic_alias 0).");
            }
            for (Runnable r : lostListeners) {
                runQuietly(r, "connection-lost listener");
            }
            if (stayConnected) {
                startConnector("connection lost");
            }
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            synchronized (lock) {
                lock.notifyAll();
            }
            if (!reconnect) {
                return;
            }
            // A resumed session keeps its subscriptions, a clean one does not; re-subscribing is
            // harmless either way. Asynchronous: this runs on a Paho thread that must not block.
            List<Subscription> subs;
            synchronized (lock) {
                subs = new ArrayList<>(subscriptions.values());
            }
            for (Subscription s : subs) {
                try {
                    // This overload: the single-subscription ones with properties index an empty
                    // subscription-identifier list in Paho 1.2.5.
                    client.subscribe(new MqttSubscription[] {new MqttSubscription(s.filter(), s.qos())}, null,
                            new MqttActionListener() {
                                @Override
                                public void onSuccess(IMqttToken t) {
                                    int[] codes = t.getReasonCodes();
                                    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                                        System.err.println(tag + "re-subscribe to " + s.filter() + " refused: "
                                                + RejectedByBroker.hex(codes[0]));
                                    }
                                }

                                @Override
                                public void onFailure(IMqttToken t, Throwable e) {
                                    System.err.println(tag + "re-subscribe to " + s.filter() + " failed: " + e);
                                }
                            }, new MqttProperties());
                } catch (MqttException e) {
                    System.err.println(tag + "re-subscribe to " + s.filter() + " failed: " + describe(e));
                }
            }
            for (Runnable r : reconnectListeners) {
                runQuietly(r, "reconnect listener");
            }
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            System.err.println(tag + "MQTT error: " + describe(exception));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}

    }

    /** The message's acknowledgement under manual acks (once, from any thread); nothing to do otherwise. */
    private Runnable ack(MqttMessage m) {
        if (!manualAcks || m.getQos() == 0) {
            return () -> { };
        }
        java.util.concurrent.atomic.AtomicBoolean sent = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (sent.compareAndSet(false, true) && !closed) {
                try {
                    client.messageArrivedComplete(m.getId(), m.getQos());
                } catch (MqttException e) {
                    // the connection is gone: the broker gives the message out again when the session ends
                    System.err.println(tag + "acknowledgement of message " + m.getId() + " not sent: " + describe(e));
                }
            }
        };
    }

    private void runQuietly(Runnable r, String what) {
        try {
            r.run();
        } catch (RuntimeException e) {
            System.err.println(tag + what + " failed: " + e);
        }
    }

    private static Map<String, String> userProperties(MqttMessage m) {
        MqttProperties p = m.getProperties();
        if (p == null || p.getUserProperties() == null || p.getUserProperties().isEmpty()) {
            return Map.of();
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (UserProperty u : p.getUserProperties()) {
            map.put(u.getKey(), u.getValue());
        }
        return Collections.unmodifiableMap(map);
    }

    @Override
    public String toString() {
        return "MqttLink" + Arrays.asList(options.clientId(), options.serverUri());
    }
}
