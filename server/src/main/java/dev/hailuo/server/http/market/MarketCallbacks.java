package dev.hailuo.server.http.market;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.server.http.Responses;
import dev.hailuo.server.notify.CallbackSource;

import java.util.Optional;

/**
 * kie's callback for a finished Market task (kie-market-api.md section 4.1): POSTed to the
 * task's {@code callBackUrl}, the recordInfo {@code data} of the task under kie's two documented
 * code and message pairs. The delivery engine sends, signs and retries it.
 */
public final class MarketCallbacks implements CallbackSource {
    static final int SUCCEEDED_CODE = 200;
    static final String SUCCEEDED_MSG = "Playground task completed successfully.";
    static final int FAILED_CODE = 501;
    static final String FAILED_MSG = "Playground task failed.";

    private final MarketViews views;
    private final Responses responses;

    public MarketCallbacks(MarketViews views, Responses responses) {
        this.views = views;
        this.responses = responses;
    }

    @Override
    public Optional<Callback> of(Task task) {
        String url = task.submission().callbackUrl();
        if (url == null) {
            return Optional.empty();
        }
        boolean succeeded = task.state() == TaskState.SUCCEEDED;
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("code", succeeded ? SUCCEEDED_CODE : FAILED_CODE);
        body.put("msg", succeeded ? SUCCEEDED_MSG : FAILED_MSG);
        body.set("data", views.record(task));
        return Optional.of(new Callback(url, responses.text(body), task.id()));
    }
}
