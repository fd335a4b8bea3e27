-- Notifications (PRODUCT.md section 9): Rivya webhook endpoints, the outbox of task events, and
-- the deliveries of webhooks and Market callbacks with every attempt. Same portable rules as V1.

CREATE TABLE webhook_endpoints (
    id               VARCHAR(40)   PRIMARY KEY,
    account_id       VARCHAR(40)   NOT NULL REFERENCES accounts (id),
    name             VARCHAR(200),
    url              VARCHAR(2048) NOT NULL,
    event_types      VARCHAR(200)  NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    -- HMAC signing needs the secret itself, so it is kept as issued (a hash could not sign);
    -- it is shown once and never logged. The previous secret signs too until previous_until.
    secret           VARCHAR(100)  NOT NULL,
    previous_secret  VARCHAR(100),
    previous_until   BIGINT,
    failure_count    INTEGER       NOT NULL,
    last_success_at  BIGINT,
    last_failure_at  BIGINT,
    disabled_reason  VARCHAR(200),
    created_at       BIGINT        NOT NULL,
    updated_at       BIGINT        NOT NULL,
    disabled_at      BIGINT,
    deleted_at       BIGINT
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id);

-- The outbox: one event per finished task, inserted by the transaction that settles the task,
-- so a settled task can never miss its notifications. published_at is set when the notifier
-- has rendered the payload and created the deliveries (in one transaction).
CREATE TABLE events (
    id            VARCHAR(40)  PRIMARY KEY,
    account_id    VARCHAR(40)  NOT NULL REFERENCES accounts (id),
    task_id       VARCHAR(40),
    type          VARCHAR(40)  NOT NULL,
    payload       TEXT,
    created_at    BIGINT       NOT NULL,
    published_at  BIGINT
);
CREATE INDEX events_unpublished ON events (created_at) WHERE published_at IS NULL;
CREATE INDEX events_account ON events (account_id, created_at);

-- One message to one receiver (a webhook endpoint, or a task's callback URL), retried until it
-- succeeds or gives up. receiver groups deliveries for the per-receiver concurrency bound.
CREATE TABLE deliveries (
    id               VARCHAR(40)   PRIMARY KEY,
    kind             VARCHAR(16)   NOT NULL,
    account_id       VARCHAR(40)   NOT NULL,
    event_id         VARCHAR(40)   NOT NULL,
    task_id          VARCHAR(40),
    endpoint_id      VARCHAR(40),
    url              VARCHAR(2048),
    receiver         VARCHAR(300)  NOT NULL,
    body             TEXT          NOT NULL,
    state            VARCHAR(16)   NOT NULL,
    attempts         INTEGER       NOT NULL,
    next_attempt_at  BIGINT        NOT NULL,
    lease_owner      VARCHAR(64),
    lease_until      BIGINT,
    last_status      INTEGER,
    last_error       VARCHAR(500),
    created_at       BIGINT        NOT NULL,
    updated_at       BIGINT        NOT NULL,
    completed_at     BIGINT
);
-- The notifier's work list: only pending deliveries are indexed, so it stays small.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, created_at);
CREATE INDEX deliveries_event ON deliveries (event_id);

CREATE TABLE delivery_attempts (
    delivery_id  VARCHAR(40)   NOT NULL,
    attempt_no   INTEGER       NOT NULL,
    started_at   BIGINT        NOT NULL,
    duration_ms  BIGINT        NOT NULL,
    status_code  INTEGER,
    outcome      VARCHAR(16)   NOT NULL,
    error        VARCHAR(500),
    response     VARCHAR(1100),
    PRIMARY KEY (delivery_id, attempt_no)
);

-- kie-style callback signing (X-Webhook-Signature): at most one HMAC key per account, set by
-- an operator. Kept as issued for the same reason as webhook secrets.
CREATE TABLE callback_keys (
    account_id  VARCHAR(40)   PRIMARY KEY REFERENCES accounts (id),
    hmac_key    VARCHAR(200)  NOT NULL,
    created_at  BIGINT        NOT NULL
);
