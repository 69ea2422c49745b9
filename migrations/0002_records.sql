-- The published records, submissions, the change log and the publication log.
-- Records keep the flat shape of model::Record: their fields as a JSON array of text,
-- one per column of the kind's CSV file. People are recorded by username.

-- What the public map shows: one row per record, replaced whole by an approval.
-- digest: the first 16 bytes of SHA-256 over (kind, key, fields), so `db check` can name
-- a record whose fields were edited behind the store's back.
CREATE TABLE records (
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    fields    TEXT NOT NULL,
    digest    BLOB NOT NULL,
    PRIMARY KEY (kind, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX records_by_unit ON records (unit_code);

-- The province of each unit code (communes and districts of edition 2024, provinces),
-- refreshed from the atlas at start: the change log is filtered by province with it.
CREATE TABLE unit_provinces (
    unit_code TEXT PRIMARY KEY,
    province  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE submissions (
    id             INTEGER PRIMARY KEY,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    file_name      TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected')),
    submitted_by   TEXT,
    submitted_at   INTEGER,
    reviewed_by    TEXT,
    reviewed_at    INTEGER,
    review_comment TEXT,
    decision       TEXT,
    publication    INTEGER
) STRICT;
CREATE INDEX submissions_by_status ON submissions (status);
CREATE INDEX submissions_by_user ON submissions (created_by);

CREATE TABLE submission_provinces (
    submission INTEGER NOT NULL REFERENCES submissions (id),
    province   TEXT NOT NULL,
    PRIMARY KEY (submission, province)
) STRICT, WITHOUT ROWID;
CREATE INDEX submission_provinces_by_province ON submission_provinces (province);

-- The records of a submission. base: the published fields when the draft was made
-- (NULL: no such record was published), to tell a conflict from an ordinary change.
CREATE TABLE submission_records (
    submission INTEGER NOT NULL REFERENCES submissions (id),
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    unit_code  TEXT NOT NULL,
    fields     TEXT NOT NULL,
    base       TEXT,
    PRIMARY KEY (submission, kind, key)
) STRICT, WITHOUT ROWID;

-- One row per published version. counts: JSON object kind -> records; checksum: hex of
-- the XOR of every record's digest (order-free, so an approval updates it in O(changes)).
CREATE TABLE publications (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    by         TEXT NOT NULL,
    submission INTEGER REFERENCES submissions (id),
    decision   TEXT,
    counts     TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    changed    INTEGER NOT NULL
) STRICT;

-- One row per published field change (a new record logs each of its fields, old NULL).
CREATE TABLE changes (
    id           INTEGER PRIMARY KEY,
    publication  INTEGER NOT NULL REFERENCES publications (id),
    submission   INTEGER REFERENCES submissions (id),
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    unit_code    TEXT NOT NULL,
    field        TEXT NOT NULL,
    old          TEXT,
    new          TEXT NOT NULL,
    submitted_by TEXT,
    approved_by  TEXT NOT NULL,
    at           INTEGER NOT NULL,
    decision     TEXT
) STRICT;
CREATE INDEX changes_by_unit ON changes (unit_code);
CREATE INDEX changes_by_at ON changes (at);
CREATE INDEX changes_by_record ON changes (kind, key, field);

-- The change log and the publication log are append-only.
CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
CREATE TRIGGER publications_no_update BEFORE UPDATE ON publications
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
CREATE TRIGGER publications_no_delete BEFORE DELETE ON publications
BEGIN SELECT RAISE(ABORT, 'the publication log is append-only'); END;
