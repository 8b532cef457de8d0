"""Result objects made by their class's own validator, without pydantic's Python wrapper.

A check makes a dozen result objects per answer (alerts, monitoring items, the coverage, the
result itself). `Model(**fields)` and `Model.model_validate(fields)` wrap the validation in
Python code that costs about as much as the validation itself at this size; asking the
class's built validator directly validates exactly the same way (every field checked and
converted, defaults filled, the same fields marked as set) at about half the cost. Nothing is
skipped: this is not `model_construct`. A class whose validator is not built yet (the models
defer it, druginfo.model.base) goes through `model_validate` once, which builds it.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from pydantic import BaseModel
from pydantic_core import SchemaValidator

M = TypeVar("M", bound=BaseModel)


def make(cls: type[M], fields: dict[str, Any]) -> M:
    """`cls.model_validate(fields)`: validated, by the class's validator itself."""
    validator = cls.__pydantic_validator__
    if type(validator) is not SchemaValidator:  # not built yet (deferred), or a plugin's
        return cls.model_validate(fields)
    return cast(M, validator.validate_python(fields))
