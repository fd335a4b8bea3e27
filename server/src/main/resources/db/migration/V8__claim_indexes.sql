-- The dispatcher's claim (JdbcTaskStore.claimDue) reads three short lists, each in order from its
-- own partial index and cut at the claim's limit, instead of ranking every due task: queued tasks
-- per account (taking turns across accounts), tasks to poll per provider (up to its poll budget),
-- and tasks left submitting or finalizing by a crash. Same portable rules as V1.
CREATE INDEX tasks_queue ON tasks (account_id, next_check_at) WHERE state = 'queued';
CREATE INDEX tasks_polls ON tasks (provider, next_check_at) WHERE state = 'processing';
CREATE INDEX tasks_recovering ON tasks (next_check_at) WHERE state IN ('submitting', 'finalizing');
-- The single work list of V1 is read by nothing now; dropping it saves a write on every step.
DROP INDEX tasks_due;
