package dev.hailuo.core.generation;

import dev.hailuo.core.IdGenerator;
import dev.hailuo.core.account.Principal;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.files.References;
import dev.hailuo.core.files.StoredFile;
import dev.hailuo.core.idempotency.Idempotency;
import dev.hailuo.core.idempotency.IdempotencyRace;
import dev.hailuo.core.idempotency.IdempotentRequest;
import dev.hailuo.core.idempotency.StoredResponse;
import dev.hailuo.core.money.Money;
import dev.hailuo.core.port.EndpointRules;
import dev.hailuo.core.port.Settlement;
import dev.hailuo.core.port.TaskStore;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.core.task.TaskSummary;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The generation use cases every front door calls: create (validate, then reserve and insert in
 * one transaction), read, cancel. Front doors translate; the rules are here.
 */
public final class Generations {
    private final GenerationValidator validator;
    private final References references;
    private final EndpointRules endpoints;
    private final TaskStore tasks;
    private final Idempotency idempotency;
    private final Money money;
    private final IdGenerator ids;
    private final Clock clock;
    private final Duration taskDeadline;
    private final Runnable onQueued;

    public Generations(GenerationValidator validator, References references, EndpointRules endpoints, TaskStore tasks,
                       Idempotency idempotency, Money money, IdGenerator ids, Clock clock, Duration taskDeadline,
                       Runnable onQueued) {
        this.validator = validator;
        this.references = references;
        this.endpoints = endpoints;
        this.tasks = tasks;
        this.idempotency = idempotency;
        this.money = money;
        this.ids = ids;
        this.clock = clock;
        this.taskDeadline = taskDeadline;
        this.onQueued = onQueued;
    }

    /**
     * Creates a task, or replays the answer stored under the idempotency key. The rules run
     * cheapest first: fields, then the callback URL, then the references (which may fetch), and
     * only then is anything reserved.
     *
     * @param answer how the calling door renders the new task; the rendered answer is stored with
     *               the task, so duplicates receive exactly the same bytes
     */
    public Created create(Principal principal, Door door, GenerationRequest request, IdempotentRequest idem,
                          Function<Task, StoredResponse> answer) {
        Optional<StoredResponse> replay = idempotency.replay(idem);
        if (replay.isPresent()) {
            return new Created(null, replay.get(), true);
        }
        ValidatedGeneration valid = validator.validate(request);
        String callbackUrl = request.submission().callbackUrl();
        if (callbackUrl != null) {
            endpoints.check(callbackUrl, request.naming().callback());
        }
        List<String> images = references.resolve(principal.accountId(), valid.model(), request.naming().model(),
                request.references(), request.naming().references()).stream().map(StoredFile::blobKey).toList();
        Instant now = clock.instant();
        Task task = new Task(ids.next("task_"), principal.accountId(), door, valid.spec().withReferenceImages(images), TaskState.QUEUED,
                valid.price(), 0, null, null, 0, null, null, now, now.plus(taskDeadline), now, now, null, request.submission());
        StoredResponse response = answer.apply(task);
        Optional<TaskStore.CreateRefusal> refusal;
        try {
            refusal = tasks.create(task, money.reserve(task), principal.limits().maxTasksInFlight(),
                    idem == null ? null : idempotency.record(idem, response));
        } catch (IdempotencyRace race) {
            // A concurrent duplicate committed first: answer what it answered.
            return new Created(null, idempotency.replay(idem).orElseThrow(), true);
        }
        refusal.ifPresent(r -> {
            throw switch (r) {
                case INSUFFICIENT_CREDITS -> new GatewayException(ErrorCode.INSUFFICIENT_CREDITS,
                        "This generation costs " + task.price() + " credits; the balance is too low.");
                case TOO_MANY_IN_FLIGHT -> new GatewayException(ErrorCode.RATE_LIMITED,
                        "At most " + principal.limits().maxTasksInFlight() + " tasks may be unfinished at once.",
                        Duration.ofSeconds(5));
            };
        });
        onQueued.run();
        return new Created(task, response, false);
    }

    public Task get(Principal principal, String taskId) {
        return find(principal, taskId).orElseThrow(Generations::notFound);
    }

    /** What {@link #get} answers, as its summary: for doors that show no more (a cheaper read). */
    public TaskSummary summary(Principal principal, String taskId) {
        return tasks.summary(principal.accountId(), taskId).orElseThrow(Generations::notFound);
    }

    private static GatewayException notFound() {
        return GatewayException.notFound("Generation");
    }

    /** A task of the caller's account, whichever door created it; empty for any other id. */
    public Optional<Task> find(Principal principal, String taskId) {
        return tasks.find(principal.accountId(), taskId);
    }

    /**
     * Cancels an unfinished task and releases its credits. Canceling a canceled task answers the
     * task again; a task that already succeeded or failed cannot be canceled.
     */
    public Task cancel(Principal principal, String taskId) {
        while (true) {
            Task task = get(principal, taskId);
            if (task.state() == TaskState.CANCELED) {
                return task;
            }
            if (task.state().isTerminal()) {
                throw new GatewayException(ErrorCode.TASK_NOT_CANCELABLE,
                        "The generation already " + task.state().dbName() + " and cannot be canceled.");
            }
            Settlement end = new Settlement(TaskState.CANCELED, 0, null, FailureCode.CANCELED.error(), clock.instant());
            if (tasks.settle(task.id(), task.state(), end, money.release(task))) {
                return get(principal, taskId);
            }
            // The task moved on meanwhile (a worker advanced it): look again.
        }
    }

    /** A creation's answer; {@code task} is null when the answer was replayed. */
    public record Created(Task task, StoredResponse response, boolean replayed) {
    }
}
