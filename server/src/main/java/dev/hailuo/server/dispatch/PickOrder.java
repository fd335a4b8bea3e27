package dev.hailuo.server.dispatch;

import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fair dispatch (PRODUCT.md section 10): queued tasks go upstream round-robin across accounts,
 * so one account's burst of a thousand tasks delays another account's single task by at most
 * one turn. The claim already takes turns across accounts; here the claimed queued tasks are
 * arranged account by account, the account served least recently first, and each gets a ticket
 * that makes its provider pick (breaker, in-flight room, submit budget) wait for the previous
 * task's pick. When the budget is scarce the first picker wins, so "least recently served" is
 * what makes the turns rotate. The upstream call itself stays parallel.
 */
public final class PickOrder {
    private final Map<String, Long> lastServed = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    /** Called when a task of the account was accepted by a provider. */
    public void served(String accountId) {
        lastServed.put(accountId, sequence.incrementAndGet());
    }

    /** The pick of one task: wait for your turn, pick, then let the next task pick. */
    record Ticket(CompletableFuture<Void> previous, CompletableFuture<Void> mine) {
        static Ticket free() {
            CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
            return new Ticket(done, new CompletableFuture<>());
        }

        void awaitTurn() {
            previous.join();
        }

        void pass() {
            mine.complete(null);
        }
    }

    record Step(Task task, Ticket ticket) {
    }

    /** Queued tasks first, one per account per round (least recently served account first), chained; then the rest. */
    List<Step> arrange(List<Task> claimed) {
        Map<String, List<Task>> byAccount = new LinkedHashMap<>();
        List<Task> others = new ArrayList<>();
        claimed.stream().sorted(Comparator.comparing(Task::nextCheckAt)).forEach(t -> {
            if (t.state() == TaskState.QUEUED) {
                byAccount.computeIfAbsent(t.accountId(), k -> new ArrayList<>()).add(t);
            } else {
                others.add(t);
            }
        });
        List<List<Task>> queues = byAccount.entrySet().stream()
                .sorted(Comparator.comparing(e -> lastServed.getOrDefault(e.getKey(), 0L)))
                .map(Map.Entry::getValue).toList();
        List<Step> steps = new ArrayList<>();
        CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
        for (int turn = 0; ; turn++) {
            boolean any = false;
            for (List<Task> queue : queues) {
                if (turn < queue.size()) {
                    CompletableFuture<Void> mine = new CompletableFuture<>();
                    steps.add(new Step(queue.get(turn), new Ticket(previous, mine)));
                    previous = mine;
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        others.forEach(t -> steps.add(new Step(t, Ticket.free())));
        return steps;
    }
}
