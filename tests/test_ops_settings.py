"""NETZPULS_STALL_MINUTES and NETZPULS_REPORT_WORKER: defaults, values, and a wrong value named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_stall_minutes_and_report_worker_defaults_and_values(tmp_path: Path) -> None:
    none = tmp_path / "none.env"
    defaults = load_settings({}, none)
    assert (defaults.stall_minutes, defaults.report_worker) == (3.0, True)
    chosen = load_settings({"NETZPULS_STALL_MINUTES": "0.5", "NETZPULS_REPORT_WORKER": "0"}, none)
    assert (chosen.stall_minutes, chosen.report_worker) == (0.5, False)


@pytest.mark.parametrize(("key", "value"), [("NETZPULS_STALL_MINUTES", "0"), ("NETZPULS_STALL_MINUTES", "soon"),
                                            ("NETZPULS_REPORT_WORKER", "2"), ("NETZPULS_REPORT_WORKER", "yes")])
def test_a_wrong_stall_or_worker_setting_is_named(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        load_settings({key: value}, tmp_path / "none.env")
