-- Remove the version-1 shared diary (issue 9 follow-up). Its rows are people's health notes
-- without an owner: nobody can be shown, export or delete "their" rows, and nothing has read
-- them since 0002 gave every entry an account. Keeping them forever is the one thing a store
-- must not do with such data, so they go.
--
-- secure_delete makes SQLite overwrite the dropped table's pages with zeros instead of leaving
-- the text in the file's free space (some builds default to it, others do not; it stays on for
-- this connection, which is what every later delete of private rows wants too). The script
-- runs in the migrator's single transaction: an interrupted upgrade leaves the rows and the
-- version as they were, and the next start applies it again. IF EXISTS keeps it harmless where
-- the table is already gone.

PRAGMA secure_delete = ON;
DROP INDEX IF EXISTS diary_drug;
DROP TABLE IF EXISTS diary;
