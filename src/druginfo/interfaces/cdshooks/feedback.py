"""CDS Hooks feedback (`POST /cds-services/{id}/feedback`): what clinicians did with a card.

Stored append-only as JSON lines beside the default database (or in the file given by
DRUGINFO_CDS_FEEDBACK), one line per feedback item with the service id and the time it
arrived, so overrides of critical cards can be reviewed. Only the fields the specification
defines are kept; the request is validated, never stored as sent.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from druginfo.interfaces.cdshooks.wire import Coding


class AcceptedSuggestion(BaseModel):
    id: str = Field(min_length=1, max_length=200)


class OverrideReason(BaseModel):
    reason: Coding | None = None
    userComment: str | None = Field(default=None, max_length=2000)


class FeedbackItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    card: str = Field(min_length=1, max_length=200, description="The card's uuid.")
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = Field(default=None, max_length=50)
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: str = Field(min_length=1, max_length=64)


class Feedback(BaseModel):
    model_config = ConfigDict(extra="ignore")

    feedback: list[FeedbackItem] = Field(min_length=1, max_length=100)


def feedback_path() -> Path:
    configured = os.environ.get("DRUGINFO_CDS_FEEDBACK")
    if configured:
        return Path(configured)
    from platformdirs import user_data_dir

    return Path(user_data_dir("druginfo")) / "cds-feedback.jsonl"


_LOCK = threading.Lock()


def store_feedback(service_id: str, feedback: Feedback, path: Path | None = None) -> int:
    """Append each item; returns how many were stored."""
    target = path or feedback_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    received = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    lines = [
        json.dumps(
            {"service": service_id, "received": received, **item.model_dump(exclude_none=True)},
            ensure_ascii=False,
        )
        for item in feedback.feedback
    ]
    with _LOCK, target.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return len(lines)


def read_feedback(path: Path | None = None) -> list[dict[str, object]]:
    target = path or feedback_path()
    if not target.exists():
        return []
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines() if line]
