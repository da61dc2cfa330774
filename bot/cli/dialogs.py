"""`python -m bot dialogs check | graph | versions | diff | publish | rollback`: check-in scripts from the shell."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path as FsPath

from bot.config import Settings
from bot.core.flow import (
    FACTORS,
    QUARTER,
    RISKS,
    factors_per_round,
    longest_path,
    measured_per_round,
    mermaid,
    quarter_gaps,
    questions_on,
    risks_per_round,
    rounds_to_check,
)
from bot.core.risk.rules import RULES
from bot.core.script.diff import diff_scripts
from bot.core.script.loader import ScriptError, load_script_file, load_script_text
from bot.core.script.model import Script
from bot.core.tips import TipsError, load_tips_text
from bot.services import USED_SCRIPTS, system_clock
from bot.usecases.scripts import TIPS_FILE, ScriptRegistry, tips_path
from storage.db import open_db
from storage.scripts import publications, stored_versions


def dialogs_check(files: Sequence[FsPath]) -> int:
    """Validate script files (and the coaching tips file); print each one's summary or its problems; 1 if any file
    has a problem."""
    if not files:
        print("No script files given or found.", file=sys.stderr)
        return 1
    failed = 0
    for path in files:
        if path.name == TIPS_FILE.name:
            failed += _check_tips(path)
            continue
        try:
            script = load_script_file(path)
        except (ScriptError, OSError) as error:
            failed += 1
            problems = error.problems if isinstance(error, ScriptError) else [f"{path}: {error}"]
            print(f"✗ {path}: {len(problems)} problem(s)")
            for problem in problems:
                print(f"  {problem}")
            continue
        print(f"✓ {path}: {script.id} version {script.version}, {len(script.steps)} steps, "
              f"at most {_most_questions(script)} questions a check-in, languages {', '.join(script.languages)}")
        if script.modules:
            print(f"  rotation: {len(script.modules)} modules")
            for line in coverage_lines(script):
                print(f"  {line}")
    return 1 if failed else 0


def _check_tips(path: FsPath) -> int:
    """Validate the coaching tips file; print its summary or its problems; 1 if it has a problem."""
    try:
        tips = load_tips_text(path.read_text(encoding="utf-8"), str(path), tuple(RULES))
    except (TipsError, OSError) as error:
        problems = error.problems if isinstance(error, TipsError) else [f"{path}: {error}"]
        print(f"✗ {path}: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  {problem}")
        return 1
    stages = sum(len(stages) for stages in tips.rules.values())
    print(f"✓ {path}: coaching tips version {tips.version}, {len(tips.rules)} rules ({stages} tips), "
          f"{len(tips.risks)} risk factors, German and English")
    return 0


def dialog_files(directory: FsPath) -> list[FsPath]:
    """What `dialogs check` checks by default: every script in the folder, then the coaching tips."""
    return [*sorted(directory.glob("*.yaml")), tips_path(directory)]


def coverage_lines(script: Script) -> list[str]:
    """What each round of a rotating script covers on every path, and what any QUARTER rounds in a row miss."""
    lines = []
    for number in rounds_to_check(script):
        due = ", ".join(module.id for module in script.modules if module.due(number)) or "no module"
        lines.append(f"round {number} ({due}): success factors {_numbers(factors_per_round(script, number))} "
                     f"(measured 1-5: {_numbers(measured_per_round(script, number))}); risk factors "
                     f"{_numbers(risks_per_round(script, number))}")
    checks = (("ask success factor(s)", factors_per_round, FACTORS),
              ("measure success factor(s)", measured_per_round, FACTORS),
              ("ask risk factor(s)", risks_per_round, RISKS))
    for what, covered, wanted in checks:
        gaps = quarter_gaps(script, covered, wanted)
        lines += [f"✗ rounds {first}-{first + QUARTER - 1} do not {what} {_numbers(missing)}"
                  for first, missing in gaps.items()]
    if not any(line.startswith("✗") for line in lines):
        lines.append(f"any {QUARTER} rounds in a row: all 11 success factors asked and measured, all 9 risk factors "
                     "asked")
    return lines


def _numbers(values: set[int]) -> str:
    return ", ".join(map(str, sorted(values))) or "none"


def _most_questions(script: Script) -> int:
    """The most questions one check-in can ask, over every round of the rotation."""
    return max(questions_on(script, longest_path(script, number), number) for number in rounds_to_check(script))


def dialogs_graph(path: FsPath, lang: str) -> int:
    """Print the script's flow as a Mermaid flowchart (or its problems)."""
    try:
        script = load_script_file(path)
    except (ScriptError, OSError) as error:
        print(error, file=sys.stderr)
        return 1
    print(mermaid(script, lang))
    return 0


def dialogs_versions_command(settings: Settings, args: argparse.Namespace) -> int:
    """`dialogs versions | diff | publish | rollback` on the database (a running bot sees changes at once)."""
    db = open_db(settings.db_path)
    try:
        registry = ScriptRegistry(db)
        registry.load_directory(settings.dialogs_dir, system_clock())
        if args.dialogs_command == "versions":
            stored = stored_versions(db, args.script_id)
            if not stored:
                print(f"No script '{args.script_id}' is stored.", file=sys.stderr)
                return 1
            for entry in stored:
                print(f"{'*' if entry.in_use else ' '} version {entry.version}  stored {entry.created_at[:16]}")
            for event in publications(db, args.script_id):
                where = "" if event.network_id is None else f" (network {event.network_id} only)"
                print(f"  {event.published_at[:16]}  {event.action} version {event.version} by {event.published_by}"
                      f"{where}")
            return 0
        if args.dialogs_command == "diff":
            old, new = registry.version(args.script_id, args.old), registry.version(args.script_id, args.new)
            print("\n".join(diff_scripts(old, new)))
            return 0
        if args.dialogs_command == "publish":
            source = args.file.read_text(encoding="utf-8")
            wanted = load_script_text(source, str(args.file)).id
            if wanted not in USED_SCRIPTS:
                print(f"No part of Netzpuls uses a script '{wanted}', so nothing was published: a file replaces the "
                      f"script of its id, and the bot runs {', '.join(USED_SCRIPTS)}.", file=sys.stderr)
                return 1
            script = registry.publish_text(source, str(args.file), "cli", system_clock())
            print(f"{script.id} version {script.version} is in use now.")
            return 0
        script = registry.rollback(args.script_id, args.version, "cli", system_clock())
        print(f"{script.id} version {script.version} is in use again.")
        return 0
    except (ScriptError, KeyError, ValueError, OSError) as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        db.close()
