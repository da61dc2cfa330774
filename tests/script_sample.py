"""A fixed check-in script for tests of editing scripts, independent of what dialogs/ ships."""

from __future__ import annotations

from pathlib import Path

from tests.e2e import TEST_DIALOGS

# The monthly check-in as shipped in version 2: scale, text, choice and branching; English and German.
SAMPLE = (TEST_DIALOGS / "monthly_checkin.yaml").read_text(encoding="utf-8")


def sample_dialogs(folder: Path) -> Path:
    """A dialogs folder holding only the sample script (as monthly_checkin.yaml)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "monthly_checkin.yaml").write_text(SAMPLE, encoding="utf-8")
    return folder
