package dev.hailuo.server.store;

import dev.hailuo.server.support.Backend;
import dev.hailuo.server.support.Postgres;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Migrations that move data, checked on a database (SQLite and PostgreSQL) that holds data from before them. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class MigrationTest {
    @Parameter
    Backend backend;
    @TempDir
    Path dir;

    @Test
    void theActiveTaskCountStartsAtEachAccountsUnfinishedTasks() {
        if (backend == Backend.SQLITE) {
            check("jdbc:sqlite:" + dir.resolve("old.db"));
        } else {
            try (Postgres.Schema schema = Postgres.newSchema()) {
                check(schema.url());
            }
        }
    }

    private void check(String url) {
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").placeholders(Database.placeholders(url))
                .target("4").load().migrate();
        Jdbi jdbi = Jdbi.create(url);
        jdbi.useHandle(h -> {
            for (String account : new String[] {"acct_a", "acct_b", "acct_c"}) {
                h.execute("INSERT INTO accounts VALUES (?, ?, 0, 0, 10, 10, 10, 0)", account, account);
            }
            String[][] tasks = {{"t1", "acct_a", "queued"}, {"t2", "acct_a", "processing"}, {"t3", "acct_a", "succeeded"},
                    {"t4", "acct_b", "failed"}, {"t5", "acct_b", "finalizing"}, {"t6", "acct_b", "submitting"}};
            for (String[] t : tasks) {
                h.execute("""
                        INSERT INTO tasks (id, account_id, door, model, spec, state, price, final_credits, attempts,
                            next_check_at, deadline_at, created_at, updated_at)
                        VALUES (?, ?, 'RIVYA', 'hailuo-pro', '{}', ?, 57, 0, 0, 0, 0, 0, 0)""", t[0], t[1], t[2]);
            }
        });

        Database.open(url).close();

        Map<String, Integer> counts = jdbi.withHandle(h -> h.createQuery("SELECT id, active_tasks FROM accounts")
                .setMapKeyColumn("id").setMapValueColumn("active_tasks").collectInto(
                        new org.jdbi.v3.core.generic.GenericType<Map<String, Integer>>() { }));
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("acct_a", 2, "acct_b", 2, "acct_c", 0));
    }
}
