package org.diredi.bench.rollout;

import org.diredi.bench.report.Cells;
import org.diredi.vision.report.MachineFacts;
import org.diredi.vision.report.MarkdownTable;

/** The Markdown of {@code bench rollout}: one row per phase, then the verdict against the target. */
final class RolloutReport {

    private RolloutReport() {}

    static String markdown(RolloutBenchmark.Result r) {
        MarkdownTable t = new MarkdownTable("phase", "from", "seconds");
        for (RolloutBenchmark.Phase p : r.phases()) {
            t.row(p.name(), p.fromRelease() ? "the release" : "the canary proven", Cells.number("%.2f", p.seconds()));
        }
        return "## Staged rollout to " + r.cameras() + " simulated cameras (embedded broker, loopback)\n\n"
                + String.format("The edge model (%,d bytes, cpu profile) to %d cameras, %s. Every camera is its own"
                        + " MQTT v5 client and broker account running the edge runtime's OTA path (chunk receiver,"
                        + " signature / profile / expiry / version / SHA-256 checks, model store swap), no inference."
                        + "%n%n", r.modelBytes(), r.cameras(), r.settings())
                + t.toString().strip() + "\n\n"
                + String.format("%d/%d cameras applied v1; release -> every camera applied: %.1f s (target under %.0f"
                        + " s: %s). %s.%n", r.applied(), r.cameras(), r.seconds(), r.targetSeconds(),
                Cells.met(r.met()), MachineFacts.describe(r.machine()));
    }
}
