-- Portable schema: runs unchanged on SQLite and PostgreSQL. Times are epoch milliseconds
-- (BIGINT), ids are application-generated strings, no auto-increment, no dialect types.

CREATE TABLE accounts (
    id                VARCHAR(40)  PRIMARY KEY,
    name              VARCHAR(200) NOT NULL,
    balance           BIGINT       NOT NULL,
    reserved          BIGINT       NOT NULL,
    creates_per_10s   INTEGER      NOT NULL,
    reads_per_second  INTEGER      NOT NULL,
    max_in_flight     INTEGER      NOT NULL,
    created_at        BIGINT       NOT NULL,
    CHECK (balance >= 0),
    CHECK (reserved >= 0)
);

CREATE TABLE api_keys (
    id          VARCHAR(40)  PRIMARY KEY,
    account_id  VARCHAR(40)  NOT NULL REFERENCES accounts (id),
    prefix      VARCHAR(40)  NOT NULL,
    hash        VARCHAR(64)  NOT NULL UNIQUE,
    scopes      VARCHAR(400) NOT NULL,
    created_at  BIGINT       NOT NULL,
    revoked_at  BIGINT,
    expires_at  BIGINT
);
CREATE INDEX api_keys_account ON api_keys (account_id);

CREATE TABLE tasks (
    id                 VARCHAR(40)   PRIMARY KEY,
    account_id         VARCHAR(40)   NOT NULL REFERENCES accounts (id),
    door               VARCHAR(16)   NOT NULL,
    model              VARCHAR(64)   NOT NULL,
    spec               TEXT          NOT NULL,
    state              VARCHAR(16)   NOT NULL,
    price              BIGINT        NOT NULL,
    final_credits      BIGINT        NOT NULL,
    provider           VARCHAR(32),
    upstream_id        VARCHAR(200),
    attempts           INTEGER       NOT NULL,
    result_key         VARCHAR(300),
    error_code         VARCHAR(40),
    error_message      VARCHAR(1000),
    next_check_at      BIGINT        NOT NULL,
    deadline_at        BIGINT        NOT NULL,
    lease_owner        VARCHAR(64),
    lease_until        BIGINT,
    created_at         BIGINT        NOT NULL,
    updated_at         BIGINT        NOT NULL,
    completed_at       BIGINT
);
CREATE INDEX tasks_account_state ON tasks (account_id, state);
-- The dispatcher's work list: only unfinished tasks are indexed, so it stays small.
CREATE INDEX tasks_due ON tasks (next_check_at)
    WHERE state IN ('queued', 'submitting', 'processing', 'finalizing');

CREATE TABLE ledger (
    id               VARCHAR(40)  PRIMARY KEY,
    account_id       VARCHAR(40)  NOT NULL REFERENCES accounts (id),
    kind             VARCHAR(16)  NOT NULL,
    available_delta  BIGINT       NOT NULL,
    reserved_delta   BIGINT       NOT NULL,
    task_id          VARCHAR(40),
    note             VARCHAR(400),
    created_at       BIGINT       NOT NULL
);
CREATE INDEX ledger_account ON ledger (account_id);
-- A task is reserved once and settled once: a second capture or release cannot be written.
CREATE UNIQUE INDEX ledger_task_kind ON ledger (task_id, kind) WHERE task_id IS NOT NULL;

CREATE TABLE idempotency (
    account_id   VARCHAR(40)  NOT NULL,
    route        VARCHAR(100) NOT NULL,
    idem_key     VARCHAR(255) NOT NULL,
    fingerprint  VARCHAR(64)  NOT NULL,
    status       INTEGER      NOT NULL,
    body         TEXT         NOT NULL,
    created_at   BIGINT       NOT NULL,
    expires_at   BIGINT       NOT NULL,
    PRIMARY KEY (account_id, route, idem_key)
);
CREATE INDEX idempotency_expiry ON idempotency (expires_at);

-- Node-wide secrets and flags that must survive restarts (media URL signing key, ...).
CREATE TABLE settings (
    name   VARCHAR(100) PRIMARY KEY,
    value  TEXT         NOT NULL
);
