package dev.hailuo.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementException;
import org.jdbi.v3.core.statement.StatementExceptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connection pool, the migrations and the two ways in: {@link #read} and {@link #write}.
 *
 * <p>SQLite allows one writer at a time. Rather than letting concurrent writers spin on
 * SQLITE_BUSY (which sleeps and collapses throughput), writes in this process queue on a fair
 * lock; other processes (the CLI) are covered by {@code busy_timeout} and IMMEDIATE
 * transactions, which take the write lock at BEGIN so two writers never deadlock on upgrade.
 * PostgreSQL needs none of this: several nodes share it, rows are locked where two may meet
 * (claims use {@code FOR UPDATE SKIP LOCKED}), and each node has its own pool
 * ({@value #POSTGRES_POOL_SIZE} connections unless {@code HAILUO_DATABASE_POOL_SIZE} says otherwise).
 */
public final class Database implements AutoCloseable {
    public static final int SQLITE_POOL_SIZE = 8;
    public static final int POSTGRES_POOL_SIZE = 16;
    public static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;
    /** Address space, not memory: the OS keeps the pages it has room for, shared by every connection. */
    static final long SQLITE_MMAP_BYTES = 1L << 30;

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean sqlite;
    private final ReentrantLock writeLock = new ReentrantLock(true);

    private Database(HikariDataSource dataSource, boolean sqlite) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        // JDBI's default failure message lists every bound value, and some are secrets (webhook
        // signing secrets, callback keys, stored answers): failures name the statement only.
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(Database::withoutArguments);
        this.sqlite = sqlite;
    }

    public static Database open(String url) {
        return open(url, null, null, POSTGRES_POOL_SIZE);
    }

    /**
     * {@code user} and {@code password} may be null (then the URL or the driver's defaults decide);
     * {@code postgresPoolSize} is ignored for SQLite.
     */
    public static Database open(String url, String user, String password, int postgresPoolSize) {
        boolean sqlite = url.startsWith("jdbc:sqlite:");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setPoolName("hailuo-db");
        if (sqlite) {
            createParentDirectory(url);
            config.setMaximumPoolSize(SQLITE_POOL_SIZE);
            config.addDataSourceProperty("journal_mode", "WAL");
            // NORMAL in WAL mode: a commit survives a process crash (kill -9); only an OS crash or
            // power loss can lose the last commits. The usual trade for an embedded server.
            config.addDataSourceProperty("synchronous", "NORMAL");
            config.addDataSourceProperty("busy_timeout", String.valueOf(SQLITE_BUSY_TIMEOUT_MS));
            config.addDataSourceProperty("foreign_keys", "true");
            // Pages are read through a shared memory map instead of a pread() into each connection's
            // small page cache: a status read made a few system calls for pages the OS already held.
            config.addDataSourceProperty("mmap_size", String.valueOf(SQLITE_MMAP_BYTES));
            config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        } else {
            config.setMaximumPoolSize(postgresPoolSize);
        }
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            // Nodes starting together all run this: Flyway takes a lock on PostgreSQL, so one migrates and the others wait.
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").placeholders(placeholders(url))
                    .load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource, sqlite);
    }

    /**
     * What the portable migrations cannot spell alike in both databases: the type of a binary
     * column ({@code ${binary}}), and PostgreSQL's UNLOGGED for a table whose loss in a crash
     * is harmless ({@code ${unlogged}}; SQLite has no such thing).
     */
    public static Map<String, String> placeholders(String url) {
        boolean sqlite = url.startsWith("jdbc:sqlite:");
        return Map.of("binary", sqlite ? "BLOB" : "BYTEA", "unlogged", sqlite ? "" : "UNLOGGED");
    }

    /** The pool itself, for libraries that manage their own statements (Bucket4j's shared buckets). */
    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    public boolean isSqlite() {
        return sqlite;
    }

    public <T, X extends Exception> T read(HandleCallback<T, X> callback) throws X {
        return jdbi.withHandle(callback);
    }

    public <T, X extends Exception> T write(HandleCallback<T, X> callback) throws X {
        if (!sqlite) {
            return jdbi.inTransaction(callback);
        }
        writeLock.lock();
        try {
            return jdbi.inTransaction(callback);
        } finally {
            writeLock.unlock();
        }
    }

    public void writeVoid(java.util.function.Consumer<Handle> callback) {
        write(h -> {
            callback.accept(h);
            return null;
        });
    }

    /**
     * Inside a {@link #write}: makes the writes that name the same {@code resource} take turns
     * across nodes until this transaction ends (a PostgreSQL transaction-level advisory lock; two
     * names that hash alike only wait for each other). SQLite writers already take turns.
     */
    public void lockUntilCommit(Handle h, String resource) {
        if (!sqlite) {
            h.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(:resource))) locked")
                    .bind("resource", resource).mapTo(Integer.class).one();
        }
    }

    private static String withoutArguments(StatementException e) {
        StatementContext context = e.getStatementContext();
        String sql = context == null ? null : context.getRenderedSql();
        return e.getShortMessage() + (sql == null ? "" : " [statement: \"" + sql + "\"]");
    }

    /** True if the failure (or a cause) is a unique or primary-key violation, in either database. */
    public static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                if ("23505".equals(sql.getSQLState())) {
                    return true;
                }
                String message = String.valueOf(sql.getMessage());
                if (message.contains("SQLITE_CONSTRAINT_PRIMARYKEY") || message.contains("SQLITE_CONSTRAINT_UNIQUE")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void createParentDirectory(String url) {
        String file = url.substring("jdbc:sqlite:".length());
        int query = file.indexOf('?');
        if (query >= 0) {
            file = file.substring(0, query);
        }
        if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
            return;
        }
        Path parent = Path.of(file).toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the database directory " + parent, e);
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
