"""Makes tests/reconcile importable for the hand-written fact sets (`handmade`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
