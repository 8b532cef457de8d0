"""The two-pass BM25 of `store.ranking` on rows of our own making: term frequency, length,
the section title, inverse document frequency and the words as typed each move a row the
way BM25 says, and the first pass (length and title only) keeps the rows the second needs."""

from __future__ import annotations

import random
import re

from druginfo.store import ranking
from druginfo.store.common import parse_text_query

WORDS = [
    "patients",
    "should",
    "avoid",
    "driving",
    "until",
    "they",
    "know",
    "how",
    "this",
    "treatment",
    "affects",
    "them",
]


def _filler(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _rank(
    query: str,
    rows: list[tuple[str, str]],
    weights: list[float] | None = None,
    together: set[int] | None = None,
) -> list[int]:
    """Row numbers of (title, body) rows, best first, through both passes; `together`: the
    rows the engine found the words side by side in."""
    q = parse_text_query(query)
    bm25 = ranking.Bm25(q, weights or [1.0] * len(q.groups), None)
    cands = [
        ranking.Candidate(i, title, len(title.split()) + len(body.split()) + 1)
        for i, (title, body) in enumerate(rows)
    ]
    first = bm25.first_pass(cands, together or set())
    second = bm25.second_pass([(c, rows[c.rowid][1].encode()) for c in first])
    return [c.rowid for c in second]


def test_more_occurrences_rank_higher_at_equal_length() -> None:
    rows = [
        ("Other", f"{_filler(40, 1)} vertigo {_filler(40, 2)}"),
        ("Other", f"{_filler(38, 3)} vertigo vertigo vertigo {_filler(40, 4)}"),
    ]
    assert _rank("vertigo", rows)[0] == 1


def test_a_shorter_row_ranks_higher_at_equal_frequency() -> None:
    rows = [("Other", f"{_filler(300, 5)} vertigo"), ("Other", f"{_filler(12, 6)} vertigo")]
    assert _rank("vertigo", rows)[0] == 1


def test_the_section_title_weighs_more_than_the_body() -> None:
    rows = [("Other", f"{_filler(30, 7)} vertigo {_filler(30, 8)}"), ("Vertigo", _filler(61, 9))]
    assert _rank("vertigo", rows)[0] == 1


def test_a_rare_word_outweighs_a_common_one() -> None:
    rows = [
        ("Other", f"rash rash rash {_filler(40, 10)} tinnitus"),
        ("Other", f"tinnitus tinnitus tinnitus {_filler(40, 11)} rash"),
    ]
    # 'rash' in most rows (weight near zero), 'tinnitus' in few.
    weights = [ranking.idf(10_000, 9_000), ranking.idf(10_000, 12)]
    assert _rank("rash tinnitus", rows, weights)[0] == 1
    assert _rank("rash tinnitus", rows, weights[::-1])[0] == 0


def test_words_side_by_side_as_typed_rank_first() -> None:
    rows = [
        ("Other", "site of the injection, reaction at the site. Injection and reaction again."),
        ("Other", f"{_filler(40, 12)} injection site reaction {_filler(40, 13)}"),
    ]
    assert _rank("injection site reaction", rows, together={1})[0] == 1
    assert _rank("injection site reaction", rows, together=set())[0] == 0
    # ...unless the user quoted a phrase (then only that order was asked for).
    q = parse_text_query('"injection site" reaction')
    assert not ranking.Bm25(q, [1.0] * 2, None).phrased


def test_short_words_count_only_whole() -> None:
    pattern = ranking._sequence(["do", "not"]).encode()
    assert re.findall(pattern, b"do not; doctor not; do nothing; do, not") == [
        b"do not",
        b"do, not",
    ]
    assert re.findall(ranking._sequence(["the"]).encode(), b"the theme, there, the") == [
        b"the",
        b"the",
    ]


def test_an_unmatched_word_form_still_counts_once() -> None:
    # The engine matched 'crianças' as 'criancas' (accents folded): the row is not ranked as
    # if it lacked the word.
    q = parse_text_query("criancas")
    bm25 = ranking.Bm25(q, [1.0], None)
    (c,) = bm25.second_pass([(ranking.Candidate(1, "", 5), "para crianças".encode())])
    assert c.score > 0


def test_the_first_pass_keeps_what_the_second_ranks_best() -> None:
    """Over many random sets of rows of varied length holding the word once to three times,
    the row the second pass ranks best is nearly always among the best 40 % of the first
    pass (the share the store reads again: RERANK of TEXT_CANDIDATES)."""
    from druginfo.store import sqlite as sqlite_store

    share = sqlite_store.RERANK / sqlite_store.TEXT_CANDIDATES
    rng = random.Random(14)
    kept = 0
    trials = 60
    for t in range(trials):
        rows = []
        for i in range(100):
            n = int(rng.lognormvariate(4.0, 1.0)) + 3
            k = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
            rows.append(("Other", f"{_filler(n, t * 1000 + i)} " + "vertigo " * k))
        bm25 = ranking.Bm25(parse_text_query("vertigo"), [1.0], None)

        def cands(rows: list[tuple[str, str]] = rows) -> list[ranking.Candidate]:
            return [ranking.Candidate(i, s, len(b.split()) + 2) for i, (s, b) in enumerate(rows)]

        first = [c.rowid for c in bm25.first_pass(cands())][: int(share * len(rows))]
        best = bm25.second_pass([(c, rows[c.rowid][1].encode()) for c in cands()])[0]
        kept += best.rowid in first
    assert kept >= trials * 0.9, kept


def test_varints() -> None:
    def encode(v: int) -> bytes:
        out = [v & 0x7F]
        v >>= 7
        while v:
            out.append(0x80 | (v & 0x7F))
            v >>= 7
        return bytes(reversed(out))

    rng = random.Random(15)
    for _ in range(500):
        values = [rng.choice([rng.randrange(128), rng.randrange(1 << 30)]) for _ in range(3)]
        blob = b"".join(map(encode, values))
        assert ranking.varints(blob) == values
        assert ranking.varint_sum(blob) == sum(values)
