"""The at-a-glance card's usual dose from leaflet text: one short sentence carrying the dose,
cut only at sentence or clause boundaries, the adult dose of the first use preferred, a
special group's dose never shown without its group, and "see the dosing section" when no
sentence fits. Every sentence here is invented (no bundled leaflet's wording)."""

from __future__ import annotations

from druginfo.interfaces import glance_dose
from druginfo.interfaces.glance import glance
from druginfo.model import Claim, Identity, Monograph, Source, SourceKind, Topic

MAX = glance_dose.MAX_WORDS


def claims(*quotes: str, section: str | None = "3. How to use Fictomab") -> list[Claim]:
    return [
        Claim(id=f"c{i}", topic=Topic.dosing, source="s", quote=q, section=section)
        for i, q in enumerate(quotes)
    ]


def pick(*quotes: str, language: str = "en", names: tuple[str, ...] = ("Fictomab",)) -> str:
    found = glance_dose.usual_dose(claims(*quotes), language, names)
    assert found is not None
    return found.text if found.claim else ""


def test_run_together_bullets_keep_only_the_dose_sentence() -> None:
    quote = (
        "Ask your pharmacist if unsure. \uf0b7 The recommended dose is 12.5 mg once a day. "
        "\uf0b7 Swallow the tablet whole. \uf0b7 Take it at the same time each day."
    )
    assert pick(quote) == "The recommended dose is 12.5 mg once a day."


def test_a_glued_heading_is_cut_and_a_number_never_split() -> None:
    text = pick("Dose for arthritis The usual dose is 7.5 mg every 2.5 days. Keep a diary.")
    assert text == "The usual dose is 7.5 mg every 2.5 days."


def test_the_adult_dose_wins_over_an_earlier_childrens_dose() -> None:
    text = pick(
        "For children, the recommended dose is 2 mg per kg once a week.",
        "For adults, the recommended dose is 80 mg once a week.",
    )
    assert text == "For adults, the recommended dose is 80 mg once a week."


def test_a_special_groups_dose_keeps_its_group_from_the_lost_heading() -> None:
    text = pick("Patients with kidney problems The recommended dose is 5 mg a day.")
    assert text == "Patients with kidney problems: The recommended dose is 5 mg a day."
    # From the sub-heading the claim sits under, when the sentence itself names no group.
    found = glance_dose.usual_dose(
        claims("The recommended dose is 3 mg a day.", section="Use in children aged 6 to 11"),
        "en",
    )
    assert found is not None and found.text.startswith("Use in children aged 6 to 11: ")


def test_a_long_sentence_is_clipped_at_a_clause_only_where_the_dose_survives() -> None:
    tail = ", ".join(f"then after week {i} your doctor reviews the treatment" for i in range(6))
    text = pick(f"The recommended dose is 40 mg every week; {tail}.")
    # The longest start within the bound that ends at a clause boundary, marked as clipped.
    assert text.startswith("The recommended dose is 40 mg every week; then after week 0")
    assert text.endswith("the treatment …") and len(text.split()) <= MAX
    # No boundary that keeps the dose within the bound: the card refers to the section.
    words = " ".join(["and"] * 50)
    assert pick(f"The recommended dose {words} is 40 mg.") == ""


def test_a_dose_of_another_medicine_is_not_this_ones() -> None:
    assert pick("The recommended dose of warfarin is 5 mg a day.") == ""
    assert pick("The recommended dose of Fictomab is 5 mg a day.").startswith("The")
    assert pick("The usual dose of an injection is 0.1 ml.").startswith("The")


def test_a_worked_example_is_not_the_dose() -> None:
    text = pick(
        "Example: if your daily dose is 900 mg, your starting dose is 300 mg a day.",
        "The usual dose is 600 mg a day.",
    )
    assert text == "The usual dose is 600 mg a day."


def test_other_languages() -> None:
    da = pick(
        "Spørg lægen. \uf0b7 Den anbefalede dosis er én tablet dagligt. \uf0b7 Tag den med vand.",
        language="da",
    )
    assert da == "Den anbefalede dosis er én tablet dagligt."
    pt = pick("Adultos A dose recomendada é de 20 mg por dia.", language="pt")
    assert pt == "Adultos: A dose recomendada é de 20 mg por dia."


def test_no_sentence_fits_so_the_card_refers_to_the_dosing_section() -> None:
    mono = Monograph(
        key="fictomab",
        identity=Identity(generic="fictomab", brands=["Fictomab"]),
        sources=[Source(id="s", publisher="EMA", document="Fictomab", kind=SourceKind.label)],
        claims=claims(
            "Your doctor will work out the dose from your weight.", "It is given by a nurse."
        ),
    )
    line = next(ln for ln in glance(mono).lines if ln.id == "dose")
    assert line.text == "See the dosing section." and line.claims == [] and line.more == "how"
    assert glance_dose.usual_dose([], "en") is None
