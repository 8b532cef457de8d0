"""Small, invented EU ePI leaflets (FHIR Bundles) for stores no bundled leaflet can make: one
brand with a children's and an adults' leaflet, a biosimilar standing in for a brand whose own
leaflet is missing. The wording is ours, written in the QRD template's shape."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Leaflet:
    stem: str  # file name without ".json": "zorbrand-paediatric.en"
    product_name: str  # "Zorbrand 20 mg solution for injection in pre-filled syringe"
    brand: str
    substance: str
    for_children: bool
    dose: str  # the sentence of section 3 stating the dose
    date: str = "2025-03-14T09:00:00Z"

    @property
    def language(self) -> str:
        return self.stem.rsplit(".", 1)[1]


def _section(title: str, *paragraphs: str) -> dict[str, Any]:
    body = "".join(p if p.startswith("<") else f"<p>{p}</p>" for p in paragraphs)
    return {
        "title": title,
        "code": {"text": title},
        "text": {
            "status": "additional",
            "div": f"<div xmlns='http://www.w3.org/1999/xhtml'>{body}</div>",
        },
    }


def bundle(leaflet: Leaflet) -> dict[str, Any]:
    b, s = leaflet.brand, leaflet.substance
    who = "your child" if leaflet.for_children else "you"
    whose = "your child's" if leaflet.for_children else "your"
    be, have = ("is", "has") if leaflet.for_children else ("are", "have")
    sections = [
        _section(
            f"1. What {b} is and what it is used for",
            f"{b} contains the active substance {s}.",
            f"{b} is used to treat "
            + (
                "juvenile arthritis in children aged 2 to 17 years."
                if leaflet.for_children
                else "rheumatoid arthritis in adults."
            ),
        ),
        _section(
            f"2. What you need to know before you use {b}",
            f"Do not use {b}",
            f"<ul><li>if {who} {be} allergic to {s} or any of the other ingredients.</li>"
            f"<li>if {who} {have} a severe infection.</li>"
            f"<li>if {who} {have} active tuberculosis.</li></ul>",
            "Warnings and precautions",
            f"Talk to your doctor before using {b}.",
        ),
        _section(
            f"3. How to use {b}",
            "Always use this medicine exactly as your doctor has told you.",
            leaflet.dose,
            f"Inject {b} under {whose} skin.",
        ),
        _section(
            f"5. How to store {b}",
            "Store in a refrigerator (2 °C – 8 °C). Do not freeze.",
        ),
        _section(
            "6. Contents of the pack and other information",
            f"The active substance is {s}.",
        ),
    ]
    return {
        "resourceType": "Bundle",
        "id": f"epi-{leaflet.stem}",
        "type": "document",
        "entry": [
            {
                "resource": {
                    "resourceType": "Composition",
                    "id": f"composition-{leaflet.stem}",
                    "status": "final",
                    "language": leaflet.language,
                    "type": {"text": "Package Leaflet"},
                    "date": leaflet.date,
                    "title": leaflet.product_name,
                    "section": [
                        {
                            "title": "B. Package Leaflet",
                            "code": {"text": "B. Package Leaflet"},
                            "section": sections,
                        }
                    ],
                }
            },
            {
                "resource": {
                    "resourceType": "MedicinalProductDefinition",
                    "id": f"mpd-{leaflet.stem}",
                    "name": [{"productName": leaflet.product_name}],
                }
            },
        ],
    }


def write(folder: Path, leaflets: list[Leaflet]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for leaflet in leaflets:
        (folder / f"{leaflet.stem}.json").write_text(json.dumps(bundle(leaflet)), "utf-8")
    return folder


# One brand, two leaflets: a children's strength and an adults' one.
ZORBRAND_CHILD = Leaflet(
    stem="zorbrand-paediatric.en",
    product_name="Zorbrand 20 mg solution for injection in pre-filled syringe",
    brand="Zorbrand",
    substance="zorbimab",
    for_children=True,
    dose="The recommended dose for children weighing 10 kg to 30 kg is 20 mg every two weeks.",
)
ZORBRAND_ADULT = Leaflet(
    stem="zorbrand.en",
    product_name="Zorbrand 80 mg solution for injection in pre-filled pen",
    brand="Zorbrand",
    substance="zorbimab",
    for_children=False,
    dose="The recommended dose for adults is 80 mg every two weeks.",
)
# A product of a substance whose best-known brand (Remicade, known to the bundled vocabulary)
# has no leaflet in this store, and no curated monograph stands in for it.
INFLISTRA = Leaflet(
    stem="inflistra.en",
    product_name="Inflistra 100 mg powder for concentrate for solution for infusion",
    brand="Inflistra",
    substance="infliximab",
    for_children=False,
    dose="The recommended dose for adults is 5 mg per kg of body weight every 8 weeks.",
)
ALL = [ZORBRAND_CHILD, ZORBRAND_ADULT, INFLISTRA]
