"""The base class of druginfo's data models: pydantic's, with each class's validator and
serializer built when first needed rather than when the class is defined.

Building them (pydantic's core schema) costs about a millisecond per class and tens of
milliseconds for `Monograph`; a command that shows one medicine reads stored monographs
without validating them again (druginfo.model.trusted) and never validates most classes at
all, so it should not pay for every class it imports. Behaviour is unchanged: the first
validation, serialisation or JSON schema of a class builds them, exactly as before.
"""

from __future__ import annotations

from pydantic import BaseModel as PydanticBaseModel
from pydantic import ConfigDict


class BaseModel(PydanticBaseModel):
    model_config = ConfigDict(defer_build=True)
