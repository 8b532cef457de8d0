-- SQLite's 0007 sizes FTS5's in-memory term buffer for bulk index steps. PostgreSQL needs
-- nothing: its GIN index takes rows as they are written (fastupdate, see 0006). Kept so both
-- backends share migration numbers.
SELECT 1;
