-- Text search at scale (issue 10 item 8). The store ranks the newest matching text rows of a
-- query (store/ranking.py); PostgreSQL finds them in windows of row ids, newest first
-- (PostgresStore._candidates). A GIN index alone cannot stop at a window: it returns every
-- match of the query's words as one bitmap, and the planner, which cannot know how many
-- of those matches a window holds, either reads all of them from the table to test the
-- window's bounds (0.3-0.5 s for three common words at 20x) or walks the primary key.
--
-- `bucket` numbers each run of 32,768 row ids (id >> 15, computed by PostgreSQL itself, so
-- no writer has to set it). Indexed in the same GIN index as the text (btree_gin, a contrib
-- extension shipped with PostgreSQL), a window's buckets are one more key that GIN ANDs
-- with the words inside the index: only the window's matches reach the table.
-- Adding the column rewrites the chunks table once.

CREATE EXTENSION IF NOT EXISTS btree_gin;

DROP INDEX chunks_tsv;
ALTER TABLE chunks ADD COLUMN bucket INTEGER GENERATED ALWAYS AS ((id >> 15)::integer) STORED;
CREATE INDEX chunks_tsv ON chunks USING gin (tsv, bucket) WITH (fastupdate = on);
