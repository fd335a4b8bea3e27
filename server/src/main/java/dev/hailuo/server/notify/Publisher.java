package dev.hailuo.server.notify;

import dev.hailuo.core.IdGenerator;
import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.StoredEvent;
import dev.hailuo.core.notify.WebhookEndpoint;
import dev.hailuo.core.port.Outbox;
import dev.hailuo.core.port.TaskStore;
import dev.hailuo.core.port.WebhookStore;
import dev.hailuo.core.task.Task;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns an event from the outbox into its deliveries: the payload is rendered once, then one
 * delivery per active endpoint of the account that subscribes to the event's type, and one for
 * the task's callback if it asked for one. Writing them and marking the event published is one
 * transaction, so after a crash an event is either still waiting or fully published.
 */
final class Publisher {
    private final Outbox outbox;
    private final TaskStore tasks;
    private final WebhookStore endpoints;
    private final EventPayloads payloads;
    private final CallbackSource callbacks;
    private final IdGenerator ids;
    private final Clock clock;

    Publisher(Outbox outbox, TaskStore tasks, WebhookStore endpoints, EventPayloads payloads, CallbackSource callbacks,
              IdGenerator ids, Clock clock) {
        this.outbox = outbox;
        this.tasks = tasks;
        this.endpoints = endpoints;
        this.payloads = payloads;
        this.callbacks = callbacks;
        this.ids = ids;
        this.clock = clock;
    }

    /** @return the deliveries created, or -1 when another worker published the event first */
    int publish(StoredEvent event) {
        Task task = tasks.find(event.taskId()).orElseThrow(() -> new IllegalStateException(
                "event " + event.id() + " names task " + event.taskId() + ", which does not exist"));
        Instant now = clock.instant();
        String payload = payloads.render(event, task);
        List<Delivery> deliveries = new ArrayList<>();
        for (WebhookEndpoint endpoint : endpoints.list(event.accountId())) {
            if (endpoint.receives(event.type())) {
                deliveries.add(Delivery.webhook(ids.next(Delivery.PREFIX), event, endpoint.id(), payload, now));
            }
        }
        Optional<CallbackSource.Callback> callback = callbacks.of(task);
        callback.ifPresent(c -> deliveries.add(Delivery.callback(ids.next(Delivery.PREFIX), event, c.signedTaskId(), c.url(), c.body(), now)));
        return outbox.publish(event.id(), payload, deliveries, now) ? deliveries.size() : -1;
    }
}
