package org.diredi.cli;

import picocli.CommandLine.Command;

/** Benchmarks (tables printed and written as Markdown + JSON). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print a table and write results.",
        subcommands = {TrainBench.class, DistillBench.class, ExportBench.class, PerfBench.class})
final class BenchCommand {}
