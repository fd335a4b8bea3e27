-- Several nodes over one PostgreSQL share their limits through it.
--
-- Token buckets (API keys' request rates, providers' submission and status-read rates), in the
-- layout of Bucket4j's JDBC backends: the serialized state of each bucket. UNLOGGED on
-- PostgreSQL (${unlogged}): every request of every node takes from one of these rows, and an
-- unlogged table commits without waiting for the WAL; after a PostgreSQL crash the rows are
-- gone and every bucket starts full again, an acceptable loss for rate limits. Unused by an
-- embedded (SQLite) gateway, whose buckets live in memory, but created there too so both
-- schemas stay alike.
CREATE ${unlogged} TABLE rate_buckets (
    id     VARCHAR(300) PRIMARY KEY,
    state  ${binary}
);

-- A provider's tasks in flight are counted before each submission (its MAX_IN_FLIGHT): only
-- unfinished tasks with a provider are indexed, so the count stays small.
CREATE INDEX tasks_provider_active ON tasks (provider)
    WHERE state IN ('submitting', 'processing', 'finalizing');
