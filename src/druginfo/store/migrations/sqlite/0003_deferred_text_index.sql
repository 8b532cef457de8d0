-- Text rows reach the full-text index in bulk (issue 10): FTS5 builds its index several times
-- faster from thousands of rows at once than from each ingest batch of 32 documents.
--
-- Inserting a text row no longer indexes it: it queues its id in chunks_unindexed, in the
-- transaction that writes its document. The store's index step (index_pending, or any write
-- made with indexing) moves every queued row into chunks_fts and empties the queue, in one
-- transaction. So at every commit: chunks_fts indexes exactly the text rows not queued, and
-- a process killed at any point leaves a consistent store whose queue the next ingest (or
-- the next open, when no writer is busy) completes. Deleting a row that was never indexed
-- only drops it from the queue (FTS5 must not be asked to delete what it never held).
-- Rows written before this migration were indexed by the old trigger: the queue starts empty.

CREATE TABLE chunks_unindexed (
    id INTEGER PRIMARY KEY  -- chunks.id
);

DROP TRIGGER chunks_ai;
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_unindexed (id) VALUES (new.id);
END;

DROP TRIGGER chunks_ad;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, section, body, lang)
    SELECT 'delete', old.id, old.section, old.body, old.lang
    WHERE NOT EXISTS (SELECT 1 FROM chunks_unindexed WHERE id = old.id);
    DELETE FROM chunks_unindexed WHERE id = old.id;
END;
