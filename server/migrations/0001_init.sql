-- One schema for SQLite and PostgreSQL: TEXT, BIGINT and BYTEA mean the same on both
-- (SQLite takes BYTEA as a blob). JSON is stored as TEXT.

CREATE TABLE workflow_versions (
    key          TEXT NOT NULL,
    version      BIGINT NOT NULL,
    workflow_toml TEXT NOT NULL,
    rules_rhai   TEXT NOT NULL,
    cases        TEXT NOT NULL,
    digest       TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    PRIMARY KEY (key, version)
);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    department TEXT,
    roles      TEXT NOT NULL,
    seen_at    TEXT NOT NULL
);

CREATE TABLE instances (
    id         TEXT PRIMARY KEY,
    workflow   TEXT NOT NULL,
    version    BIGINT NOT NULL,
    initiator  TEXT NOT NULL,
    status     TEXT NOT NULL,
    step       TEXT NOT NULL,
    revision   BIGINT NOT NULL,
    state      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX instances_initiator ON instances (initiator, updated_at);

-- Who may act now, rewritten with every action: the work lists read it.
CREATE TABLE open_tasks (
    instance_id TEXT NOT NULL,
    assignee    TEXT NOT NULL,
    due_at      TEXT,
    PRIMARY KEY (instance_id, assignee)
);
CREATE INDEX open_tasks_assignee ON open_tasks (assignee);

CREATE TABLE copies (
    instance_id TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    PRIMARY KEY (instance_id, user_id)
);
CREATE INDEX copies_user ON copies (user_id);

-- The audit log: append-only, one hash chain per instance (each entry hashes the previous).
CREATE TABLE audit (
    instance_id TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    entry       TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (instance_id, seq)
);

-- Client request ids already applied, with the response they got.
CREATE TABLE requests (
    request_id TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    status     BIGINT NOT NULL,
    response   TEXT NOT NULL
);

CREATE TABLE attachments (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size       BIGINT NOT NULL,
    content    BYTEA NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
