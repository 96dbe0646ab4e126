package org.diredi.bench.transfer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diredi.bench.PerfSettings;
import org.diredi.messaging.TransferSender;

/**
 * Section 4 of {@code bench perf}: each delta file on-prem -> cloud, then the exported edge model
 * cloud -> simulated devices, over the embedded broker on loopback ({@link BrokerTransfers}).
 */
public final class TransferSection {

    private final PerfSettings s;

    public TransferSection(PerfSettings settings) {
        this.s = settings;
    }

    /** Runs the transfers in {@code dir} (broker store and device staging: scratch). */
    public List<TransferRow> run(Path dir, List<Path> deltas, Path model) throws Exception {
        System.out.println("perf: [4/5] transfers over the embedded broker (" + s.devices() + " devices)");
        List<TransferRow> rows = new ArrayList<>();
        for (TransferFigures f : BrokerTransfers.run(dir, deltas, model, s.devices(), s.parallelSenders(), System.out)) {
            rows.add(new TransferRow(f, "every receiver gets the hash-checked file", f.completed() == f.receivers()));
        }
        return rows;
    }

    public static Map<String, Object> json(List<TransferRow> rows) {
        return Map.of("rows", rows);
    }

    /** The report's section 4. */
    public static String markdown(List<TransferRow> rows) {
        return "### 4. Transfers over the embedded broker (loopback)\n\nChunked transfers (QoS 1, per-chunk SHA-256,"
                + " TransferSender window " + TransferSender.DEFAULT_WINDOW + ") through HiveMQ CE in this JVM with the"
                + " product's accounts, ACLs and chunk sizes; every device is its own MQTT client and TransferReceiver"
                + " (chunks staged on disk, assembled, hash-checked). Seconds: first publish to the last receiver's"
                + " check, after one untimed warm-up upload. MB = 10^6 bytes.\n\n" + TransferRow.table(rows).strip()
                + "\n\n";
    }
}
