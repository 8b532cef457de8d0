"""A monograph laid out in the reader order of the web page, for text interfaces (the CLI).

The order, the grouping of topics and every wording rule come from `present`, which the web
templates use too, so the terminal and the browser never tell a reader different things.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from druginfo.interfaces import present
from druginfo.model import Monograph, Section

SECTION_IDS = tuple(gid for gid, _ in present.GROUPS)


@dataclass
class Item:
    text: str
    claims: list[str]
    tag: str | None = None  # internal kind, e.g. "serious", "contraindication" (JSON only)
    heading: str | None = None  # a leaflet's own sub-heading, shown above its prose
    section: Section | None = field(default=None, repr=False)  # the prose's own section


@dataclass
class PageSection:
    id: str
    title: str
    items: list[Item] = field(default_factory=list)


def _curated_items(mono: Monograph) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = {gid: [] for gid in SECTION_IDS}
    names = {i.id: i.name for i in mono.indications}
    out["about"].extend(Item(st.text, st.claims) for st in mono.identity.statements)
    for ind in mono.indications:
        band = present.age_band(ind.age_min_years, ind.age_max_years)
        out["about"].append(Item(f"Used for {ind.name} ({band}).", ind.claims, "use"))
    for rule in mono.screening:
        if rule.kind == "interaction":
            out["interactions"].append(Item(f"{rule.title}: {rule.detail}", rule.claims, rule.kind))
        elif rule.kind in ("contraindication", "warning"):
            out["not-for"].append(Item(f"{rule.title}: {rule.detail}", rule.claims, rule.kind))
    for p in mono.products:
        out["how"].append(Item(present.product_words(p) + ".", p.claims, "product"))
    for dr in mono.dose_rules:
        label = names.get(dr.indication, dr.indication)
        band = present.age_band(dr.age_min_years, dr.age_max_years)
        text = (
            f"{label} ({band}): {present.dose_words(dr)}, {present.schedule_words(dr)}, {dr.route}."
        )
        out["how"].append(Item(text, dr.claims, "dose"))
        out["how"].extend(Item(n.text, n.claims) for n in dr.notes)
    out["how"].extend(Item(kr.text, kr.claims, "kidney") for kr in mono.kidney_rules)
    for ev in mono.events:
        group = present.EVENT_GROUP.get(ev.event)
        if group is not None:
            out[group].extend(Item(st.text, st.claims, ev.event) for st in ev.steps)
    for se in mono.side_effects:
        symptoms = f" ({', '.join(se.symptoms)})" if se.symptoms else ""
        freq = f" — {se.frequency}" if se.frequency else ""
        action = f" {se.action}" if se.action else ""
        out["side-effects"].append(
            Item(f"{se.name}{symptoms}{freq}.{action}", se.claims, se.seriousness)
        )
    for m in mono.monitoring:
        text = f"{m.test}: {present.phases_words(m)}. {m.why}"
        out["monitoring"].append(Item(text, m.claims, "test"))
    if mono.storage is not None:
        facts = present.storage_facts(mono.storage)
        out["storage"].extend(Item(f, mono.storage.claims) for f in facts)
        out["storage"].extend(Item(st.text, st.claims) for st in mono.storage.instructions)
    return out


def reader_sections(mono: Monograph, only: str | None = None) -> list[PageSection]:
    """The monograph's content, group by group, each item with its claim ids."""
    items = _curated_items(mono) if mono.curated else {gid: [] for gid in SECTION_IDS}
    for sec in mono.sections:
        group = present.TOPIC_GROUP.get(sec.topic.value, "other")
        items[group].append(Item(sec.text, sec.claims, heading=sec.title, section=sec))
    pages = [
        PageSection(gid, present.group_title(gid, mono.language), items[gid])
        for gid, _ in present.GROUPS
    ]
    if only is not None:
        pages = [p for p in pages if p.id == only]
    return [p for p in pages if p.items]
