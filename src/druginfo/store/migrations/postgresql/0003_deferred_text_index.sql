-- Text rows reach the full-text index in bulk (issue 10). PostgreSQL does this itself: a GIN
-- index with fastupdate queues new entries in its pending list and merges them in bulk (at
-- vacuum, or when the list passes gin_pending_list_limit), inside the same transactions as
-- the rows, so a killed writer never leaves the index and the table apart. Stated here so the
-- choice is explicit (it is the default) and both backends have the same migration numbers.

ALTER INDEX chunks_tsv SET (fastupdate = on);
