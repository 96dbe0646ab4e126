package org.diredi.vision.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Reads a dataset's files in parallel (thousands of annotations and image headers) but reports the
 * first bad one in list order, so the message does not depend on thread timing.
 */
final class ParallelLoad {

    private ParallelLoad() {}

    /** {@code read} applied to every item, in order; the first item's {@link DataException} is thrown. */
    static <T, R> List<R> map(List<T> items, Function<T, R> read) {
        Object[] results = new Object[items.size()];
        IntStream.range(0, items.size()).parallel().forEach(i -> {
            try {
                results[i] = read.apply(items.get(i));
            } catch (DataException e) {
                results[i] = e;
            }
        });
        List<R> out = new ArrayList<>(items.size());
        for (Object r : results) {
            if (r instanceof DataException e) {
                throw e;
            }
            @SuppressWarnings("unchecked")
            R value = (R) r;
            out.add(value);
        }
        return out;
    }
}
