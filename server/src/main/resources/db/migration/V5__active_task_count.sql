-- The in-flight cap is checked on every create, inside the write transaction: counting the
-- account's unfinished tasks there grew with its queue. The count is kept on the account
-- instead, moved in the same transactions that create and settle tasks.
ALTER TABLE accounts ADD COLUMN active_tasks INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET active_tasks = (
    SELECT COUNT(*) FROM tasks
    WHERE tasks.account_id = accounts.id AND tasks.state IN ('queued', 'submitting', 'processing', 'finalizing'));
