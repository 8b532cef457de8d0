"""A side-effect report laid out like FDA MedWatch Form 3500B (the consumer voluntary report).

The layout follows the form's sections A–E so a person can copy it onto the official form or
hand it to a doctor. Only what the person recorded or typed is filled in: every other field is
left blank on purpose, because an invented lot number or weight in a safety report is worse
than an empty box. druginfo does not send the report anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from druginfo.errors import InputError
from druginfo.model import DiaryEntry

FORM_NAME = "FDA MedWatch Form 3500B (consumer voluntary report)"
NOTICE = (
    "Prepared by druginfo from your side-effect diary, laid out like FDA Form 3500B. It has not "
    "been sent to anyone. Blank fields were not given and are left for you to fill in. Submit it "
    "at https://www.fda.gov/medwatch, or give it to your doctor or pharmacist; outside the US, "
    "use your national medicines agency's reporting scheme."
)

PROBLEM_KINDS: dict[str, str] = {
    "hurt": "Were hurt or had a bad side effect (including new or worsening symptoms)",
    "used-incorrectly": "Used a product incorrectly which could have or led to a problem",
    "quality": "Noticed a problem with the quality of the product",
    "switching": "Had problems after switching from one product maker to another",
}

OUTCOMES: dict[str, str] = {
    "hospitalization": "Hospitalization – admitted or stayed longer",
    "prevent-harm": "Required help to prevent permanent harm",
    "disability": "Disability or health problem",
    "birth-defect": "Birth defect",
    "life-threatening": "Life-threatening",
    "death": "Death",
    "other-serious": "Other serious or important medical event",
}

FieldKind = Literal["text", "yesno", "date"]


@dataclass(frozen=True)
class DetailSpec:
    section: str
    key: str
    label: str
    kind: FieldKind = "text"


# Optional facts the person may add when exporting (query or form fields of the same name).
DETAILS: tuple[DetailSpec, ...] = (
    DetailSpec("A", "tests", "Relevant tests or laboratory data, if you know them"),
    DetailSpec(
        "B", "still_have", "Do you still have the product in case we need to evaluate it?", "yesno"
    ),
    DetailSpec("C", "product_name", "Name of the product as it appears on the box"),
    DetailSpec("C", "manufacturer", "Name of the company that makes (or compounds) the product"),
    DetailSpec("C", "strength", "Strength"),
    DetailSpec("C", "dose", "Quantity: how much was taken or used each time?"),
    DetailSpec("C", "frequency", "Frequency: how often?"),
    DetailSpec("C", "route", "How was it taken or used (for example by mouth, by injection)?"),
    DetailSpec(
        "C", "first_used", "Date the person first started taking or using the product", "date"
    ),
    DetailSpec("C", "stopped", "Date the person stopped taking or using the product", "date"),
    DetailSpec("C", "reason", "Why was the person using the product (what condition)?"),
    DetailSpec(
        "C",
        "stopped_after",
        "Did the problem stop after the person reduced the dose "
        "or stopped taking or using the product?",
        "yesno",
    ),
    DetailSpec(
        "C",
        "returned",
        "Did the problem return if the person started taking or using the product again?",
        "yesno",
    ),
    DetailSpec("C", "lot", "Lot number"),
    DetailSpec("C", "expiration", "Expiration date"),
    DetailSpec("D", "initials", "Person's initials"),
    DetailSpec("D", "sex", "Sex"),
    DetailSpec("D", "age", "Age"),
    DetailSpec("D", "weight", "Weight"),
    DetailSpec("D", "conditions", "Known medical conditions"),
    DetailSpec("D", "allergies", "Allergies"),
    DetailSpec("D", "other_medicines", "Other medicines, vitamins and supplements"),
    DetailSpec("E", "reporter_name", "Name"),
    DetailSpec("E", "reporter_address", "Address"),
    DetailSpec("E", "reporter_phone", "Telephone number"),
    DetailSpec("E", "reporter_email", "Email address"),
    DetailSpec(
        "E",
        "reported_to_maker",
        "Did you report this problem to the company that makes the product?",
        "yesno",
    ),
)
DETAIL_KEYS: tuple[str, ...] = tuple(d.key for d in DETAILS)
MAX_DETAIL = 1000

SECTION_TITLES: dict[str, str] = {
    "A": "About the problem",
    "B": "Product availability",
    "C": "About the products",
    "D": "About the person who had the problem",
    "E": "About the person filling out this form",
}


@dataclass
class ReportField:
    key: str
    label: str
    value: str | list[str] | None = None

    @property
    def blank(self) -> bool:
        return self.value in (None, "", [])


@dataclass
class ReportSection:
    id: str
    title: str
    fields: list[ReportField] = field(default_factory=list)


@dataclass
class Report:
    form: str
    notice: str
    generated: dt.date
    entry_id: int | None
    drug: str
    sections: list[ReportSection]

    def as_json(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "notice": self.notice,
            "generated": self.generated.isoformat(),
            "entry_id": self.entry_id,
            "drug": self.drug,
            "sections": [
                {
                    "id": s.id,
                    "title": s.title,
                    "fields": [
                        {"key": f.key, "label": f.label, "value": f.value} for f in s.fields
                    ],
                }
                for s in self.sections
            ],
        }


def parse_details(
    data: Mapping[str, Any], outcomes: Sequence[str]
) -> tuple[dict[str, str], list[str]]:
    """The optional export fields; raises InputError naming a field that cannot be used."""
    details: dict[str, str] = {}
    for spec in DETAILS:
        raw = data.get(spec.key)
        text = str(raw).strip() if raw is not None else ""
        if not text:
            continue
        if len(text) > MAX_DETAIL:
            raise InputError(spec.key, f"keep it under {MAX_DETAIL} characters")
        if spec.kind == "yesno" and text not in ("yes", "no"):
            raise InputError(spec.key, "answer yes or no, or leave it empty")
        if spec.kind == "date":
            try:
                text = dt.date.fromisoformat(text).isoformat()
            except ValueError:
                raise InputError(spec.key, "enter a date like 2026-12-01") from None
        details[spec.key] = text
    chosen: list[str] = []
    for key in outcomes:
        if key not in OUTCOMES:
            raise InputError("outcomes", f"unknown outcome {key!r}")
        if key not in chosen:
            chosen.append(key)
    return details, chosen


def build_report(
    entry: DiaryEntry,
    details: Mapping[str, str] | None = None,
    outcomes: Sequence[str] = (),
    today: dt.date | None = None,
) -> Report:
    """One report for one diary entry; `details` only ever adds what the person typed."""
    details = dict(details or {})
    sections = {key: ReportSection(key, title) for key, title in SECTION_TITLES.items()}

    # A diary entry records a side effect, so that is the kind of problem the person reported.
    outcome_labels = [OUTCOMES[k] for k in OUTCOMES if k in outcomes]
    if entry.severity == "life-threatening" and OUTCOMES["life-threatening"] not in outcome_labels:
        outcome_labels.append(OUTCOMES["life-threatening"])
    description = [entry.reaction, f"Severity recorded in the diary: {entry.severity}."]
    if entry.outcome:
        description.append(f"Outcome: {entry.outcome}")
    a = sections["A"].fields
    a.append(ReportField("problem_kind", "What kind of problem was it?", [PROBLEM_KINDS["hurt"]]))
    a.append(ReportField("outcomes", "Did any of the following happen?", outcome_labels))
    a.append(ReportField("date", "Date the problem occurred", entry.started.isoformat()))
    a.append(
        ReportField(
            "description", "Tell us what happened and how it happened", "\n".join(description)
        )
    )

    for spec in DETAILS:
        value: str | None = details.get(spec.key)
        if spec.key == "product_name" and not value:
            value = entry.drug
        sections[spec.section].fields.append(ReportField(spec.key, spec.label, value))

    generated = today or dt.date.today()
    sections["E"].fields.append(ReportField("today", "Today's date", generated.isoformat()))
    return Report(
        form=FORM_NAME,
        notice=NOTICE,
        generated=generated,
        entry_id=entry.id,
        drug=entry.drug,
        sections=list(sections.values()),
    )


_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)


def _unicode_font() -> tuple[Path, Path] | None:
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def _latin1(text: str) -> str:
    """Core PDF fonts only know Latin-1: keep what they can show, mark what they cannot."""
    replacements = {
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "°": "deg",
    }
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text.encode("latin-1", "replace").decode("latin-1")


def report_pdf(report: Report) -> bytes:
    from fpdf import FPDF  # here, not at import: it adds a second to every server start

    pdf = FPDF(format="A4")
    pdf.set_title(f"{report.form}: {report.drug}")
    pdf.set_creator("druginfo")
    pdf.set_auto_page_break(auto=True, margin=15)
    fonts = _unicode_font()
    if fonts is not None:
        pdf.add_font("DejaVu", "", str(fonts[0]))
        pdf.add_font("DejaVu", "B", str(fonts[1]))
        family = "DejaVu"

        def clean(text: str) -> str:
            return text
    else:
        family = "Helvetica"
        clean = _latin1
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: float = 10, bold: bool = False, height: float = 5.5) -> None:
        pdf.set_font(family, "B" if bold else "", size)
        pdf.multi_cell(width, height, clean(text), new_x="LMARGIN", new_y="NEXT")

    line(report.form, 15, bold=True, height=8)
    line(f"Medicine: {report.drug}    Generated: {report.generated.isoformat()}", 10)
    pdf.ln(1)
    line(report.notice, 8.5, height=4.5)
    for section in report.sections:
        pdf.ln(3)
        pdf.set_fill_color(230, 236, 245)
        pdf.set_font(family, "B", 12)
        pdf.cell(
            width,
            8,
            clean(f"Section {section.id}: {section.title}"),
            fill=True,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        for f in section.fields:
            line(f.label, 9, bold=True, height=5)
            if f.blank:
                value = "_" * 60
            elif isinstance(f.value, list):
                value = "\n".join(f"[x] {v}" for v in f.value)
            else:
                value = str(f.value)
            line(value, 10)
            pdf.ln(1)
    return bytes(pdf.output())
