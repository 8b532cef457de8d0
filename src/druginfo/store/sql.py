"""Reads that both SQL backends answer with the same statements.

Only the parameter style (`?` or `%s`), the way a stored monograph is decoded and how a date
comes back differ between SQLite and PostgreSQL; everything else lives here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from druginfo.model import ClassEntry, Monograph
from druginfo.store import common


class SqlReads:
    _P: ClassVar[str]  # the driver's parameter marker
    _decoded: common.MonographCache

    # Each backend defines these two (a Protocol-like contract, kept in the base for mypy).
    def _query(self, sql: str, params: Any = ()) -> list[Any]:
        raise NotImplementedError

    def _decode(self, value: Any) -> Monograph:
        raise NotImplementedError

    def _date_text(self, value: Any) -> str | None:
        """A stored document date as ISO text, however the driver returns it."""
        return None if value is None else str(value)

    # store metadata: a generation counter and first-fill markers ----------------------------
    # Created by `ensure_meta` in each backend's migrate() (IF NOT EXISTS, beside
    # schema_version) rather than by a numbered migration: every store, old or new, has it.
    META_TABLES = (
        "CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS store_generation ("
        " id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL)",
        "INSERT INTO store_generation (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    )

    def _ensure_meta(self, conn: Any) -> None:
        """The metadata tables, and the store's random id (written once, at creation)."""
        import uuid

        for statement in self.META_TABLES:
            conn.execute(statement)
        conn.execute(
            f"INSERT INTO store_meta (name, value) VALUES ('store-id', {self._P})"
            " ON CONFLICT (name) DO NOTHING",
            (uuid.uuid4().hex,),
        )

    def generation(self) -> int:
        """A number that grows with every committed change to documents, names, classes or
        interaction pairs, so a long-running reader (the web server) can tell cheaply that
        another process (`druginfo ingest`) wrote something it must see."""
        rows = self._query("SELECT n FROM store_generation WHERE id = 1")
        return int(rows[0][0]) if rows else 0

    def _bump_generation(self, conn: Any) -> None:
        """Inside a write transaction, as its last statement (the row lock is held briefly)."""
        conn.execute("UPDATE store_generation SET n = n + 1 WHERE id = 1")

    def meta(self, name: str) -> str | None:
        rows = self._query(f"SELECT value FROM store_meta WHERE name = {self._P}", (name,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, name: str, value: str) -> None:
        with self._tx() as conn:
            conn.execute(
                f"INSERT INTO store_meta (name, value) VALUES ({self._P}, {self._P})"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    def _tx(self) -> Any:
        raise NotImplementedError

    def is_empty(self) -> bool:
        return not self._query("SELECT 1 FROM documents LIMIT 1")

    def document_checksums(self) -> dict[str, str]:
        """doc_id → checksum of every stored document, so a rerun can skip what it has."""
        return {r[0]: r[1] for r in self._query("SELECT doc_id, checksum FROM documents")}

    def count_documents(self) -> int:
        return int(self._query("SELECT count(*) FROM documents")[0][0])

    def count_interactions(self) -> int:
        return int(self._query("SELECT count(*) FROM interactions")[0][0])

    def names(self) -> Iterable[tuple[str, str]]:
        rows = self._query("SELECT DISTINCT name, key FROM names ORDER BY key, name")
        return [(r[0], r[1]) for r in rows]

    def get_monograph(self, key: str, language: str | None = None) -> Monograph | None:
        rows = self._query(
            "SELECT id, curated, language, kind, document_date, doc_id, checksum FROM documents"
            f" WHERE key = {self._P}",
            (key,),
        )
        best = common.pick_best(
            [(r[0], bool(r[1]), r[2], r[3], self._date_text(r[4]), r[5]) for r in rows], language
        )
        if best is None:
            return None
        checksum = next(str(r[6]) for r in rows if r[0] == best)
        return self._decoded_row(best, checksum)

    def documents_for(self, key: str) -> list[Monograph]:
        rows = self._query(
            f"SELECT id, checksum FROM documents WHERE key = {self._P}"
            " ORDER BY curated DESC, language <> 'en', language,"
            " document_date IS NULL, document_date DESC, doc_id",
            (key,),
        )
        return [m for m in (self._decoded_row(r[0], str(r[1])) for r in rows) if m is not None]

    def brand_documents(self, key: str, brand: str) -> list[Monograph]:
        """`documents_for(key)` limited to the documents naming `brand` (any case) among
        their brands, read from the stored brand list: only those are decoded (a substance
        with many products, such as adalimumab's 22 leaflets, need not decode them all to
        show one)."""
        wanted = brand.lower()
        rows = self._query(
            f"SELECT id, checksum, brands FROM documents WHERE key = {self._P}"
            " ORDER BY curated DESC, language <> 'en', language,"
            " document_date IS NULL, document_date DESC, doc_id",
            (key,),
        )
        picked = [r for r in rows if wanted in (b.lower() for b in _brand_list(r[2]))]
        return [m for m in (self._decoded_row(r[0], str(r[1])) for r in picked) if m is not None]

    def _decoded_row(self, row: object, checksum: str) -> Monograph | None:
        def load() -> Monograph | None:
            blob = self._query(f"SELECT monograph FROM documents WHERE id = {self._P}", (row,))
            return self._decode(blob[0][0]) if blob else None

        return self._decoded.get(row, checksum, load)

    def classes_of(self, generic: str) -> list[ClassEntry]:
        rows = self._query(
            f"SELECT system, code, name, parent FROM classes WHERE name_norm = {self._P}"
            " ORDER BY system, code",
            (common.normalize_name(generic),),
        )
        return [class_from_row(r) for r in rows]

    def class_entry(self, code: str, system: str = "atc") -> ClassEntry | None:
        rows = self._query(
            "SELECT system, code, name, parent FROM classes"
            f" WHERE system = {self._P} AND code = {self._P}",
            (system, code),
        )
        return class_from_row(rows[0]) if rows else None


def class_from_row(r: Sequence[object]) -> ClassEntry:
    return ClassEntry(system=str(r[0]), code=str(r[1]), name=str(r[2]), parent=r[3])


def _brand_list(value: Any) -> list[str]:
    """The brands column: JSON text (SQLite) or already decoded (PostgreSQL's jsonb)."""
    import json

    brands = json.loads(value) if isinstance(value, str | bytes) else value
    return [str(b) for b in brands or []]
