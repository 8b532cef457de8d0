"""Fact sets written by hand from the documents' own words, for the reconciliation tests.

Each fact is what a careful reader takes from the quoted words (°C, hours, days, stances); the
quotes are verbatim from the seed pages, the EU leaflets and the US label as the curated
anakinra claims and the bundled leaflets hold them. Nothing here is produced by druginfo.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from druginfo.model.facts import Fact, FactDocument, FactSet, Population
from druginfo.vocab.base import NameMatch

BRANDS = {"enbrel": "etanercept", "remicade": "infliximab", "humira": "adalimumab"}


def resolve(word: str) -> NameMatch | None:
    """A small vocabulary: enough to know which substance a brand belongs to."""
    w = word.casefold()
    if w in BRANDS:
        return NameMatch(key=BRANDS[w], matched=word, display=f"{word} ({BRANDS[w]})")
    if w in BRANDS.values():
        return NameMatch(key=w, matched=word, display=word)
    return None


def doc(
    id: str,
    publisher: str,
    date: dt.date | None,
    kind: str = "publisher",
    title: str | None = None,
    brands: tuple[str, ...] = (),
    medicine: str = "anakinra",
) -> FactDocument:
    return FactDocument(
        id=id,
        medicine=medicine,
        brands=list(brands),
        publisher=publisher,
        title=title or f"{medicine} ({publisher})",
        date=date,
        kind=kind,
    )


def fact(topic: str, quote: str, **fields: Any) -> Fact:
    pop = fields.pop("population", None)
    if isinstance(pop, dict):
        fields["population"] = Population(**pop)
    return Fact.model_validate({"topic": topic, "quote": quote, **fields})


RA_ADULT = {"indication": "rheumatoid arthritis", "age_min_years": 18}


def anakinra() -> list[FactSet]:
    """The three seed pages, the EU leaflet and the US label, as a reader would note them."""
    medicinenet = FactSet(
        document=doc("medicinenet", "Medicinenet", dt.date(2014, 12, 15), brands=("Kineret",)),
        facts=[
            fact(
                "indication",
                "PRESCRIBED FOR: Anakinra is used for treating the signs and symptoms of moderate "
                "to severe rheumatoid arthritis in individuals 18 years of age or older.",
                condition="rheumatoid arthritis",
                age_min_years=18,
            ),
            fact(
                "interaction",
                "it should not be used with drugs that block tumor necrosis factor alpha such as "
                "infliximab (Enbrel) and etanercept (Remicade)",
                **{"class": "tnf-inhibitor", "strength": "must-not"},
            ),
        ],
    )
    healthline = FactSet(
        document=doc("healthline", "Healthline", dt.date(2015, 5, 26), brands=("Kineret",)),
        facts=[
            fact(
                "indication",
                "Anakinra is used to reduce the signs and symptoms of rheumatoid arthritis (RA), "
                "to stop RA from getting worse, and to treat neonatal-onset multisystem "
                "inflammatory disease (NOMID).",
                condition="rheumatoid arthritis",
            ),
            fact(
                "indication",
                "Anakinra is used to reduce the signs and symptoms of rheumatoid arthritis (RA), "
                "to stop RA from getting worse, and to treat neonatal-onset multisystem "
                "inflammatory disease (NOMID).",
                condition="neonatal-onset multisystem inflammatory disease",
            ),
            fact(
                "dose",
                "Adult Dosage (ages 18 years and older) The dose is 100 mg per day by injection "
                "under the skin.",
                dose_mg=100,
                every_hours=24,
                route="subcutaneous",
                population=RA_ADULT,
            ),
            fact(
                "kidney",
                "Kidney Disease: If you have severe kidney disease, your doctor may tell you to use "
                "anakinra every two days instead of every day.",
                every_hours=48,
            ),
            fact(
                "missed-dose",
                "If you accidentally miss a dose, take it as soon as you remember. Never double up "
                "on doses to catch up.",
                action="as-soon-as-remembered",
                no_double=True,
            ),
            fact(
                "pregnancy",
                "Anakinra should be used during pregnancy only if the potential benefit justifies "
                "the potential risk to the fetus.",
                stance="if-clearly-needed",
            ),
            fact(
                "breastfeeding",
                "You and your doctor may decide whether you’ll take anakinra or breastfeed.",
                stance="ask",
            ),
            fact(
                "storage",
                "Store anakinra in the refrigerator Keep in temperatures from 36–46°F (2.2–7.7°C).",
                temp_min_c=2.2,
                temp_max_c=7.8,
            ),
            fact(
                "interaction",
                "Anakinra can interact with tumor necrosis factor (TNF) inhibitors.",
                **{"class": "tnf-inhibitor", "strength": "caution"},
            ),
        ],
    )
    rheuminfo = FactSet(
        document=doc("rheuminfo", "RheumInfo", None, brands=("Kineret",)),
        facts=[
            fact(
                "dose",
                "Kineret is taken as a subcutaneous injection once a day. The normal dose is 100 "
                "mg every day.",
                dose_mg=100,
                every_hours=24,
            ),
            fact(
                "pregnancy",
                "Who Should NOT Take Kineret: Women who are pregnant, planning on becoming "
                "pregnant, or breast feeding",
                stance="must-not",
            ),
            fact(
                "breastfeeding",
                "Who Should NOT Take Kineret: Women who are pregnant, planning on becoming "
                "pregnant, or breast feeding",
                stance="must-not",
            ),
        ],
    )
    eu = FactSet(
        document=doc(
            "ema-epi-kineret-en",
            "European Medicines Agency",
            dt.date(2022, 2, 16),
            kind="leaflet",
            title="Kineret 100 mg/0.67 ml solution for injection in pre-filled syringe: package "
            "leaflet (information for the user)",
            brands=("Kineret",),
        ),
        facts=[
            fact("indication", "Rheumatoid Arthritis (RA)", condition="rheumatoid arthritis"),
            fact(
                "indication",
                "COVID-19 in patients who have pneumonia, need extra oxygen and are at risk of lung "
                "failure",
                condition="COVID-19",
            ),
            fact(
                "indication",
                "Familial Mediterranean Fever (FMF)",
                condition="familial mediterranean fever",
            ),
            fact(
                "indication",
                "Still s disease including Systemic Juvenile Idiopathic Arthritis (SJIA) and "
                "Adult-Onset Still s Disease (AOSD)",
                condition="Still's disease",
            ),
            fact(
                "indication",
                "Cryopyrin-Associated Periodic Syndromes (CAPS) * Neonatal-Onset Multisystem "
                "Inflammatory Disease (NOMID)",
                condition="neonatal-onset multisystem inflammatory disease",
            ),
            fact(
                "missed-dose",
                "If you have forgotten to take a dose of Kineret, you should contact your doctor "
                "to discuss when you should take the next dose.",
                action="ask-prescriber",
            ),
            fact(
                "pregnancy",
                "Use of Kineret is not recommended during pregnancy and in women of childbearing "
                "potential not using contraception.",
                stance="not-recommended",
            ),
            fact(
                "breastfeeding",
                "You must not breast-feed if you use Kineret.",
                stance="must-not",
            ),
            fact(
                "storage",
                "Store in a refrigerator (2 C to 8 C). Do not freeze.",
                temp_min_c=2,
                temp_max_c=8,
            ),
            fact(
                "room-temperature",
                "Once a syringe has been removed from the refrigerator and has reached room "
                "temperature (up to 25 C) it must either be used within 72 hours or discarded.",
                temp_max_c=25,
                max_days=3,
            ),
            fact(
                "interaction",
                "Medicines called tumour necrosis factor (TNF- ) inhibitors, such as etanercept "
                "should not be used with Kineret because this may increase the risk of infections.",
                **{"class": "tnf-inhibitor", "strength": "must-not"},
            ),
        ],
    )
    us = FactSet(
        document=doc(
            "us-pi-kineret",
            "Swedish Orphan Biovitrum AB (publ)",
            dt.date(2020, 12, 1),
            kind="label",
            title="KINERET (anakinra) injection, for subcutaneous use: US Prescribing Information",
            brands=("Kineret",),
        ),
        facts=[
            fact(
                "dose",
                "The recommended dose of Kineret for the treatment of patients with rheumatoid "
                "arthritis is 100 mg/day administered daily by subcutaneous injection.",
                dose_mg=100,
                every_hours=24,
                route="subcutaneous",
                population=RA_ADULT,
            ),
            fact(
                "kidney",
                "Physicians should consider administration of the prescribed dose of Kineret every "
                "other day for patients who have severe renal insufficiency or end stage renal "
                "disease",
                every_hours=48,
            ),
            fact(
                "indication",
                "Reduction in signs and symptoms and slowing the progression of structural damage "
                "in moderately to severely active rheumatoid arthritis, in patients 18 years of "
                "age or older",
                condition="rheumatoid arthritis",
                age_min_years=18,
            ),
            fact(
                "indication",
                "Treatment of Neonatal-Onset Multisystem Inflammatory Disease (NOMID)",
                condition="neonatal-onset multisystem inflammatory disease",
            ),
            fact(
                "interaction",
                "Use of Kineret in combination with TNF blocking agents is not recommended.",
                **{"class": "tnf-inhibitor", "strength": "avoid"},
            ),
        ],
    )
    return [medicinenet, healthline, rheuminfo, eu, us]


def _epi(brand: str, date: dt.date = dt.date(2022, 2, 16)) -> FactDocument:
    return doc(
        f"ema-epi-{brand.lower()}.en",
        "European Medicines Agency",
        date,
        kind="leaflet",
        title=f"{brand} 25 mg solution for injection in pre-filled syringe",
        brands=(brand,),
        medicine="etanercept",
    )


def etanercept() -> list[FactSet]:
    """Three biosimilar leaflets of one substance, one publisher and one date."""
    fridge = {"temp_min_c": 2, "temp_max_c": 8}
    return [
        FactSet(
            document=_epi("Benepali"),
            facts=[
                fact("storage", "Store in a refrigerator (2 C - 8 C). Do not freeze.", **fridge),
                fact(
                    "room-temperature",
                    "Benepali may be stored outside of the refrigerator at temperatures up to a "
                    "maximum of 30 C for a single period of up to 31 days",
                    temp_max_c=30,
                    max_days=31,
                ),
            ],
        ),
        FactSet(
            document=_epi("Erelzi"),
            facts=[
                fact("storage", "Store in a refrigerator (2 C 8 C). Do not freeze.", **fridge),
                fact(
                    "room-temperature",
                    "Erelzi may be stored outside of the refrigerator at temperatures up to a "
                    "maximum of 25 C for a single period of up to four weeks",
                    temp_max_c=25,
                    max_days=28,
                ),
            ],
        ),
        FactSet(
            document=_epi("Nepexto"),
            facts=[
                fact("storage", "Store in a refrigerator (2 C - 8 C). Do not freeze.", **fridge),
                fact(
                    "room-temperature",
                    "Nepexto may be stored outside of the refrigerator at temperatures up to a "
                    "maximum of 25 C for a single period of up to four weeks",
                    temp_max_c=25,
                    max_days=28,
                ),
            ],
        ),
    ]
