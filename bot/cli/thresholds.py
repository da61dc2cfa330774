"""`python -m bot network thresholds ID [name=value ...]`: show or set when a network's risk rules fire."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict, fields, replace

from bot.config import Settings
from bot.core.history import Thresholds
from storage.db import open_db
from storage.people import network_name
from storage.reports import network_thresholds, set_thresholds, valid_threshold


def parse_assignments(assignments: Sequence[str], current: Thresholds) -> Thresholds:
    """Apply "name=value" pairs to the thresholds; ValueError names what is wrong."""
    kinds = {field.name: type(getattr(current, field.name)) for field in fields(Thresholds)}
    changed = {}
    for assignment in assignments:
        name, sep, raw = assignment.partition("=")
        if not sep or name not in kinds:
            raise ValueError(f"{assignment!r}: use name=value with a name of: {', '.join(kinds)} "
                             "(docs/thresholds.md says what each means)")
        try:
            value = kinds[name](raw)
        except ValueError:
            raise ValueError(f"{name} needs a {kinds[name].__name__}, got {raw!r}") from None
        if not valid_threshold(name, value):
            raise ValueError(f"{name} must be from 0{' to 1' if name.endswith(('share', 'overlap')) else ''}"
                             " (counts of rounds and partners from 1), a finite number")
        changed[name] = value
    return replace(current, **changed)


def thresholds_command(settings: Settings, network_id: int, assignments: Sequence[str]) -> int:
    """Print the network's thresholds (defaults marked), after setting the given ones."""
    db = open_db(settings.db_path)
    try:
        if network_name(db, network_id) is None:
            print(f"There is no network {network_id}.", file=sys.stderr)
            return 2
        current = network_thresholds(db, network_id)
        try:
            wanted = parse_assignments(assignments, current)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
        if assignments:
            set_thresholds(db, network_id, wanted)
        defaults = asdict(Thresholds())
        for name, value in asdict(network_thresholds(db, network_id)).items():
            print(f"{name} = {value}" + ("" if value != defaults[name] else "   (default)"))
    finally:
        db.close()
    return 0
