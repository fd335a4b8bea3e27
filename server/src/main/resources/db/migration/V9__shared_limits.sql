-- Several nodes over one PostgreSQL share their limits through it.
--
-- Token buckets (API keys' request rates, providers' submission and status-read rates), in the
-- layout of Bucket4j's JDBC backends: the serialized bucket state and when the row may be
-- deleted (epoch ms, once the bucket would be full again). Unused by an embedded (SQLite)
-- gateway, whose buckets live in memory, but created there too so both schemas stay alike.
CREATE TABLE rate_buckets (
    id          VARCHAR(300) PRIMARY KEY,
    state       ${binary},
    expires_at  BIGINT
);
CREATE INDEX rate_buckets_expiry ON rate_buckets (expires_at);

-- A provider's tasks in flight are counted before each submission (its MAX_IN_FLIGHT): only
-- unfinished tasks with a provider are indexed, so the count stays small.
CREATE INDEX tasks_provider_active ON tasks (provider)
    WHERE state IN ('submitting', 'processing', 'finalizing');
