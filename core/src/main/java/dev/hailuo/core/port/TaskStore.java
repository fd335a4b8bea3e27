package dev.hailuo.core.port;

import dev.hailuo.core.idempotency.IdempotencyRecord;
import dev.hailuo.core.money.LedgerEntry;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.core.task.TaskSummary;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

public interface TaskStore {

    /** Why {@link #create} refused, so the core can say it in the client's words. */
    enum CreateRefusal { INSUFFICIENT_CREDITS, TOO_MANY_IN_FLIGHT }

    /**
     * In one transaction: apply the reservation (refused if the balance is short), check that the
     * account has fewer than {@code maxInFlight} unfinished tasks, insert the task and, if given,
     * save the idempotent answer.
     *
     * @return empty on success, the refusal otherwise (nothing written)
     * @throws dev.hailuo.core.idempotency.IdempotencyRace if the key was stored meanwhile (nothing written)
     */
    Optional<CreateRefusal> create(Task task, LedgerEntry reservation, int maxInFlight, IdempotencyRecord idempotent);

    Optional<Task> find(String taskId);

    /** A task of that account only: another account's task does not exist for the caller. */
    Optional<Task> find(String accountId, String taskId);

    /** The same task as {@link #find(String, String)} finds, read as its summary only. */
    Optional<TaskSummary> summary(String accountId, String taskId);

    /**
     * A non-terminal compare-and-set: succeeds only if the task is still in {@code from}.
     * Also clears the lease: the step that held it is done.
     */
    boolean advance(String taskId, TaskState from, TaskChange change);

    /**
     * The one move into a terminal state, with its ledger entry and the task's event for the
     * notifications outbox ({@link dev.hailuo.core.notify.TaskEvent#of}), in one transaction. Only
     * one caller can win it, so money is settled exactly once and the event written exactly once.
     */
    boolean settle(String taskId, TaskState from, Settlement settlement, LedgerEntry entry);

    /**
     * Leases up to {@code limit} unfinished tasks whose next check is due, oldest due first, with
     * two rules on top:
     * <ul>
     *   <li>queued tasks take turns across accounts (the n-th due task of each account before the
     *       (n+1)-th of any; which accounts go first rotates from claim to claim), so one account's
     *       burst cannot fill every claim;</li>
     *   <li>tasks waiting for a status read from a provider named in {@code pollRoom} are taken
     *       only up to that number (what the provider's poll budget allows now): the others keep
     *       their place in line instead of being claimed and put back.</li>
     * </ul>
     * Its cost depends on {@code limit}, the accounts with queued tasks and the providers, never on
     * how many tasks are due.
     */
    List<Task> claimDue(String owner, Instant now, Duration lease, int limit, java.util.Map<String, Integer> pollRoom);

    /** {@link #claimDue(String, Instant, Duration, int, java.util.Map)} with no poll budget to respect. */
    default List<Task> claimDue(String owner, Instant now, Duration lease, int limit) {
        return claimDue(owner, now, lease, limit, java.util.Map.of());
    }

    /**
     * Extends the leases {@code owner} still holds on these tasks to {@code until}, while their
     * steps run; a lease another node has taken over (after it ran out) is left alone.
     * @return how many were extended
     */
    int renewLeases(String owner, java.util.Collection<String> taskIds, Instant until);

    /**
     * Drops every lease: only for an embedded (single-process) store at start, when no other
     * process can hold one. A store shared by nodes refuses: there a starting node takes only
     * leases that ran out, through {@link #claimDue}.
     */
    int releaseAllLeases();

    /**
     * Takes one of the provider's {@code maxInFlight} places for a task in {@code submitting},
     * by recording the provider on it, if fewer than that many tasks are submitting, processing
     * or finalizing with that provider. Checked and taken atomically across all nodes.
     * @return false if the provider is full (nothing written)
     */
    boolean takeProviderSlot(String taskId, String provider, int maxInFlight);

    /**
     * Forgets the results of tasks that succeeded before {@code completedBefore} (retention),
     * at most {@code limit} of them.
     * @return the blob keys to delete
     */
    List<String> expireResults(Instant completedBefore, int limit);

    /**
     * Asks for an immediate look at the running task a provider knows as {@code upstreamId}
     * (a push callback said something changed): it goes ahead of every routine status read, in
     * the order the pushes came. Never moves money or state by itself.
     * @return whether such a running task exists
     */
    boolean pollSoon(String provider, String upstreamId, Instant now);

    /** Tasks an engine is working on (submitting to it, processing or finalizing), by provider name. */
    java.util.Map<String, Long> inFlightByProvider();

}
