package dev.hailuo.server.dispatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A named thread that runs turns until closed, for the task dispatcher and the delivery engine.
 * After a turn that found less work than it could take, it waits for {@link #wake} or one tick,
 * whichever comes first; a turn that fails is logged and tried again a tick later.
 */
public final class WorkLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkLoop.class);

    /** One pass over the work. */
    public interface Turn {
        /** @return whether more work may be waiting right now (then the next turn starts at once) */
        boolean run() throws InterruptedException;
    }

    private final String name;
    private final Duration tick;
    private final Turn turn;
    private final Semaphore wakeups = new Semaphore(0);
    private final Thread thread;
    private volatile boolean running = true;

    public WorkLoop(String name, Duration tick, Turn turn) {
        this.name = name;
        this.tick = tick;
        this.turn = turn;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    public boolean isRunning() {
        return running && thread.isAlive();
    }

    public void wake() {
        wakeups.release();
    }

    private void run() {
        while (running) {
            try {
                if (!turn.run()) {
                    wakeups.tryAcquire(tick.toMillis(), TimeUnit.MILLISECONDS);
                    wakeups.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("{} loop failed; continuing", name, e);
                pause();
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(tick.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops after the current turn, waiting up to 5 s for it. */
    @Override
    public void close() {
        running = false;
        wake();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
