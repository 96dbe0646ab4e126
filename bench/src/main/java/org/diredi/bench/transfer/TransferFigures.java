package org.diredi.bench.transfer;

/**
 * One measured transfer. {@code seconds}: from the first publish until every receiver has the
 * hash-checked file; {@code megabytesPerSecond}: payload x receivers / seconds, in 10^6 bytes.
 */
public record TransferFigures(String name, long payloadBytes, int receivers, int senders, int chunkBytes,
                              double seconds, double megabytesPerSecond, int completed) {}
