"""How much of the bundled leaflets' "Do not use" sections and names the screening can use.

Two measures over every English EU leaflet in ../shared/data/ema-epi (issue 13, gaps 2 and 6):

1. Contraindication-section sentences ("Do not use X if …", "You must not be given X") that
   name a medicine or a class of medicines, or a condition, and how many of them the fact
   readers turn into a rule the screening applies (an interaction fact for a medicine, a
   class phrase of the vocabulary for a class, a condition / stance / age / allergy fact for a
   condition). A sentence that yields nothing is a contraindication the check cannot see.
2. Every generic name a leaflet gives for its active substance(s) (salts and esters included):
   how many resolve through the bundled vocabulary to a substance.
3. Warnings sections ("Warnings and precautions", "Take special care"): sentences that ask
   about a condition of the person ('if you have …', an item under 'Talk to your doctor … if
   you:') and how many become a rule (a precaution or contraindication fact); sentences that
   name medicines the person may take (a medicine or a class phrase of the vocabulary, in
   the warnings, 'Do not use' or 'Other medicines' sections) and how many become a rule (an
   interaction fact, or a class phrase the screening reads in its section).
4. A false-alert audit (--audit N): for N leaflets that state an indication, a profile
   holding only that indication as its condition (with and without `indication` set) is
   screened against the leaflet; every condition alert on it is counted (target 0).

Run the same script against an older tree for a before/after comparison:
    .venv/bin/python bench/leaflet_rules.py [--list-unread N] [--list-unresolved N]
        [--list-warnings N] [--audit N] [--src PATH/TO/src]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_SRC = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--src=")), None)
sys.path.insert(0, _SRC or str(REPO / "src"))

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


# A warnings sentence about the person's state: 'if you have/had/suffer …', 'a history of …',
# or a list item opening with its verb ('have, or have had, tuberculosis').
_STATE = re.compile(
    r"\bif\s+(?:you|your\s+child|the\s+(?:patient|person|child))\s+(?:\w+\s+)?"
    r"(?:have|has|had|suffer|suffers|are\s+suffering)\b|\bhistory\s+of\b"
    r"|^\W*(?:(?:you|your\s+child)\s+)?(?:(?:ever|previously|already)\s+)?(?:have|has|had|suffer)\b",
    re.IGNORECASE,
)
_WARNING_HEADING = re.compile(
    r"warnings?|precautions?|take\s+special\s+care|talk\s+to\s+your\s+doctor", re.I
)
_MED_SECTIONS = ("warning", "contraindication", "interaction")
# Outside 'Other medicines', a sentence is about medicines the person takes only where it says
# so ('if you are taking …', 'tell your doctor if you use …', an item under such a lead):
# "Insulin treatment can cause antibodies" or "contains sodium" is no medicine list.
_TAKING = re.compile(
    r"\b(?:tak(?:e|es|ing|en)|us(?:e|es|ing)|receiv(?:e|es|ing|ed)|treated\s+with|"
    r"on\s+(?:treatment|therapy)\s+with|in\s+combination\s+with|together\s+with)\b",
    re.IGNORECASE,
)
_EXCIPIENT = re.compile(r"\bcontains?\b|\bsodium-free\b|\bper\s+(?:dose|tablet|ml)\b", re.I)


def _in_warnings(claim: object) -> bool:
    section = getattr(claim, "section", None) or ""
    topic = getattr(claim, "topic", None)
    return bool(_WARNING_HEADING.search(section)) or getattr(topic, "value", "") == "warning"


def _warnings(mono, by_claim, finder, own, class_phrases, counts, unread) -> None:  # type: ignore[no-untyped-def]
    """Measure 3 for one leaflet."""
    lead: str | None = None  # the last lead ending in ':' of the section, while it runs
    section: tuple[str, str | None] | None = None
    for claim in mono.claims:
        text = claim.quote
        if section != (claim.source, claim.section):
            section, lead = (claim.source, claim.section), None
        if text.rstrip().endswith(":"):
            lead = text
        facts = by_claim.get(claim.id, [])
        mentions = finder.find(text)
        if _in_warnings(claim) and not _ALLERGY.search(text) and not _PREGNANCY.search(text):
            named = [m for m in mentions if m.kind == "condition" and not m.negated]
            if named and _STATE.search(text):
                counts["warnings: condition sentences"] += 1
                read = any(f in ("precaution", "contraindication") for f in facts)
                counts["warnings:   … turned into a rule"] += read
                if not read:
                    unread.append(("warning-condition", mono.key, text))
        if claim.topic.value in _MED_SECTIONS or _in_warnings(claim):
            if _ALLERGY.search(text) or _EXCIPIENT.search(text):
                continue
            if (
                claim.topic.value != "interaction"
                and not _TAKING.search(text)
                and not (lead is not None and _TAKING.search(lead))
            ):
                continue
            meds = {
                m.key
                for m in mentions
                if m.kind == "medicine" and m.key.lower() not in own and m.text.lower() not in own
            }
            classes = any(p.search(text) for p in class_phrases)
            if not meds and not classes:
                continue
            counts["medicines: sentences naming a medicine or class"] += 1
            read = any(f.startswith("interaction") for f in facts) or (
                classes and claim.topic.value in ("contraindication", "interaction")
            )
            counts["medicines:   … turned into a rule"] += read
            if not read:
                unread.append(("warning-medicine", mono.key, text))


def audit(docs: list[ParsedDocument], vocab: Vocab, n: int) -> None:
    """Measure 4: alerts on a profile whose only condition is the medicine's own indication."""
    from druginfo.engine.leaflet_screening import screen_leaflet
    from druginfo.engine.profile import parse_profile

    finder = default_finder()
    picked = fired = fired_unset = 0
    examples: list[str] = []
    for record in docs:
        if picked >= n:
            break
        mono = record.monograph
        facts = extract_facts(mono, finder=finder)
        indications = [f.condition for fs in facts for f in fs.facts if f.topic == "indication"]
        if not indications or not indications[0]:
            continue
        indication = indications[0]
        picked += 1
        base = {"age_years": 40, "weight_kg": 70, "sex": "male", "conditions": [indication]}
        for with_indication in (True, False):
            raw = dict(base, indication=indication) if with_indication else base
            result = screen_leaflet(mono, facts, parse_profile(raw), vocab)
            hits = [a for a in result.alerts if (a.matched or "").lower() == indication.lower()]
            if with_indication:
                fired += len(hits)
            else:
                fired_unset += len(hits)
            for a in hits[:1]:
                examples.append(
                    f"AUDIT\t{mono.key}\t{indication}\t"
                    f"{'indication set' if with_indication else 'indication unset'}\t"
                    f"{a.severity}\t{' '.join(a.detail.split())[:140]}"
                )
    print(f"false-alert audit: {picked} leaflets, profile = the leaflet's own indication")
    print(f"  alerts on it, indication set                          {fired}")
    print(f"  alerts on it, indication not set (condition only)     {fired_unset}")
    for line in examples:
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--list-unread", type=int, default=0)
    parser.add_argument("--list-unresolved", type=int, default=0)
    parser.add_argument("--names-only", action="store_true", help="only the name measure")
    parser.add_argument("--list-warnings", type=int, default=0)
    parser.add_argument("--audit", type=int, default=0, help="leaflets in the false-alert audit")
    parser.add_argument("--src", default=None, help="the src tree to measure (--src=PATH)")
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
        _warnings(mono, by_claim, finder, own, class_phrases, counts, unread)
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
    for kind, key, text in [u for u in unread if not u[0].startswith("warning")][
        : args.list_unread
    ]:
        print(f"UNREAD\t{kind}\t{key}\t{' '.join(text.split())[:160]}")
    for kind, key, text in [u for u in unread if u[0].startswith("warning")][: args.list_warnings]:
        print(f"UNREAD\t{kind}\t{key}\t{' '.join(text.split())[:160]}")
    if args.audit:
        audit(docs, learned, args.audit)
    for key, substance in unresolved[: args.list_unresolved]:
        print(f"UNRESOLVED\t{key}\t{substance}")


if __name__ == "__main__":
    main()
