-- The workbench's tables (docs/server.md). `{id}` is the backend's
-- auto-increment key: INTEGER PRIMARY KEY on SQLite, BIGSERIAL PRIMARY
-- KEY on PostgreSQL. Dates are ISO text (2026-01-20), instants RFC 3339
-- text in UTC; flags are 0/1 integers.

CREATE TABLE users (
    id {id},
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('office', 'evaluator', 'unit')),
    unit_id TEXT,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- The objection register (异议登记, docs/scheme.md section 3): one row
-- per record; each run exports it as the run's objections.csv.
CREATE TABLE objections (
    id {id},
    dataset TEXT NOT NULL,
    record_key TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'upheld', 'rejected')),
    decided_on TEXT,
    reply TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    decided_by TEXT,
    UNIQUE (dataset, record_key)
);

CREATE TABLE runs (
    id {id},
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    started_by TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    register_rows BIGINT NOT NULL,
    error TEXT
);

-- Append-only: the triggers of the second migration refuse UPDATE and
-- DELETE.
CREATE TABLE audit (
    id {id},
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT
);
