package org.diredi.bench.transfer;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.broker.Passwords;
import org.diredi.cloud.CloudConfig;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferReceiver;
import org.diredi.messaging.TransferSender;
import org.diredi.onprem.OnPremConfig;
import org.diredi.profiles.Profiles;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.ProgressBar;

/**
 * The measurements of section 4 of {@code bench perf}: the product's chunked transfers through the
 * embedded broker on loopback, with the product's roles, ACLs and chunk sizes. A delta goes on-prem -> cloud
 * (the cloud's receiver assembles and hash-checks it on disk); an edge model goes cloud -> N
 * simulated devices, each a separate MQTT client with its own device account and receiver, first
 * one device after the other over one connection (what CloudService.ship does), then over several
 * cloud connections at once, to show what the sequential path leaves unused.
 */
final class BrokerTransfers {

    private static final String CUSTOMER = "perf";
    private static final String CLOUD = "cloud";
    private static final String ONPREM = "perf-onprem";

    private BrokerTransfers() {}

    static String deviceName(int i) {
        return String.format("perf-dev-%03d", i);
    }

    /**
     * Runs the transfers: each delta file up to the cloud, then {@code model} to {@code devices}
     * devices sequentially and with {@code parallel} cloud connections (skipped when 1).
     */
    static List<TransferFigures> run(Path dir, List<Path> deltas, Path model, int devices, int parallel, PrintStream log)
            throws Exception {
        AtomicFiles.deleteTree(dir);
        Files.createDirectories(dir);
        String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        // 1000 PBKDF2 rounds (the broker's minimum) instead of 210,000: the accounts live for this run
        // only, and 100+ full-strength hashes would cost minutes of CPU before anything is measured.
        String hash = Passwords.hash(secret.toCharArray(), 1000);
        List<BrokerConfig.User> users = new ArrayList<>();
        users.add(new BrokerConfig.User(CLOUD, hash, BrokerConfig.CLOUD, null, null));
        users.add(new BrokerConfig.User(ONPREM, hash, BrokerConfig.ONPREM, CUSTOMER, null));
        for (int i = 0; i < devices; i++) {
            users.add(new BrokerConfig.User(deviceName(i), hash, BrokerConfig.DEVICE, CUSTOMER, deviceName(i)));
        }
        List<TransferFigures> rows = new ArrayList<>();
        List<MqttLink> links = new ArrayList<>();
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.defaults().withPort(0)
                .withDataDir(dir.resolve("broker")).withUsers(users))) {
            try {
                // One untimed upload first: class loading and JIT of the transfer path are a one-off cost
                // of a fresh JVM, not of a transfer.
                upload(broker, secret, dir.resolve("cloud-incoming-warmup"), deltas.get(0), deltas.size(), links);
                for (int i = 0; i < deltas.size(); i++) {
                    Path delta = deltas.get(i);
                    rows.add(upload(broker, secret, dir.resolve("cloud-incoming-" + i), delta, i, links));
                    log.printf("perf: delta upload %s: %.2f s, %.1f MB/s%n", delta.getFileName(),
                            rows.get(rows.size() - 1).seconds(), rows.get(rows.size() - 1).megabytesPerSecond());
                }
                rows.addAll(fanOut(broker, secret, dir, model, devices, parallel, links, log));
            } finally {
                for (MqttLink l : links) {
                    l.close();
                }
            }
        }
        return rows;
    }

    private static MqttLink link(EmbeddedBroker b, String user, String clientId, String secret) {
        return new MqttLink(MqttLink.Options.of(b.serverUri(), clientId).withCredentials(user, secret)
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(2)));
    }

    /** On-prem -> cloud: the time until the cloud's receiver holds the assembled, hash-checked delta. */
    private static TransferFigures upload(EmbeddedBroker broker, String secret, Path staging, Path delta, int n,
                              List<MqttLink> links) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong doneAt = new AtomicLong();
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        MqttLink cloud = link(broker, CLOUD, CLOUD + ".intake-" + n, secret);
        links.add(cloud);
        new TransferReceiver(Topics.ALL_DELTAS, staging, CloudConfig.DEFAULTS.maxDeltaBytes(),
                listener(done, doneAt, ok, failures, null)).attach(cloud, 1);
        cloud.connect();
        MqttLink onprem = link(broker, ONPREM, ONPREM, secret);
        links.add(onprem);
        onprem.connect();
        int chunk = OnPremConfig.DEFAULTS.chunkBytes();
        long size = Files.size(delta);
        String id = "perf-delta-" + Long.toHexString(System.nanoTime());
        long t0 = System.nanoTime();
        TransferSender.send(onprem, Topics.delta(CUSTOMER), id, "{}".getBytes(), delta, chunk, TransferSender.Progress.NONE);
        if (!done.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException("delta upload did not complete at the cloud within 300 s");
        }
        if (ok.get() == 0) {
            throw new IllegalStateException("delta upload failed at the cloud: " + failures);
        }
        double s = (doneAt.get() - t0) / 1e9;
        onprem.close();
        cloud.close();
        links.remove(onprem);
        links.remove(cloud);
        return new TransferFigures("delta upload " + delta.getFileName() + " (on-prem -> cloud)", size, 1, 1, chunk, s,
                size / s / 1e6, ok.get());
    }

    /** Counts receivers done (a failure too, so nothing waits for it) and those that got the file. */
    private static TransferReceiver.Listener listener(CountDownLatch done, AtomicLong doneAt, AtomicInteger ok,
                                                      List<String> failures, ProgressBar bar) {
        return new TransferReceiver.Listener() {
            @Override
            public void onComplete(TransferReceiver.Transfer t) throws Exception {
                doneAt.accumulateAndGet(System.nanoTime(), Math::max);
                ok.incrementAndGet();
                Files.deleteIfExists(t.payload()); // received and checked; 100 copies need not stay on disk
                if (bar != null) {
                    bar.step(1);
                }
                done.countDown();
            }

            @Override
            public void onFailed(String transferId, String reason) {
                synchronized (failures) {
                    failures.add(transferId + ": " + reason);
                }
                done.countDown();
            }
        };
    }

    private static List<TransferFigures> fanOut(EmbeddedBroker broker, String secret, Path dir, Path model, int devices,
                                     int parallel, List<MqttLink> links, PrintStream log) throws Exception {
        // One receiver per device for the whole run; each round sends new transfer ids.
        Round[] current = new Round[1];
        List<MqttLink> deviceLinks = new ArrayList<>();
        long maxBytes = Profiles.resolve("cpu").maxModelBytes();
        for (int i = 0; i < devices; i++) {
            String d = deviceName(i);
            MqttLink l = link(broker, d, d, secret);
            new TransferReceiver(Topics.ota(CUSTOMER, d), dir.resolve("devices").resolve(d), maxBytes,
                    new TransferReceiver.Listener() {
                        @Override
                        public void onComplete(TransferReceiver.Transfer t) throws Exception {
                            current[0].listener.onComplete(t);
                        }

                        @Override
                        public void onFailed(String transferId, String reason) {
                            current[0].listener.onFailed(transferId, reason);
                        }
                    }).attach(l, 1);
            deviceLinks.add(l);
            links.add(l);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(4, parallel));
        try {
            log.printf("perf: connecting %d simulated devices%n", devices);
            List<Future<?>> connects = new ArrayList<>();
            for (MqttLink l : deviceLinks) {
                connects.add(pool.submit(l::connect));
            }
            for (Future<?> f : connects) {
                f.get();
            }
            List<TransferFigures> rows = new ArrayList<>();
            rows.add(round("OTA fan-out, one cloud connection, device after device (as CloudService)", broker, secret,
                    model, devices, 1, current, pool, links, log));
            if (parallel > 1) {
                rows.add(round("OTA fan-out, " + parallel + " cloud connections in parallel", broker, secret, model,
                        devices, parallel, current, pool, links, log));
            }
            return rows;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The state of one fan-out round, swapped in for the receivers' callbacks. */
    private record Round(TransferReceiver.Listener listener) {}

    private static TransferFigures round(String name, EmbeddedBroker broker, String secret, Path model, int devices,
                                         int senders, Round[] current, ExecutorService pool, List<MqttLink> links,
                                         PrintStream log) throws Exception {
        CountDownLatch done = new CountDownLatch(devices);
        AtomicLong doneAt = new AtomicLong();
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        int chunk = CloudConfig.DEFAULTS.chunkBytes();
        long size = Files.size(model);
        List<MqttLink> clouds = new ArrayList<>();
        for (int k = 0; k < senders; k++) {
            MqttLink c = link(broker, CLOUD, CLOUD + ".ota-" + senders + "-" + k, secret);
            c.connect();
            clouds.add(c);
            links.add(c);
        }
        String round = Long.toHexString(System.nanoTime());
        double seconds;
        try (ProgressBar bar = new ProgressBar("OTA to " + devices + " devices, " + senders + " sender(s)", devices,
                log, "dev")) {
            current[0] = new Round(listener(done, doneAt, ok, failures, bar));
            long t0 = System.nanoTime();
            List<Future<?>> sends = new ArrayList<>();
            for (int k = 0; k < senders; k++) {
                MqttLink c = clouds.get(k);
                int first = k;
                sends.add(pool.submit(() -> {
                    for (int i = first; i < devices; i += senders) {
                        String d = deviceName(i);
                        TransferSender.send(c, Topics.ota(CUSTOMER, d), "ota-perf-" + round + "-" + d,
                                "{}".getBytes(), model, chunk, TransferSender.Progress.NONE);
                    }
                    return null;
                }));
            }
            for (Future<?> f : sends) {
                f.get();
            }
            boolean all = done.await(600, TimeUnit.SECONDS);
            seconds = ((all && ok.get() > 0 ? doneAt.get() : System.nanoTime()) - t0) / 1e9;
        } finally {
            for (MqttLink c : clouds) {
                c.close();
                links.remove(c);
            }
        }
        int completed = ok.get();
        if (!failures.isEmpty()) {
            log.println("perf: OTA failures: " + failures);
        }
        return new TransferFigures(name, size, devices, senders, chunk, seconds,
                size * (double) completed / seconds / 1e6, completed);
    }
}
