package dev.hailuo.server.dispatch;

import dev.hailuo.core.money.Money;
import dev.hailuo.core.port.Settlement;
import dev.hailuo.core.port.TaskChange;
import dev.hailuo.core.port.TaskStore;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskError;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.server.media.InvalidMediaException;
import dev.hailuo.server.upstream.Upstream;
import dev.hailuo.server.upstream.Upstreams;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Moves one task one step forward. Each state is written before the action it leads to
 * (submitting before the upstream call, finalizing before the download), so after a crash the
 * state says exactly what may have happened and the step is simply run again:
 * <ul>
 *   <li>queued: mark submitting, submit along the model's route, then processing (or back to
 *       queued, or failed);</li>
 *   <li>submitting (only seen after a crash): the submit may or may not have reached the engine
 *       (an unknown outcome, see below); submit again;</li>
 *   <li>processing: poll; when done, mark finalizing, store the video, settle;</li>
 *   <li>finalizing (after a crash): fetch the result again and finish.</li>
 * </ul>
 * Answers are classified (PRODUCT.md section 10): retryable answers put the task back in the
 * queue with backoff; permanent ones fail it (refunded); operator faults (bad key, empty
 * upstream balance) open that provider's circuit and the task moves on to the next provider
 * of its route, or waits queued, and is never failed for it.
 *
 * <p>Unknown outcome (a submit sent without an answer, or a crash in submitting): the task is
 * submitted again, because a task that silently never renders is worse for the customer than a
 * second render upstream, which costs only the operator. Each such resubmission to an engine
 * that does not key jobs by our task id is counted in {@code hailuo_possible_duplicate_renders_total}.
 *
 * <p>Only {@link TaskStore#settle} ends a task, so credits move exactly once.
 */
public final class TaskRunner {
    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);
    /** How long to wait before retrying a step that threw unexpectedly. */
    public static final Duration ERROR_BACKOFF = Duration.ofSeconds(5);
    public static final Duration MAX_SUBMIT_BACKOFF = Duration.ofMinutes(1);
    /** How soon a task that found no available provider looks again. */
    public static final Duration NO_PROVIDER_WAIT = Duration.ofSeconds(1);
    /** Never look again sooner than this, so a starved queue does not spin. */
    public static final Duration MIN_WAIT = Duration.ofMillis(50);

    private final TaskStore tasks;
    private final Upstreams upstreams;
    private final ResultStore results;
    private final Money money;
    private final PollSchedule schedule;
    private final Clock clock;
    private final Counter possibleDuplicates;
    private final PickOrder order;

    public TaskRunner(TaskStore tasks, Upstreams upstreams, ResultStore results, Money money, PollSchedule schedule,
                      Clock clock, MeterRegistry metrics, PickOrder order) {
        this.order = order;
        this.tasks = tasks;
        this.upstreams = upstreams;
        this.results = results;
        this.money = money;
        this.schedule = schedule;
        this.clock = clock;
        this.possibleDuplicates = Counter.builder("hailuo_possible_duplicate_renders")
                .description("Submissions repeated after an unknown outcome to an engine that may render twice")
                .register(metrics);
    }

    public void step(Task task) {
        step(task, PickOrder.Ticket.free());
    }

    /** One step; a submission picks its provider only when {@code ticket} says it is its turn (fair dispatch). */
    void step(Task task, PickOrder.Ticket ticket) {
        try {
            switch (task.state()) {
                case QUEUED -> submit(task, TaskState.QUEUED, ticket);
                case SUBMITTING -> submit(task, TaskState.SUBMITTING, ticket);
                case PROCESSING -> poll(task);
                case FINALIZING -> finish(task);
                default -> { }
            }
        } catch (RuntimeException e) {
            log.error("step of task {} in state {} failed; retrying in {}", task.id(), task.state(), ERROR_BACKOFF, e);
            // The step may have moved the task before failing: retry from where it is now, until its deadline.
            tasks.find(task.id()).filter(t -> !t.state().isTerminal()).ifPresent(current -> {
                Instant now = clock.instant();
                if (now.isAfter(current.deadlineAt())) {
                    fail(current, current.state(), FailureCode.GENERATION_FAILED.error(
                            "The result could not be obtained before the deadline."));
                } else {
                    tasks.advance(current.id(), current.state(), TaskChange.to(current.state(), now.plus(ERROR_BACKOFF), now));
                }
            });
        }
    }

    private void submit(Task task, TaskState from, PickOrder.Ticket ticket) {
        Instant now = clock.instant();
        if (now.isAfter(task.deadlineAt())) {
            fail(task, from, FailureCode.UPSTREAM_UNAVAILABLE.error("No engine accepted the generation before its deadline."));
            return;
        }
        if (from == TaskState.SUBMITTING) {
            // A crash after "submitting" was written: the engine may have the job already.
            log.warn("task {} was left submitting by a stopped worker (outcome unknown); submitting it again", task.id());
            upstreams.get(task.provider() == null ? "" : task.provider())
                    .filter(u -> !u.provider().submitIsIdempotent())
                    .ifPresent(u -> possibleDuplicates.increment());
        }
        if (from == TaskState.QUEUED && !tasks.advance(task.id(), TaskState.QUEUED, TaskChange.during(TaskState.SUBMITTING, now))) {
            return; // canceled meanwhile
        }
        Duration wait = null; // the soonest a provider of the route has a request to spare, if that is the obstacle
        ticket.awaitTurn();
        boolean passed = false;
        for (String name : upstreams.route(task.spec().modelId())) {
            Upstream upstream = upstreams.get(name).orElseThrow();
            if (!upstream.breaker().tryAcquirePermission()) {
                continue;
            }
            // The cap on tasks in flight is counted in the store, so it holds across nodes.
            if (upstream.capsInFlight() && !tasks.takeProviderSlot(task.id(), upstream.name(), upstream.maxInFlight())) {
                upstream.breaker().releasePermission();
                continue;
            }
            if (!upstream.trySubmit()) {
                upstream.breaker().releasePermission();
                Duration refill = upstream.untilNextSubmit();
                wait = wait == null || refill.compareTo(wait) < 0 ? refill : wait;
                continue;
            }
            if (!passed) {
                ticket.pass(); // picked: the next task may pick while this one talks to the provider
                passed = true;
            }
            long started = System.nanoTime();
            SubmitResult result = upstream.provider().submit(new ProviderJob(task.id(), task.spec(), null));
            long took = System.nanoTime() - started;
            now = clock.instant();
            switch (result) {
                case SubmitResult.Accepted accepted -> {
                    upstream.breaker().onSuccess(took, TimeUnit.NANOSECONDS);
                    log.info("task {} accepted by {}", task.id(), upstream.name());
                    order.served(task.accountId());
                    tasks.advance(task.id(), TaskState.SUBMITTING, TaskChange.to(TaskState.PROCESSING, schedule.next(now, now), now)
                            .withUpstream(upstream.name(), accepted.upstreamId()));
                    return;
                }
                case SubmitResult.Rejected rejected -> {
                    upstream.breaker().onSuccess(took, TimeUnit.NANOSECONDS);
                    fail(task, TaskState.SUBMITTING, new TaskError(rejected.code().code(), rejected.message()));
                    return;
                }
                case SubmitResult.OperatorFault fault -> {
                    // Not the customer's fault and not transient: stop sending to this account, try the next one.
                    log.error("provider {} refused with an operator fault ({}); opening its circuit", upstream.name(), fault.reason());
                    upstream.breaker().transitionToOpenState();
                }
                case SubmitResult.Retry retry -> {
                    upstream.breaker().onError(took, TimeUnit.NANOSECONDS, new UpstreamError(retry.reason()));
                    requeue(task, retry.reason(), retry.after(), true);
                    return;
                }
                case SubmitResult.Unknown unknown -> {
                    upstream.breaker().onError(took, TimeUnit.NANOSECONDS, new UpstreamError(unknown.reason()));
                    if (!upstream.provider().submitIsIdempotent()) {
                        possibleDuplicates.increment();
                    }
                    requeue(task, unknown.reason(), Duration.ofSeconds(1), true);
                    return;
                }
            }
        }
        ticket.pass();
        // Every provider of the route is open, full or out of requests: wait, not the customer's fault.
        requeue(task, "no provider available", wait == null || wait.compareTo(MIN_WAIT) < 0
                ? (wait == null ? NO_PROVIDER_WAIT : MIN_WAIT) : wait, false);
    }

    /** Back to the queue; {@code counts} says whether this was an attempt that backs off. */
    private void requeue(Task task, String reason, Duration hint, boolean counts) {
        Instant now = clock.instant();
        int attempts = task.attempts() + (counts ? 1 : 0);
        Duration wait = counts ? backoff(hint, attempts) : hint;
        if (counts) {
            log.warn("task {} submit attempt {} will be retried in {}: {}", task.id(), attempts, wait, reason);
        }
        tasks.advance(task.id(), TaskState.SUBMITTING, TaskChange.to(TaskState.QUEUED, now.plus(wait), now).withAttempts(attempts));
    }

    private static Duration backoff(Duration hint, int attempts) {
        Duration base = hint == null || hint.isZero() ? Duration.ofSeconds(1) : hint;
        Duration wait = base.multipliedBy(1L << Math.min(attempts - 1, 6));
        return wait.compareTo(MAX_SUBMIT_BACKOFF) > 0 ? MAX_SUBMIT_BACKOFF : wait;
    }

    private void poll(Task task) {
        Optional<Upstream> found = upstreams.get(task.provider());
        if (found.isEmpty()) {
            resubmit(task, "its provider " + task.provider() + " is no longer configured");
            return;
        }
        Upstream upstream = found.get();
        Instant now = clock.instant();
        if (!upstream.tryPoll()) {
            // Out of status reads after all (the claim looked at the budget before this step took
            // from it): give the task back with its place in line kept. The claim takes tasks to
            // poll only as the budget refills, so this does not spin.
            tasks.advance(task.id(), TaskState.PROCESSING, TaskChange.to(TaskState.PROCESSING, null, now));
            return;
        }
        ProviderJob job = new ProviderJob(task.id(), task.spec(), task.upstreamId());
        PollResult result = upstream.provider().poll(job);
        now = clock.instant();
        switch (result) {
            case PollResult.Pending pending -> {
                if (now.isAfter(task.deadlineAt())) {
                    upstream.provider().cancel(job);
                    fail(task, TaskState.PROCESSING, FailureCode.TIMED_OUT.error());
                } else {
                    tasks.advance(task.id(), TaskState.PROCESSING,
                            TaskChange.to(TaskState.PROCESSING, schedule.next(task.createdAt(), now), now));
                }
            }
            case PollResult.Retry retry -> {
                if (now.isAfter(task.deadlineAt())) {
                    fail(task, TaskState.PROCESSING, FailureCode.TIMED_OUT.error());
                } else {
                    tasks.advance(task.id(), TaskState.PROCESSING,
                            TaskChange.to(TaskState.PROCESSING, schedule.next(task.createdAt(), now), now));
                }
            }
            case PollResult.Done done -> {
                if (tasks.advance(task.id(), TaskState.PROCESSING, TaskChange.during(TaskState.FINALIZING, now))) {
                    store(task, upstream, job, done);
                }
            }
            case PollResult.Failed failed -> {
                upstream.provider().forget(job);
                fail(task, TaskState.PROCESSING, new TaskError(failed.code().code(), failed.message()));
            }
            case PollResult.Lost lost -> resubmit(task, lost.reason());
        }
    }

    private void resubmit(Task task, String reason) {
        log.warn("task {} will be submitted again: {}", task.id(), reason);
        Instant now = clock.instant();
        tasks.advance(task.id(), TaskState.PROCESSING, TaskChange.to(TaskState.QUEUED, now, now));
    }

    /** Finalizing after a crash: ask the engine for the result again and store it. */
    private void finish(Task task) {
        Optional<Upstream> found = upstreams.get(task.provider());
        if (found.isEmpty()) {
            fail(task, TaskState.FINALIZING, FailureCode.GENERATION_FAILED.error("The result was lost before it could be stored."));
            return;
        }
        Upstream upstream = found.get();
        ProviderJob job = new ProviderJob(task.id(), task.spec(), task.upstreamId());
        switch (upstream.provider().poll(job)) {
            case PollResult.Done done -> store(task, upstream, job, done);
            case PollResult.Failed failed -> fail(task, TaskState.FINALIZING, new TaskError(failed.code().code(), failed.message()));
            // The engine lost the finished file before we stored it.
            case PollResult.Lost lost -> fail(task, TaskState.FINALIZING, FailureCode.GENERATION_FAILED.error(
                    "The result was lost before it could be stored."));
            case PollResult.Pending pending -> later(task, TaskState.FINALIZING);
            case PollResult.Retry retry -> later(task, TaskState.FINALIZING);
        }
    }

    private void later(Task task, TaskState state) {
        Instant now = clock.instant();
        tasks.advance(task.id(), state, TaskChange.to(state, now.plus(ERROR_BACKOFF), now));
    }

    private void store(Task task, Upstream upstream, ProviderJob job, PollResult.Done done) {
        String key;
        try {
            key = results.store(task.id(), done.source(), task.spec().durationSeconds());
        } catch (InvalidMediaException e) {
            log.warn("task {} result rejected: {}", task.id(), e.getMessage());
            upstream.provider().forget(job);
            fail(task, TaskState.FINALIZING, FailureCode.GENERATION_FAILED.error("The engine returned an invalid video."));
            return;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("storing the result of " + task.id() + " failed", e);
        }
        Settlement success = new Settlement(TaskState.SUCCEEDED, task.price(), key, null, clock.instant());
        if (tasks.settle(task.id(), TaskState.FINALIZING, success, money.capture(task))) {
            log.info("task {} succeeded", task.id());
        }
        upstream.provider().forget(job);
    }

    private void fail(Task task, TaskState from, TaskError error) {
        Settlement failure = new Settlement(TaskState.FAILED, 0, null, error, clock.instant());
        if (tasks.settle(task.id(), from, failure, money.release(task))) {
            log.info("task {} failed: {}", task.id(), error.code());
        }
    }

    /** What the circuit breaker records for a failed call. */
    static final class UpstreamError extends RuntimeException {
        UpstreamError(String reason) {
            super(reason, null, false, false);
        }
    }
}
