package dev.hailuo.server.notify;

import dev.hailuo.core.IdGenerator;
import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.DeliveryRules;
import dev.hailuo.core.notify.StoredEvent;
import dev.hailuo.core.port.Outbox;
import dev.hailuo.core.port.WebhookStore;
import dev.hailuo.server.dispatch.WorkLoop;
import dev.hailuo.server.fetch.SafeFetcher;
import dev.hailuo.server.store.CallbackKeys;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * The delivery engine's loop, separate from task dispatch (its own thread, workers and HTTP
 * client): publishes events the settlements wrote to the outbox, then leases due deliveries and
 * attempts each on a virtual thread, never more than {@code workers} at once and never more
 * than {@link ReceiverSlots#perReceiver()} for one receiver. It wakes on {@link #wake} or every
 * {@link #TICK}. Safe on every node: publishing is a compare-and-set, attempts run under a lease.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    public static final Duration TICK = Duration.ofMillis(200);
    /** Longer than one attempt (15 s) with room to record it; a node that dies lets its deliveries go after this. */
    public static final Duration LEASE = Duration.ofMinutes(1);
    static final int PUBLISH_BATCH = 100;
    /** Events, their deliveries and attempts are kept this long, then forgotten (the logs are for diagnosis). */
    public static final Duration RETENTION = Duration.ofDays(30);
    static final Duration HOUSEKEEPING = Duration.ofMinutes(10);
    static final int FORGET_BATCH = 1000;

    private final Outbox outbox;
    private final WebhookStore store;
    private final Publisher publisher;
    private final Courier courier;
    private final ReceiverSlots receivers;
    private final Clock clock;
    private final String nodeId;
    private final Semaphore workers;
    private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();
    private final WorkLoop loop;
    private long nextHousekeeping;

    Notifier(Outbox outbox, WebhookStore store, Publisher publisher, Courier courier, ReceiverSlots receivers, Clock clock,
             String nodeId, int workers) {
        this.outbox = outbox;
        this.store = store;
        this.publisher = publisher;
        this.courier = courier;
        this.receivers = receivers;
        this.clock = clock;
        this.nodeId = nodeId;
        this.workers = new Semaphore(workers);
        this.loop = new WorkLoop("notifier", TICK, this::turn);
    }

    /** The engine wired from its parts; {@code nodeId} owns its leases. */
    public static Notifier create(Outbox outbox, WebhookStore store, dev.hailuo.core.port.TaskStore tasks, CallbackKeys callbackKeys,
                                  EventPayloads payloads, CallbackSource callbacks, SafeFetcher fetcher, DeliveryRules rules,
                                  IdGenerator ids, Clock clock, String nodeId, int workers, int perReceiver, MeterRegistry metrics) {
        Publisher publisher = new Publisher(outbox, tasks, store, payloads, callbacks, ids, clock);
        Courier courier = new Courier(outbox, store, callbackKeys, fetcher, rules, clock, nodeId, metrics);
        return new Notifier(outbox, store, publisher, courier, new ReceiverSlots(perReceiver), clock, nodeId, workers);
    }

    public void start() {
        loop.start();
    }

    public boolean isRunning() {
        return loop.isRunning();
    }

    public void wake() {
        loop.wake();
    }

    /** @return whether more may be waiting (a full batch published or attempted) */
    private boolean turn() {
        housekeeping();
        return publish() | attemptDue();
    }

    /** @return whether a full batch was published without a failure (more may be waiting) */
    private boolean publish() {
        List<StoredEvent> waiting = outbox.unpublished(PUBLISH_BATCH);
        int published = 0;
        for (StoredEvent event : waiting) {
            try {
                publisher.publish(event);
                published++;
            } catch (RuntimeException e) {
                // Left in the outbox and tried again next turn (not at once: no busy loop on a bad event);
                // one bad event must not stop the others.
                log.error("publishing event {} failed; will retry", event.id(), e);
            }
        }
        return published == PUBLISH_BATCH;
    }

    /** @return whether every free worker got a delivery (more may be due) */
    private boolean attemptDue() {
        int free = workers.availablePermits();
        if (free == 0 || !outbox.anyDue(clock.instant())) {
            return false;
        }
        List<Delivery> claimed = outbox.claimDue(nodeId, clock.instant(), LEASE, free, receivers.full(), receivers.perReceiver());
        List<String> giveBack = new ArrayList<>();
        for (Delivery d : claimed) {
            if (!receivers.tryTake(d.receiver())) {
                giveBack.add(d.id());
                continue;
            }
            workers.acquireUninterruptibly();
            attempts.execute(() -> {
                try {
                    courier.attempt(d);
                } catch (RuntimeException e) {
                    // The lease runs out and the delivery is attempted again; nothing else to do here.
                    log.error("attempt of delivery {} failed unexpectedly", d.id(), e);
                } finally {
                    receivers.giveBack(d.receiver());
                    workers.release();
                    wake();
                }
            });
        }
        outbox.release(nodeId, giveBack);
        return claimed.size() == free && giveBack.isEmpty();
    }

    private void housekeeping() {
        if (clock.millis() < nextHousekeeping) {
            return;
        }
        nextHousekeeping = clock.millis() + HOUSEKEEPING.toMillis();
        int forgotten = store.forget(clock.instant().minus(RETENTION), FORGET_BATCH);
        if (forgotten > 0) {
            log.info("forgot {} events older than {} days", forgotten, RETENTION.toDays());
        }
    }

    @Override
    public void close() {
        loop.close();
        attempts.shutdownNow();
    }
}
