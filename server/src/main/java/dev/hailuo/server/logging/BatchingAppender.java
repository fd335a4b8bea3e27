package dev.hailuo.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A logback appender that takes log lines off the request threads: they only queue the event,
 * and one background thread encodes the queued events and writes them in one write per batch,
 * to stdout or to {@code <file>}.
 *
 * <p>Why not logback's AsyncAppender: its queue takes a lock and wakes the worker for nearly
 * every event, because the worker drains faster than requests arrive and goes back to sleep.
 * With one access-log line per request that hand-off cost more than the rest of a status read's
 * logging (docs/benchmarks.md). Here the writer, after a batch, lingers {@value #LINGER_MILLIS} ms
 * before looking again, and while it lingers nobody wakes it; only once it finds the queue still
 * empty does it sleep until the next event wakes it. Under load that is one wake-up and one
 * {@code write} per batch; when idle it costs nothing; a line waits at most about
 * {@value #LINGER_MILLIS} ms.
 *
 * <p>Nothing is dropped: past {@value #CAPACITY} queued events a logging thread waits for room
 * (a stuck stdout slows requests down instead of filling the heap). Stopping the appender (the
 * logging context's stop, which Main calls on exit) writes everything still queued.
 */
public final class BatchingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    static final int CAPACITY = 16_384;
    static final long LINGER_MILLIS = 2;
    private static final int MAX_BATCH_BYTES = 256 * 1024;

    private final ConcurrentLinkedQueue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private Encoder<ILoggingEvent> encoder;
    private String file;
    private OutputStream out;
    private Thread writer;
    private volatile boolean sleeping;
    private volatile boolean stopping;

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    /** Where lines go; stdout when unset. */
    public void setFile(String file) {
        this.file = file;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for appender " + name);
            return;
        }
        try {
            out = file == null ? System.out : new FileOutputStream(file, true);
        } catch (IOException e) {
            addError("cannot open log file " + file, e);
            return;
        }
        stopping = false;
        writer = Thread.ofPlatform().daemon().name("log-writer-" + name).start(this::writeLoop);
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        // What the writer thread will need later is fixed now: the message, the MDC, the thread name.
        event.prepareForDeferredProcessing();
        while (queued.get() >= CAPACITY && !stopping) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        queued.incrementAndGet();
        queue.offer(event);
        if (sleeping) {
            LockSupport.unpark(writer);
        }
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        stopping = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (file != null) {
            try {
                out.close();
            } catch (IOException e) {
                addError("cannot close log file " + file, e);
            }
        }
    }

    private void writeLoop() {
        ByteArrayOutputStream batch = new ByteArrayOutputStream(64 * 1024);
        while (true) {
            ILoggingEvent event;
            while (batch.size() < MAX_BATCH_BYTES && (event = queue.poll()) != null) {
                queued.decrementAndGet();
                batch.writeBytes(encoder.encode(event));
            }
            if (batch.size() > 0) {
                write(batch);
                batch.reset();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS));
                continue;
            }
            if (stopping) {
                return;
            }
            sleeping = true;
            // Checked again after announcing the sleep: an event queued just before would otherwise wait for the next one.
            if (queue.isEmpty() && !stopping) {
                LockSupport.park(this);
            }
            sleeping = false;
        }
    }

    private void write(ByteArrayOutputStream batch) {
        try {
            batch.writeTo(out);
            out.flush();
        } catch (IOException e) {
            addError("cannot write log lines", e);
        }
    }
}
