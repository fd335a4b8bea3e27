package dev.hailuo.server.dispatch;

import dev.hailuo.core.port.TaskStore;
import dev.hailuo.core.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The work loop: claims due tasks from the store with a lease and runs one step of each on a
 * virtual thread, never more than {@code workers} at once. It wakes when a task is created
 * ({@link #wake}) or every {@link #TICK}, whichever comes first. Safe to run on every node: the
 * lease keeps two nodes off the same task.
 *
 * <p>Leases are short ({@code HAILUO_LEASE_SECONDS}, {@link #DEFAULT_LEASE} by default) and
 * renewed every third of their length while the step runs, so a long step (a slow upstream, a
 * large download) keeps its task, and a node that dies lets its tasks go within one lease.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    public static final Duration TICK = Duration.ofMillis(200);
    /** A node that dies holding a task lets it go after this; a live node renews it while the step runs. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** How often housekeeping (such as recounting tasks in flight per provider) runs. */
    public static final Duration HOUSEKEEPING = Duration.ofSeconds(5);

    private final TaskStore tasks;
    private final TaskRunner runner;
    private final Runnable housekeeping;
    private final PickOrder order;
    private final Supplier<Map<String, Integer>> pollRoom;
    private long nextHousekeeping;
    private final Clock clock;
    private final String nodeId;
    private final Duration lease;
    private final Set<String> stepping = ConcurrentHashMap.newKeySet();
    private long nextRenewal;
    private final Semaphore slots;
    private final ExecutorService steps = Executors.newVirtualThreadPerTaskExecutor();
    private final WorkLoop loop;

    /** @param pollRoom each provider's status reads available now: tasks to poll are claimed only up to it */
    public Dispatcher(TaskStore tasks, TaskRunner runner, PickOrder order, Supplier<Map<String, Integer>> pollRoom,
                      Runnable housekeeping, Clock clock, String nodeId, int workers, Duration lease) {
        this.lease = lease;
        this.tasks = tasks;
        this.pollRoom = pollRoom;
        this.runner = runner;
        this.order = order;
        this.housekeeping = housekeeping;
        this.clock = clock;
        this.nodeId = nodeId;
        this.slots = new Semaphore(workers);
        this.loop = new WorkLoop("dispatcher", TICK, this::turn);
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

    /** @return whether the claim filled every free worker (more may be due) */
    private boolean turn() {
        if (clock.millis() >= nextHousekeeping) {
            housekeeping.run();
            nextHousekeeping = clock.millis() + HOUSEKEEPING.toMillis();
        }
        if (clock.millis() >= nextRenewal) {
            renewLeases();
        }
        int free = slots.availablePermits();
        List<Task> due = free == 0 ? List.of() : tasks.claimDue(nodeId, clock.instant(), lease, free, pollRoom.get());
        for (PickOrder.Step step : order.arrange(due)) {
            slots.acquireUninterruptibly();
            stepping.add(step.task().id());
            steps.execute(() -> {
                try {
                    runner.step(step.task(), step.ticket());
                } finally {
                    stepping.remove(step.task().id());
                    step.ticket().pass(); // never leave the next task waiting, whatever happened
                    slots.release();
                    wake();
                }
            });
        }
        return !due.isEmpty() && due.size() >= free;
    }

    /** Keeps the leases of the steps still running from running out under them. */
    private void renewLeases() {
        nextRenewal = clock.millis() + lease.toMillis() / 3;
        try {
            tasks.renewLeases(nodeId, Set.copyOf(stepping), clock.instant().plus(lease));
        } catch (RuntimeException e) {
            log.warn("renewing task leases failed; retrying in {} ms", lease.toMillis() / 3, e);
        }
    }

    @Override
    public void close() {
        loop.close();
        steps.shutdown();
    }
}
