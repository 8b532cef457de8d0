-- Accounts and people's private records (issue 9). Every private row names its owner; the
-- application reads and writes them only through druginfo.store.private, which always filters
-- by owner. Ids are random (secrets.token_urlsafe), never sequential. Times are UTC epoch
-- seconds so both backends compare them the same way.
-- The version-1 `diary` table was one list shared by everyone; its rows have no owner, so
-- nothing reads them any more.

CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created       INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created    INTEGER NOT NULL,
    expires    INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE diary_entries (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    drug       TEXT NOT NULL,
    reaction   TEXT NOT NULL,
    started    TEXT NOT NULL,
    severity   TEXT NOT NULL,
    outcome    TEXT,
    created    INTEGER NOT NULL
);
CREATE INDEX diary_entries_owner ON diary_entries (account_id, drug);

CREATE TABLE plans (
    id      TEXT PRIMARY KEY,
    owner   TEXT NOT NULL,
    drug    TEXT NOT NULL,
    answers TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER
);
CREATE INDEX plans_owner ON plans (owner);

CREATE TABLE app_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
