-- Fewer, larger segments for the full-text index (issue 10 item 2). FTS5 collects the terms
-- of the rows inserted in a transaction in memory and writes them out as a new segment each
-- time that memory passes `hashsize` (default 1 MB); segments are then merged again and
-- again. A bulk index step of a thousand leaflets (~15 MB of text) made a dozen segments;
-- with 16 MB it makes one or two, and the step took about a fifth less CPU (measured on the
-- bundled leaflets: 1.35 -> 1.06 s for the whole corpus in three steps). The memory is held
-- only while a writing transaction indexes text. A persistent setting of the index (stored
-- in its %_config table), so every connection that writes uses it.
INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('hashsize', 16777216);
