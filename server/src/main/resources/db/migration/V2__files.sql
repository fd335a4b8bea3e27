-- Uploaded and fetched files (reference media). Same portable rules as V1.
CREATE TABLE files (
    id                 VARCHAR(40)   PRIMARY KEY,
    account_id         VARCHAR(40)   NOT NULL REFERENCES accounts (id),
    kind               VARCHAR(8)    NOT NULL,
    name               VARCHAR(255)  NOT NULL,
    mime_type          VARCHAR(64)   NOT NULL,
    size_bytes         BIGINT        NOT NULL,
    width              INTEGER,
    height             INTEGER,
    duration_ms        BIGINT,
    blob_key           VARCHAR(300)  NOT NULL,
    client_request_id  VARCHAR(128),
    created_at         BIGINT        NOT NULL,
    expires_at         BIGINT        NOT NULL
);
CREATE INDEX files_account ON files (account_id);
CREATE INDEX files_expiry ON files (expires_at);
