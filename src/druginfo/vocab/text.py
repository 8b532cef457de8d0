"""Normalising names and medication-list entries before lookup.

People write "M-M-R® II", "Humira  Pen", "ENBREL 50mg/wk" or "adalimumab-atto"; the index stores
every name in the same reduced form so that such spellings meet exactly, and fuzzy matching is
only needed for real misspellings.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+")
_TRADEMARKS = str.maketrans({"®": " ", "™": " ", "©": " ", "℠": " "})


def tokens(text: str) -> list[str]:
    """Lower-case ASCII word tokens; accents dropped, punctuation and symbols are separators."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    """Memoised: the same names and medication lines are looked up on every check."""
    text = text.translate(_TRADEMARKS)
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_text = ascii_text.casefold().replace("ß", "ss")
    return tuple(_TOKEN.findall(ascii_text))


def normalise(text: str) -> str:
    """The spaced form: 'M-M-R® II' → 'm m r ii'."""
    return " ".join(_tokens(text))


def compact(text: str) -> str:
    """The unspaced form, so that 'M-M-R II', 'MMR II' and 'mmrii' meet: → 'mmrii'."""
    return "".join(_tokens(text))


# FDA-licensed biologics carry a four-letter suffix after the core name ("adalimumab-atto").
_FDA_SUFFIX = re.compile(r"^\s*([A-Za-z][A-Za-z ]*[A-Za-z])\s*-\s*([a-z]{4})\s*$")


def strip_fda_suffix(text: str) -> str | None:
    """The core name of 'adalimumab-atto', or None when the text has no such suffix."""
    m = _FDA_SUFFIX.match(text)
    return m.group(1) if m else None


# Words of a medication-list line that never name the medicine itself: doses, units,
# frequencies, routes, dosage forms and devices, and the small words around them.
_STOPWORDS = """
    mg mcg ug g gm gram grams kg ml l iu unit units mmol meq mgkg percent pct
    dose doses dosage daily weekly monthly fortnightly biweekly nightly hourly yearly annually
    every other each per a an the x times time once twice thrice day days week weeks wk wks
    month months year years hour hours hr hrs h minute minutes min morning evening night
    bedtime noon am pm bid tid qid qd qod qw qwk q2w q4w q8w qhs prn od bd tds qds stat as
    needed required when if and or plus with without of for on in at to by from since until
    then after before meals meal food
    oral orally po mouth sc subcut subcutaneous subcutaneously sq sub cut iv intravenous
    intravenously im intramuscular intramuscularly topical topically inhaled inhaler nasal
    injection injections inj injected injectable infusion infusions infused shot shots jab
    tablet tablets tab tabs capsule capsules cap caps pill pills pen pens syringe syringes
    prefilled pre filled autoinjector auto injector vial vials solution suspension liquid
    syrup cream ointment gel patch drops drop spray powder sachet kit device sensoready
    sureclick clickwise myclic cartridge ampoule
    er xr sr dr la cr ir ec odt generic biosimilar brand brands branded original
    start starting started stop stopped stopping take takes taking took use uses using used
    current currently on off hold held restart restarted new old previous previously
    half quarter one two three four five six seven eight nine ten
"""
MEDICATION_STOPWORDS: frozenset[str] = frozenset(_STOPWORDS.split())


def is_dose_token(token: str) -> bool:
    """Numbers and numbers glued to units ('50', '0.5', '50mg', '2x', 'q2w')."""
    return token[0].isdigit() or bool(re.fullmatch(r"q\d+[a-z]*", token))


# Salt, ester and conjugate words that a leaflet writes beside the substance name
# ("dabigatran etexilate", "certolizumab pegol", "metformin hydrochloride"). A name with them
# and the name without them denote one medicine for screening purposes.
_SALT_WORDS = """
    hydrochloride dihydrochloride hydrobromide hydrate monohydrate dihydrate trihydrate
    sesquihydrate anhydrous sodium disodium potassium dipotassium calcium magnesium zinc
    lithium aluminium ammonium meglumine tromethamine trometamol arginine lysine
    mesilate mesylate dimesilate besilate besylate tosilate tosylate maleate dimaleate
    fumarate hemifumarate succinate tartrate bitartrate hemitartrate citrate dicitrate
    acetate diacetate propionate dipropionate valerate butyrate phosphate diphosphate
    sulfate sulphate bisulfate nitrate bromide chloride iodide
    lactate gluconate glucuronide benzoate salicylate stearate palmitate pamoate embonate
    oxalate malate mandelate napsilate camsilate isetionate edisilate esilate
    etexilate medoxomil cilexetil axetil pivoxil proxetil marboxil alafenamide disoproxil
    dipivoxil mofetil pegol etabonate furoate decanoate enanthate undecanoate cipionate
    acetonide hexacetonide
"""
SALT_WORDS: frozenset[str] = frozenset(_SALT_WORDS.split())


def without_salt(text: str) -> str | None:
    """'Dabigatran etexilate' → 'dabigatran'; None when no salt or ester word is present or
    nothing but salt words would remain."""
    words = tokens(text)
    core = [w for w in words if w not in SALT_WORDS]
    if len(core) == len(words) or not core:
        return None
    return " ".join(core)
