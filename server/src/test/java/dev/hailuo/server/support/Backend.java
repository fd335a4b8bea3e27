package dev.hailuo.server.support;

import dev.hailuo.server.store.Database;

import java.nio.file.Path;

/**
 * The two stores every store-level test runs on: an SQLite file in the test's temporary
 * directory, and a fresh schema of the test PostgreSQL (skipped with its reason if none answers).
 */
public enum Backend {
    SQLITE, POSTGRESQL;

    /** A fresh, migrated database; closing it also drops the PostgreSQL schema. */
    public Opened open(Path tempDir) {
        return switch (this) {
            case SQLITE -> new Opened(Database.open("jdbc:sqlite:" + tempDir.resolve("test.db")), null);
            case POSTGRESQL -> {
                Postgres.Schema schema = Postgres.newSchema();
                try {
                    yield new Opened(Database.open(schema.url()), schema);
                } catch (RuntimeException e) {
                    schema.close();
                    throw e;
                }
            }
        };
    }

    public record Opened(Database db, Postgres.Schema schema) implements AutoCloseable {
        @Override
        public void close() {
            db.close();
            if (schema != null) {
                schema.close();
            }
        }
    }
}
