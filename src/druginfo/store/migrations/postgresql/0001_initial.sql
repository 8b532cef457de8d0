-- druginfo PostgreSQL schema, version 1 (same tables as the SQLite schema).
-- Text search uses the 'simple' configuration so English, Danish and Portuguese leaflets are
-- all indexed without a language-specific stemmer; names use pg_trgm for misspellings.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE documents (
    id            BIGSERIAL PRIMARY KEY,
    doc_id        TEXT    NOT NULL UNIQUE,
    key           TEXT    NOT NULL,
    language      TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('label', 'publisher', 'curated')),
    curated       BOOLEAN NOT NULL DEFAULT FALSE,
    display_name  TEXT    NOT NULL,
    brands        JSONB   NOT NULL DEFAULT '[]',
    document_date DATE,
    checksum      TEXT    NOT NULL,
    monograph     JSONB   NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX documents_key ON documents (key, curated, language);

CREATE TABLE names (
    id       BIGSERIAL PRIMARY KEY,
    doc      BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    name     TEXT   NOT NULL,
    norm     TEXT   NOT NULL,
    key      TEXT   NOT NULL,
    language TEXT   NOT NULL,
    kind     TEXT   NOT NULL
);
CREATE INDEX names_norm ON names (norm text_pattern_ops);
CREATE INDEX names_doc ON names (doc);
CREATE INDEX names_trgm ON names USING gin (norm gin_trgm_ops);

CREATE TABLE chunks (
    id      BIGSERIAL PRIMARY KEY,
    doc     BIGINT   NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    lang    TEXT     NOT NULL,
    section TEXT     NOT NULL DEFAULT '',
    body    TEXT     NOT NULL,
    tsv     TSVECTOR NOT NULL
);
CREATE INDEX chunks_doc ON chunks (doc);
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);

CREATE TABLE history (
    id            BIGSERIAL PRIMARY KEY,
    doc_id        TEXT NOT NULL,
    checksum      TEXT NOT NULL,
    document_date DATE,
    replaced_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX history_doc ON history (doc_id);

CREATE TABLE interactions (
    drug_a     TEXT  NOT NULL,
    drug_b     TEXT  NOT NULL,
    source     TEXT  NOT NULL,
    level      TEXT  NOT NULL CHECK (level IN ('major', 'moderate', 'minor', 'unknown')),
    source_ids JSONB NOT NULL DEFAULT '[]',
    PRIMARY KEY (drug_a, drug_b, source),
    CHECK (drug_a < drug_b)
);
CREATE INDEX interactions_b ON interactions (drug_b, drug_a);

CREATE TABLE classes (
    system    TEXT NOT NULL,
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    parent    TEXT,
    PRIMARY KEY (system, code)
);
CREATE INDEX classes_name ON classes (system, name_norm);
CREATE INDEX classes_code ON classes (system, code text_pattern_ops);

CREATE TABLE diary (
    id       BIGSERIAL PRIMARY KEY,
    drug     TEXT NOT NULL,
    reaction TEXT NOT NULL,
    started  DATE NOT NULL,
    severity TEXT NOT NULL,
    outcome  TEXT,
    created  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX diary_drug ON diary (drug);

CREATE TABLE feedback (
    id      BIGSERIAL PRIMARY KEY,
    page    TEXT NOT NULL,
    helpful BOOLEAN,
    text    TEXT,
    created TIMESTAMPTZ NOT NULL DEFAULT now()
);
