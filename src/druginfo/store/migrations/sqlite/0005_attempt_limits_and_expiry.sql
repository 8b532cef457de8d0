-- Attempt counters of the sign-in and registration limits (issue 9 follow-up). They were kept in
-- each server process's memory, so a server run as several processes allowed several times the
-- guesses; here every process counts in the same rows. One row per attempt, so the window
-- slides. `key_hash` is an HMAC of the name or address under a secret of the store: no user name
-- (or password typed into the name field) and no client address is kept in clear. Rows are
-- deleted once `expires` (attempt time + the limit's window) has passed.

CREATE TABLE limited_attempts (
    id       TEXT PRIMARY KEY,
    bucket   TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    at       REAL NOT NULL,
    expires  REAL NOT NULL
);
CREATE INDEX limited_attempts_key ON limited_attempts (bucket, key_hash, at);
CREATE INDEX limited_attempts_expires ON limited_attempts (expires);

-- Expired visitor plans (health answers) and ended sessions are deleted whenever a plan is
-- saved or someone signs in; these keep that delete from reading the whole table.
CREATE INDEX plans_expires ON plans (expires);
CREATE INDEX sessions_expires ON sessions (expires);
