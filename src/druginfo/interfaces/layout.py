"""A monograph laid out in the order a reader needs it, shared by the CLI and the web pages.

Both interfaces show the same sections with the same citations; deciding the order and the
plain-language wording once here keeps them from drifting apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from druginfo.model import Monograph, Topic

SECTIONS: tuple[tuple[str, str, tuple[Topic, ...]], ...] = (
    (
        "what",
        "What it is and how it works",
        (Topic.identity, Topic.mechanism, Topic.indication, Topic.effectiveness),
    ),
    (
        "who-not",
        "Who should not take it",
        (
            Topic.contraindication,
            Topic.warning,
            Topic.allergy,
            Topic.infection,
            Topic.tuberculosis,
            Topic.surgery,
            Topic.pregnancy,
            Topic.breastfeeding,
            Topic.seniors,
            Topic.children,
        ),
    ),
    (
        "how",
        "How to take it",
        (
            Topic.dosing,
            Topic.kidney,
            Topic.administration,
            Topic.self_injection,
            Topic.missed_dose,
            Topic.dropped_syringe,
            Topic.overdose,
            Topic.stopping,
        ),
    ),
    (
        "side-effects",
        "Side effects and when to call a doctor",
        (Topic.side_effect, Topic.serious_side_effect, Topic.call_doctor, Topic.reporting),
    ),
    ("interactions", "Interactions", (Topic.interaction, Topic.vaccine)),
    ("monitoring", "Monitoring", (Topic.monitoring,)),
    (
        "storage",
        "Storage, travel and pack",
        (Topic.storage, Topic.travel, Topic.product, Topic.cost, Topic.other),
    ),
)

SECTION_IDS = tuple(s[0] for s in SECTIONS)


@dataclass
class Item:
    text: str
    claims: list[str]
    tag: str | None = None  # e.g. "serious", "contraindication", a sub-heading


@dataclass
class PageSection:
    id: str
    title: str
    items: list[Item] = field(default_factory=list)


def _hours(h: int) -> str:
    if h == 24:
        return "every 24 hours (once a day)"
    if h == 48:
        return "every 48 hours (every other day)"
    return f"every {h} hours"


def every_hours_words(h: int | None) -> str:
    return "interval not decided" if h is None else _hours(h)


def _age_band(lo: float | None, hi: float | None) -> str:
    if lo is None and hi is None:
        return "all ages"
    if hi is None:
        return f"age {lo:g} and older"
    if lo is None:
        return f"under {hi:g} years"
    return f"age {lo:g} to under {hi:g}"


def _curated_items(mono: Monograph) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = {sid: [] for sid in SECTION_IDS}
    names = {i.id: i.name for i in mono.indications}
    for st in mono.identity.statements:
        out["what"].append(Item(st.text, st.claims))
    for ind in mono.indications:
        extra = f" ({_age_band(ind.age_min_years, ind.age_max_years)})"
        out["what"].append(Item(f"Used for {ind.name}{extra}.", ind.claims, "use"))
    for p in mono.products:
        out["storage"].append(
            Item(
                f"{p.name}: {p.strength_mg:g} mg in {p.volume_ml:g} mL {p.form}.", p.claims, "pack"
            )
        )
    for rule in mono.screening:
        if rule.kind == "interaction":
            out["interactions"].append(Item(f"{rule.title}: {rule.detail}", rule.claims, rule.kind))
        elif rule.kind in ("contraindication", "warning"):
            out["who-not"].append(Item(f"{rule.title}: {rule.detail}", rule.claims, rule.kind))
    for dr in mono.dose_rules:
        ind_name = names.get(dr.indication, dr.indication)
        band = _age_band(dr.age_min_years, dr.age_max_years)
        if dr.basis == "fixed":
            dose = f"{dr.dose_mg:g} mg {_hours(dr.every_hours)}"
        else:
            hi = f"–{dr.start_mg_per_kg_max:g}" if dr.start_mg_per_kg_max else ""
            dose = (
                f"starting at {dr.start_mg_per_kg_min:g}{hi} mg per kg of body weight per day, "
                f"at most {dr.max_mg_per_kg_day:g} mg/kg/day"
            )
        out["how"].append(Item(f"{ind_name} ({band}): {dose}, {dr.route}.", dr.claims, "dose"))
        out["how"].extend(Item(n.text, n.claims) for n in dr.notes)
    for kr in mono.kidney_rules:
        out["how"].append(Item(kr.text, kr.claims, "kidney"))
    for ev in mono.events:
        target = {"travel": "storage", "side-effect": "side-effects"}.get(ev.event, "how")
        if ev.event in ("missed-dose", "dropped-syringe", "travel", "side-effect", "frozen"):
            for st in ev.steps:
                out[target].append(Item(st.text, st.claims, ev.event))
    for se in mono.side_effects:
        symptoms = f" ({', '.join(se.symptoms)})" if se.symptoms else ""
        freq = f" — {se.frequency}" if se.frequency else ""
        action = f" {se.action}" if se.action else ""
        out["side-effects"].append(
            Item(f"{se.name}{symptoms}{freq}.{action}", se.claims, se.seriousness)
        )
    for m in mono.monitoring:
        parts = ["before starting"] if m.before_start else []
        parts += [
            f"every {ph.every_months} month(s) until month {ph.until_month}" for ph in m.phases
        ]
        out["monitoring"].append(Item(f"{m.test}: {', '.join(parts)}. {m.why}", m.claims, "test"))
    if mono.storage:
        s = mono.storage
        if s.temp_min_c is not None and s.temp_max_c is not None:
            out["storage"].append(
                Item(f"Keep refrigerated at {s.temp_min_c:g}–{s.temp_max_c:g} °C.", s.claims)
            )
        out["storage"].extend(Item(st.text, st.claims) for st in s.instructions)
    return out


def reader_sections(mono: Monograph, only: str | None = None) -> list[PageSection]:
    """The monograph's content, section by section, each item with its claim ids."""
    topic_to_section = {t: sid for sid, _, topics in SECTIONS for t in topics}
    items = _curated_items(mono) if mono.curated else {sid: [] for sid in SECTION_IDS}
    for sec in mono.sections:
        sid = topic_to_section.get(sec.topic, "storage")
        items[sid].append(Item(sec.text, sec.claims, sec.title))
    pages = [PageSection(sid, title, items[sid]) for sid, title, _ in SECTIONS]
    if only is not None:
        pages = [p for p in pages if p.id == only]
    return [p for p in pages if p.items]
