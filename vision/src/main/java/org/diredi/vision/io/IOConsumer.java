package org.diredi.vision.io;

import java.io.IOException;

/** A consumer that may throw {@link IOException}, for writers passed to {@link AtomicFiles}. */
@FunctionalInterface
public interface IOConsumer<T> {

    void accept(T t) throws IOException;
}
