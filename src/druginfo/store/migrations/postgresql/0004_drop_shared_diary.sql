-- Remove the version-1 shared diary (issue 9 follow-up). Its rows are people's health notes
-- without an owner: nobody can be shown, export or delete "their" rows, and nothing has read
-- them since 0002 gave every entry an account. Keeping them forever is the one thing a store
-- must not do with such data, so they go.
--
-- DROP TABLE (rather than DELETE) removes the table's files at commit, so no dead row versions
-- wait for a vacuum. The script runs in the migrator's single transaction (PostgreSQL DDL is
-- transactional): an interrupted upgrade leaves the rows and the version as they were, and
-- the next start applies it again. IF EXISTS keeps it harmless where the table is already gone.

DROP TABLE IF EXISTS diary;
