-- druginfo SQLite schema, version 1.
-- Documents are stored whole (monograph JSON, zlib-compressed) beside the derived rows used to find them
-- (names, text chunks); the derived rows are rewritten in the same transaction as the
-- document, so a killed writer never leaves a document without its names or search rows.

CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT    NOT NULL UNIQUE,
    key           TEXT    NOT NULL,
    language      TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('label', 'publisher', 'curated')),
    curated       INTEGER NOT NULL DEFAULT 0 CHECK (curated IN (0, 1)),
    display_name  TEXT    NOT NULL,
    brands        TEXT    NOT NULL DEFAULT '[]',
    document_date TEXT,
    checksum      TEXT    NOT NULL,
    monograph     BLOB    NOT NULL, -- zlib-compressed Monograph JSON
    updated_at    TEXT    NOT NULL
);
CREATE INDEX documents_key ON documents (key, curated, language);

CREATE TABLE names (
    id       INTEGER PRIMARY KEY,
    doc      INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    name     TEXT    NOT NULL,
    norm     TEXT    NOT NULL,
    key      TEXT    NOT NULL,
    language TEXT    NOT NULL,
    kind     TEXT    NOT NULL
);
CREATE INDEX names_norm ON names (norm);
CREATE INDEX names_doc ON names (doc);

-- Misspelling-tolerant name lookup: the DISTINCT normalised names (reference-counted, so many
-- documents sharing a name add one candidate, not many) in a trigram index; candidates
-- sharing trigrams with the query are re-ranked in Python.
CREATE TABLE name_terms (
    id   INTEGER PRIMARY KEY,
    norm TEXT    NOT NULL UNIQUE,
    refs INTEGER NOT NULL
);
CREATE VIRTUAL TABLE names_trgm USING fts5 (
    norm, content = 'name_terms', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER names_ai AFTER INSERT ON names BEGIN
    INSERT OR IGNORE INTO name_terms (norm, refs) VALUES (new.norm, 0);
    UPDATE name_terms SET refs = refs + 1 WHERE norm = new.norm;
END;
CREATE TRIGGER names_ad AFTER DELETE ON names BEGIN
    UPDATE name_terms SET refs = refs - 1 WHERE norm = old.norm;
    DELETE FROM name_terms WHERE norm = old.norm AND refs <= 0;
END;
CREATE TRIGGER name_terms_ai AFTER INSERT ON name_terms BEGIN
    INSERT INTO names_trgm (rowid, norm) VALUES (new.id, new.norm);
END;
CREATE TRIGGER name_terms_ad AFTER DELETE ON name_terms BEGIN
    INSERT INTO names_trgm (names_trgm, rowid, norm) VALUES ('delete', old.id, old.norm);
END;

-- Searchable text (Porter stemming over unicode61, so 'reaction' finds 'reactions'; the
-- stemmer leaves most Danish and Portuguese words alone): one row per section, per claim not already inside a section, and one
-- row of names per document.
CREATE TABLE chunks (
    id       INTEGER PRIMARY KEY,
    doc      INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    lang     TEXT    NOT NULL,
    section  TEXT    NOT NULL DEFAULT '',
    body     TEXT    NOT NULL
);
CREATE INDEX chunks_doc ON chunks (doc);

CREATE VIRTUAL TABLE chunks_fts USING fts5 (
    section, body, lang,
    content = 'chunks', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, section, body, lang)
    VALUES (new.id, new.section, new.body, new.lang);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, section, body, lang)
    VALUES ('delete', old.id, old.section, old.body, old.lang);
END;

CREATE TABLE history (
    id            INTEGER PRIMARY KEY,
    doc_id        TEXT NOT NULL,
    checksum      TEXT NOT NULL,
    document_date TEXT,
    replaced_at   TEXT NOT NULL
);
CREATE INDEX history_doc ON history (doc_id);

-- Pairs are kept in canonical order (drug_a < drug_b), so "every pair among these drugs" is
-- a single range probe of the primary key per drug.
CREATE TABLE interactions (
    drug_a     TEXT NOT NULL,
    drug_b     TEXT NOT NULL,
    source     TEXT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('major', 'moderate', 'minor', 'unknown')),
    source_ids TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (drug_a, drug_b, source),
    CHECK (drug_a < drug_b)
) WITHOUT ROWID;
CREATE INDEX interactions_b ON interactions (drug_b, drug_a);

CREATE TABLE classes (
    system    TEXT NOT NULL,
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    parent    TEXT,
    PRIMARY KEY (system, code)
) WITHOUT ROWID;
CREATE INDEX classes_name ON classes (system, name_norm);

CREATE TABLE diary (
    id       INTEGER PRIMARY KEY,
    drug     TEXT NOT NULL,
    reaction TEXT NOT NULL,
    started  TEXT NOT NULL,
    severity TEXT NOT NULL,
    outcome  TEXT,
    created  TEXT NOT NULL
);
CREATE INDEX diary_drug ON diary (drug);

CREATE TABLE feedback (
    id      INTEGER PRIMARY KEY,
    page    TEXT NOT NULL,
    helpful INTEGER,
    text    TEXT,
    created TEXT NOT NULL
);
