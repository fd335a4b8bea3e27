package dev.hailuo.server.flow;

import dev.hailuo.server.support.AtOnce;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

class IdempotencyTest {
    private static final String BODY = """
            {"model":"hailuo-pro","prompt":"Idempotent %s","params":{"prompt_optimizer":"false"}}""";

    @TempDir
    static Path dataDir;
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(dataDir);
    }

    @AfterAll
    static void stop() {
        gw.ledger().assertInvariants();
        gw.close();
    }

    @Test
    void twentyConcurrentDuplicatesMakeOneTaskAndOneCharge() throws Exception {
        TestAccount account = gw.createAccount("idem", 1000);
        long tasksBefore = gw.ledger().taskCount();
        List<HttpResponse<String>> responses = AtOnce.run(20, () -> gw.post("/api/v1/generations", account.key(),
                BODY.formatted("one"), Map.of("Idempotency-Key", "order-123")));
        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(200));
        assertThat(responses.stream().map(HttpResponse::body).distinct()).hasSize(1);
        long replayed = responses.stream()
                .filter(r -> r.headers().firstValue("Idempotent-Replayed").orElse("").equals("true")).count();
        assertThat(replayed).isEqualTo(19);
        assertThat(gw.ledger().taskCount()).isEqualTo(tasksBefore + 1);
        assertThat(json(gw.get("/api/v1/credits", account.key())).path("current_credits").asLong()).isEqualTo(943);
    }

    @Test
    void sameKeyDifferentBodyIsAConflictAndChangesNothing() {
        TestAccount account = gw.createAccount("conflict", 1000);
        HttpResponse<String> first = gw.post("/api/v1/generations", account.key(), BODY.formatted("a"),
                Map.of("Idempotency-Key", "k-1"));
        assertThat(first.statusCode()).isEqualTo(200);
        long tasks = gw.ledger().taskCount();
        HttpResponse<String> second = gw.post("/api/v1/generations", account.key(), BODY.formatted("b"),
                Map.of("Idempotency-Key", "k-1"));
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(json(second).path("error").path("code").asText()).isEqualTo("idempotency_conflict");
        assertThat(gw.ledger().taskCount()).isEqualTo(tasks);
        // The replay is the first answer, byte for byte, even after the task moved on.
        HttpResponse<String> replay = gw.post("/api/v1/generations", account.key(), BODY.formatted("a"),
                Map.of("Idempotency-Key", "k-1"));
        assertThat(replay.body()).isEqualTo(first.body());
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    }

    @Test
    void keysAreScopedToTheAccount() {
        TestAccount a = gw.createAccount("scope-a", 1000);
        TestAccount b = gw.createAccount("scope-b", 1000);
        HttpResponse<String> first = gw.post("/api/v1/generations", a.key(), BODY.formatted("x"), Map.of("Idempotency-Key", "shared"));
        HttpResponse<String> second = gw.post("/api/v1/generations", b.key(), BODY.formatted("x"), Map.of("Idempotency-Key", "shared"));
        assertThat(json(first).path("id").asText()).isNotEqualTo(json(second).path("id").asText());
        assertThat(second.headers().firstValue("Idempotent-Replayed")).isEmpty();
    }

    @Test
    void aRefusedRequestIsNotStoredSoTheKeyCanBeRetried() {
        TestAccount account = gw.createAccount("retry", 56);
        HttpResponse<String> poor = gw.post("/api/v1/generations", account.key(), BODY.formatted("r"), Map.of("Idempotency-Key", "r-1"));
        assertThat(poor.statusCode()).isEqualTo(402);
        gw.post("/admin/accounts/" + account.id() + "/credits", TestGateway.ADMIN_TOKEN, "{\"amount\":100}");
        HttpResponse<String> retried = gw.post("/api/v1/generations", account.key(), BODY.formatted("r"), Map.of("Idempotency-Key", "r-1"));
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(retried.headers().firstValue("Idempotent-Replayed")).isEmpty();
    }
}
