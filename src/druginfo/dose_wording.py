"""How a dose is said in words, in one place: the amount ("4 mg", "0.5 mg/kg", "100 units"),
whom a leaflet's dose is for ("age ≥ 18", "< 30 kg"), a regimen ("4 mg by mouth every 24 hours
(once a day) (0.13 mL)") and its caps ("At most 8 mg a day.").

The engine words the doses a leaflet offers when it cannot pick one; the CDS cards, the CLI
and the pages word the regimen a check returns. A dose phrased two ways in two places drifts
apart — a cap said in one and not the other — so both call this module. It depends on no
engine or interface code, only on the shapes it words.
"""

from __future__ import annotations

from druginfo.model import Regimen
from druginfo.model.facts import Population
from druginfo.wording import schedule_words


def amount_words(
    dose_mg: float | None, dose_mg_per_kg: float | None = None, dose_units: float | None = None
) -> str:
    """'4 mg', '0.5 mg/kg' or '100 units': the first amount that is stated."""
    if dose_mg is not None:
        return f"{dose_mg:g} mg"
    if dose_mg_per_kg is not None:
        return f"{dose_mg_per_kg:g} mg/kg"
    if dose_units is not None:
        return f"{dose_units:g} units"
    return "a dose"


def interval_words(hours: float | None) -> str:
    """'every 24 h', short, for a list of several doses side by side."""
    return f"every {hours:g} h" if hours is not None else "(no interval stated)"


def population_words(pop: Population | None) -> list[str]:
    """Each bound of whom a dose is for, in reading order."""
    if pop is None:
        return []
    who: list[str] = []
    if pop.indication:
        who.append(pop.indication)
    if pop.age_min_years is not None:
        who.append(f"age ≥ {pop.age_min_years:g}")
    if pop.age_max_years is not None:
        who.append(f"age < {pop.age_max_years:g}")
    if pop.weight_min_kg is not None:
        who.append(f"≥ {pop.weight_min_kg:g} kg")
    if pop.weight_max_kg is not None:
        who.append(f"< {pop.weight_max_kg:g} kg")
    if pop.crcl_below_ml_min is not None:
        who.append(f"kidney clearance < {pop.crcl_below_ml_min:g} mL/min")
    if pop.with_medicine is not None:
        who.append(f"with {pop.with_medicine}")
    return who


def dose_statement(amount: str, hours: float | None, who: list[str]) -> str:
    """'4 mg every 24 h (rheumatoid arthritis, age ≥ 18)': one candidate dose of a leaflet."""
    return f"{amount} {interval_words(hours)}" + (f" ({', '.join(who)})" if who else "")


def regimen_words(regimen: Regimen) -> str:
    """'20 mg subcutaneous every 24 hours (once a day) for 10 days (0.13 mL)': the regimen a
    check returned, with an undecided interval said as such (never left out)."""
    what = amount_words(regimen.dose_mg)
    if regimen.route:
        what += f" {regimen.route}"
    when = schedule_words(regimen.every_hours, regimen.schedule, regimen.min_interval_hours)
    what += f" {when}" if when else ", interval: prescriber to decide"
    if regimen.duration_days:
        what += f" for {regimen.duration_days} days"
    if regimen.volume_ml is not None:
        what += f" ({regimen.volume_ml:g} mL)"
    return what


def limit_lines(regimen: Regimen) -> list[str]:
    """The regimen's caps, one sentence each: per kg a day, a day, per dose."""
    lines: list[str] = []
    if regimen.max_dose_mg_per_kg_day is not None:
        lines.append(f"At most {regimen.max_dose_mg_per_kg_day:g} mg/kg a day.")
    if regimen.max_dose_mg is not None:
        lines.append(f"At most {regimen.max_dose_mg:g} mg a day.")
    if regimen.max_dose_mg_per_dose is not None:
        lines.append(f"At most {regimen.max_dose_mg_per_dose:g} mg per dose.")
    return lines


def capped_note(max_dose_mg: float) -> str:
    """Said beside a per-kg dose that the leaflet's maximum cut down."""
    return f"Capped at the leaflet's maximum of {max_dose_mg:g} mg."


def units_note(dose_units: float) -> str:
    """Said beside a dose stated in units (insulins), which has no mg amount."""
    return f"{dose_units:g} units per dose."
