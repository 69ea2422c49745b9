-- The store's own bookkeeping. Later migrations add accounts, records, submissions,
-- the change log and the publication log.
CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
