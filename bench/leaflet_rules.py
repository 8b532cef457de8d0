"""How much of the bundled leaflets' "Do not use" sections and names the screening can use.

Two measures over every English EU leaflet in ../shared/data/ema-epi (issue 13, gaps 2 and 6):

1. Contraindication-section sentences ("Do not use X if …", "You must not be given X") that
   name a medicine or a class of medicines, or a condition, and how many of them the fact
   readers turn into a rule the screening applies (an interaction fact for a medicine, a
   class phrase of the vocabulary for a class, a condition / stance / age / allergy fact for a
   condition). A sentence that yields nothing is a contraindication the check cannot see.
2. Every generic name a leaflet gives for its active substance(s) (salts and esters included):
   how many resolve through the bundled vocabulary to a substance.

    .venv/bin/python bench/leaflet_rules.py [--list-unread N] [--list-unresolved N]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from druginfo.facts import extract_facts  # noqa: E402
from druginfo.facts.mentions import default_finder  # noqa: E402
from druginfo.sources.base import ParsedDocument  # noqa: E402
from druginfo.sources.epi import parse_epi  # noqa: E402
from druginfo.store.common import monograph_names  # noqa: E402
from druginfo.vocab import Vocab  # noqa: E402

SHARED = REPO.parent / "shared" / "data" / "ema-epi"
# A sentence about the person's state: 'if you have …', 'You have …', 'if your child suffers …'.
_CONDITION_SHAPED = re.compile(
    r"^\W*(?:if\s+)?(?:you|your\s+child|the\s+(?:person|patient|child)(?:\s+to\s+be\s+vaccinated)?"
    r"|he|she)\s+(?:have|has|had|suffer|suffers|are\s+suffering|were\s+born|was\s+born"
    r"|(?:have|has)\s+(?:ever\s+)?(?:had|been\s+diagnosed))\b",
    re.IGNORECASE,
)
_ALLERGY = re.compile(r"\ballerg|\bhypersensitiv", re.IGNORECASE)
_PREGNANCY = re.compile(r"\bpregnan|\bbreast-?\s?feed|\bbreastfeed", re.IGNORECASE)


def leaflets() -> list[ParsedDocument]:
    out = []
    for path in sorted(SHARED.glob("*.en.json")):
        record = parse_epi(path.read_bytes(), str(path), name=path.name)
        if isinstance(record, ParsedDocument):
            out.append(record)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--list-unread", type=int, default=0)
    parser.add_argument("--list-unresolved", type=int, default=0)
    parser.add_argument("--names-only", action="store_true", help="only the name measure")
    args = parser.parse_args()
    vocab = Vocab.bundled()
    finder = default_finder()
    class_phrases = []
    for cls in getattr(vocab, "_classes", {}).values():
        if cls.phrases:
            class_phrases.append(re.compile(r"\b(?:" + "|".join(cls.phrases) + r")\b", re.I))
    counts: Counter[str] = Counter()
    unread: list[tuple[str, str, str]] = []
    unresolved: list[tuple[str, str]] = []
    docs = leaflets()
    # A fresh install's vocabulary: the bundled one plus every name the stored leaflets teach
    # (what Service.build_vocab does with store.names()).
    learned = Vocab.bundled()
    learned.extend_names(
        (name, r.monograph.key) for r in docs for name, _ in monograph_names(r.monograph)
    )
    for record in docs:
        mono = record.monograph
        own = {
            n.lower()
            for n in (mono.key, mono.identity.generic, *mono.identity.substances,
                      *mono.identity.brands)
            if n
        }  # fmt: skip
        for substance in mono.identity.substances or [mono.identity.generic]:
            counts["generic names"] += 1
            counts["generic names resolved by the bundled vocabulary alone"] += (
                vocab.resolve(substance) is not None
            )
            if learned.resolve(substance) is not None:
                counts["generic names resolved (bundled + names the leaflets teach)"] += 1
            else:
                unresolved.append((mono.key, substance))
        if args.names_only:
            continue
        by_claim: dict[str, list[str]] = {}
        for fs in extract_facts(mono, finder=finder):
            for f in fs.facts:
                if f.claim:
                    key = f.topic + (":" + (f.with_ or "") if f.topic == "interaction" else "")
                    by_claim.setdefault(f.claim, []).append(key)
        for claim in mono.claims:
            if claim.topic.value != "contraindication":
                continue
            text = claim.quote
            facts = by_claim.get(claim.id, [])
            medicines = {
                m.key
                for m in finder.find(text)
                if m.kind == "medicine" and m.key.lower() not in own and m.text.lower() not in own
            }
            if medicines and not _ALLERGY.search(text):
                counts["sentences naming a medicine"] += 1
                read = any(f == "interaction:" + k for k in medicines for f in facts)
                counts["  … turned into a rule"] += read
                if not read:
                    unread.append(("medicine", mono.key, text))
            elif any(p.search(text) for p in class_phrases) and not _ALLERGY.search(text):
                counts["sentences naming a class (phrase in the vocabulary)"] += 1
            if (
                _CONDITION_SHAPED.search(text)
                and not _ALLERGY.search(text)
                and not _PREGNANCY.search(text)
                and not medicines
            ):
                counts["sentences naming a condition"] += 1
                read = any(f in ("contraindication", "age-limit", "vaccine") for f in facts)
                counts["  … turned into a rule "] += read
                if not read:
                    unread.append(("condition", mono.key, text))
    print(f"{len(docs)} English leaflets")
    for k, v in counts.items():
        print(f"{k:55s} {v}")
    for kind, key, text in unread[: args.list_unread]:
        print(f"UNREAD\t{kind}\t{key}\t{' '.join(text.split())[:160]}")
    for key, substance in unresolved[: args.list_unresolved]:
        print(f"UNRESOLVED\t{key}\t{substance}")


if __name__ == "__main__":
    main()
