"""A small vocabulary and a small anakinra-like monograph, built with the model (test data).

The monograph quotes the real seed pages and leaflet wording (so fixtures look like real data),
but the engine is tested on its rules, not on the words: other drugs use the same code.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from druginfo.model import (
    Claim,
    DoseRule,
    EventAdvice,
    Identity,
    Indication,
    KidneyRule,
    Match,
    MonitoringPhase,
    MonitoringRule,
    Monograph,
    Product,
    ScreeningRule,
    Source,
    SourceKind,
    Statement,
    Topic,
)
from druginfo.vocab.base import ClassMembership, NameMatch, VaccineMatch

VOCAB_SOURCE = Source(
    id="test-vocab",
    publisher="Test vocabulary",
    document="Classes used in engine tests",
    kind=SourceKind.curated,
)

# name (lower) → (generic key, display name)
NAMES: dict[str, tuple[str, str]] = {
    "enbrel": ("etanercept", "Enbrel (etanercept)"),
    "etanercept": ("etanercept", "etanercept"),
    "humira": ("adalimumab", "Humira (adalimumab)"),
    "adalimumab": ("adalimumab", "adalimumab"),
    "methotrexate": ("methotrexate", "methotrexate"),
    "kineret": ("anakinra", "Kineret (anakinra)"),
    "anakinra": ("anakinra", "anakinra"),
    "ilaris": ("canakinumab", "Ilaris (canakinumab)"),
    "ibuprofen": ("ibuprofen", "ibuprofen"),
}
CLASSES: dict[str, list[tuple[str, str]]] = {
    "etanercept": [("tnf-inhibitor", "TNF inhibitors")],
    "adalimumab": [("tnf-inhibitor", "TNF inhibitors")],
    "canakinumab": [("il1-blocker", "IL-1 blockers")],
    "anakinra": [("il1-blocker", "IL-1 blockers")],
    "methotrexate": [("immunosuppressant", "immunosuppressants")],
}
# vaccine words → (id, name, live, ambiguous)
VACCINES: dict[str, tuple[str, str, bool, bool]] = {
    "mmr": ("mmr", "MMR", True, False),
    "measles": ("mmr", "MMR", True, False),
    "shingrix": ("shingrix", "Shingrix", False, False),
    "zostavax": ("zostavax", "Zostavax", True, False),
    "nasal flu": ("laiv", "nasal flu vaccine", True, False),
    "flu shot": ("iiv", "inactivated flu vaccine", False, False),
    "flu vaccine": ("flu", "flu vaccine", False, True),
}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


class FakeVocab:
    """Implements the Vocabulary protocol over the small tables above."""

    def resolve(self, text: str) -> NameMatch | None:
        hit = NAMES.get(_norm(text))
        if hit is None:
            return None
        return NameMatch(key=hit[0], matched=text, display=hit[1])

    def suggest(self, text: str, limit: int = 5) -> list[str]:
        return sorted(NAMES)[:limit]

    def resolve_medication(self, text: str) -> NameMatch | None:
        for word in _norm(text).split():
            hit = self.resolve(word)
            if hit is not None:
                return hit
        return None

    def classes_of(self, key: str) -> list[ClassMembership]:
        return [
            ClassMembership(cid, name, VOCAB_SOURCE, f"{key} is one of the {name}.")
            for cid, name in CLASSES.get(key, [])
        ]

    def vaccine(self, text: str) -> VaccineMatch | None:
        norm = _norm(text)
        for words, (vid, name, live, ambiguous) in VACCINES.items():
            if re.search(rf"\b{re.escape(words)}\b", norm):
                return VaccineMatch(
                    vaccine_id=vid,
                    name=name,
                    live=live,
                    matched=text,
                    source=VOCAB_SOURCE,
                    quote=f"{name} is a {'live' if live else 'non-live'} vaccine.",
                    ambiguous=ambiguous,
                )
        return None


SOURCES = [
    Source(
        id="label",
        publisher="Swedish Orphan Biovitrum",
        document="Kineret package leaflet",
        kind=SourceKind.label,
        reviewed=dt.date(2020, 1, 1),
    ),
    Source(
        id="healthline",
        publisher="Healthline",
        document="Anakinra, Subcutaneous Injectable Solution",
        kind=SourceKind.publisher,
        url="https://www.healthline.com/health/anakinra-subcutaneous-injectable-solution",
        reviewed=dt.date(2017, 7, 12),
    ),
]


def _claim(cid: str, topic: Topic, quote: str, source: str = "healthline") -> Claim:
    return Claim(id=cid, topic=topic, source=source, quote=quote)


CLAIMS = [
    _claim("ra-dose", Topic.dosing, "The dose is 100 mg per day by injection under the skin."),
    _claim("nomid-start", Topic.dosing, "The starting dose may be 1–2 mg per kilogram"),
    _claim("nomid-max", Topic.dosing, "can be increased up to 8 mg per kg of body weight per day."),
    _claim("strength", Topic.product, "Strengths: 100 mg/0.67 mL solution"),
    _claim(
        "kidney", Topic.kidney, "use anakinra every two days instead of every day.", "healthline"
    ),
    _claim("tnf", Topic.interaction, "Do not use Kineret together with TNF blockers", "label"),
    _claim("il1", Topic.interaction, "other medicines that block interleukin-1", "label"),
    _claim("live", Topic.vaccine, "Don't receive live vaccines, such as the nasal flu vaccine"),
    _claim("ecoli", Topic.allergy, "allergic to proteins made from the bacteria E. coli."),
    _claim("latex", Topic.allergy, "The inner needle cover ... contains latex."),
    _claim("pregnancy", Topic.pregnancy, "Kineret should not be used in pregnancy", "label"),
    _claim("seniors", Topic.seniors, "older people ... higher risk of infection"),
    _claim("children", Topic.children, "A safe and effective dosage hasn't been established"),
    _claim("infection", Topic.infection, "Do not start if you have an active infection", "label"),
    _claim("surgery", Topic.surgery, "Tell your doctor about planned surgery", "label"),
    _claim("neutrophils", Topic.monitoring, "blood tests before starting treatment"),
    _claim("missed", Topic.missed_dose, "If you forget a dose, take it as soon as you remember."),
    _claim("frozen", Topic.storage, "Do not freeze.", "label"),
]


def rule(
    trigger: str, kind: str, severity: str, match: Match, claim: str, **kw: Any
) -> ScreeningRule:
    return ScreeningRule(
        trigger=trigger,
        kind=kind,  # type: ignore[arg-type]
        severity=severity,  # type: ignore[arg-type]
        title=kw.pop("title", trigger.replace("-", " ").capitalize()),
        detail=kw.pop("detail", f"Rule {trigger}."),
        match=match,
        claims=[claim],
        **kw,
    )


def make_monograph(**overrides: Any) -> Monograph:
    data: dict[str, Any] = dict(
        key="anakinra",
        identity=Identity(generic="anakinra", brands=["Kineret"], classes=["il1-blocker"]),
        curated=True,
        sources=SOURCES,
        claims=CLAIMS,
        products=[
            Product(
                id="syringe-100",
                name="Kineret 100 mg/0.67 mL prefilled syringe",
                form="prefilled syringe",
                strength_mg=100,
                volume_ml=0.67,
                graduation_mg=10,
                min_measurable_mg=20,
                claims=["strength"],
            )
        ],
        indications=[
            Indication(
                id="rheumatoid-arthritis",
                name="rheumatoid arthritis",
                synonyms=["RA"],
                age_min_years=18,
                claims=["ra-dose"],
            ),
            Indication(
                id="nomid",
                name="neonatal-onset multisystem inflammatory disease",
                synonyms=["NOMID", "CAPS"],
                claims=["nomid-start"],
            ),
        ],
        dose_rules=[
            DoseRule(
                id="ra-adult",
                indication="rheumatoid-arthritis",
                age_min_years=18,
                basis="fixed",
                dose_mg=100,
                every_hours=24,
                product="syringe-100",
                claims=["ra-dose"],
            ),
            DoseRule(
                id="nomid",
                indication="nomid",
                basis="per-kg",
                start_mg_per_kg_min=1,
                start_mg_per_kg_max=2,
                max_mg_per_kg_day=8,
                every_hours=24,
                product="syringe-100",
                claims=["nomid-start", "nomid-max"],
            ),
        ],
        kidney_rules=[
            KidneyRule(
                id="crcl-30",
                crcl_below_ml_min=30,
                every_hours=48,
                text="In severe kidney disease, one dose every other day.",
                claims=["kidney"],
            )
        ],
        screening=[
            rule(
                "tnf-inhibitor",
                "contraindication",
                "high",
                Match(medication_classes_any=["tnf-inhibitor"]),
                "tnf",
                blocking=True,
            ),
            rule(
                "il1-blocker",
                "contraindication",
                "high",
                Match(medication_classes_any=["il1-blocker"]),
                "il1",
                blocking=True,
            ),
            rule(
                "live-vaccine",
                "contraindication",
                "high",
                Match(vaccine_classes_any=["live-vaccine"]),
                "live",
                blocking=True,
            ),
            rule(
                "e-coli-protein-allergy",
                "contraindication",
                "high",
                Match(allergies_any=["e. coli", "escherichia coli"]),
                "ecoli",
                blocking=True,
            ),
            rule(
                "latex-allergy",
                "warning",
                "moderate",
                Match(allergies_any=["latex", "rubber"]),
                "latex",
            ),
            rule(
                "pregnancy",
                "warning",
                "high",
                Match(pregnant=True, needs=["pregnant"]),
                "pregnancy",
            ),
            rule("age-65-plus", "warning", "moderate", Match(age_at_least_years=65), "seniors"),
            rule(
                "child-not-approved",
                "warning",
                "high",
                Match(age_below_years=18, indication_not_in=["nomid"], needs=["age_years"]),
                "children",
            ),
            rule(
                "active-infection",
                "warning",
                "high",
                Match(conditions_any=["active infection", "sepsis"]),
                "infection",
            ),
            rule("surgery", "warning", "moderate", Match(surgery_planned=True), "surgery"),
        ],
        monitoring=[
            MonitoringRule(
                test="neutrophil count",
                why="anakinra can lower neutrophils",
                before_start=True,
                phases=[
                    MonitoringPhase(every_months=1, until_month=3),
                    MonitoringPhase(every_months=3, until_month=12),
                ],
                claims=["neutrophils"],
            )
        ],
        events=[
            EventAdvice(
                event="missed-dose",
                urgency="self-care",
                steps=[Statement(text="Take it as soon as you remember.", claims=["missed"])],
            ),
            EventAdvice(
                event="frozen",
                urgency="self-care",
                steps=[
                    Statement(text="Do not use a syringe that has been frozen.", claims=["frozen"])
                ],
            ),
        ],
    )
    data.update(overrides)
    return Monograph(**data)
