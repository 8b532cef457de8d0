"""Drug names, brands, misspellings, drug classes and vaccines, each with its source."""

from druginfo.vocab.base import ClassMembership, NameMatch, VaccineMatch, Vocabulary
from druginfo.vocab.vocab import Vocab

__all__ = ["ClassMembership", "NameMatch", "VaccineMatch", "Vocab", "Vocabulary"]
