"""Goal signals benchmark: the vague-goal and divergent-goal detectors against labelled goal statements and groups.

    .venv/bin/python -m bench.signals                     # the repository's data (bench/data, LABELLING.md)
    .venv/bin/python -m bench.signals --errors            # and the misclassified items
    .venv/bin/python -m bench.signals --statements A.tsv --groups B.tsv   # other files of the same format

Prints precision, recall and F1 of the positive class ("vague", "divergent") per language (statements: de, en, all;
groups: German-only, English-only, mixed, all) for the detector with its default settings, the detector with its one
numeric setting chosen by stratified 5-fold cross-validation (marked "CV"), and the trivial baselines in the same run;
then whether each goal is met (F1 >= 0.90 and at least 0.10 above the best baseline). Always exits 0.
See docs/SIGNALS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from bench._signals_data import GROUPS, STATEMENTS, Group, Statement, load_groups, load_statements, old_divergent
from bench._signals_score import FOLDS, GROUP_KINDS, SEED, STATEMENT_LANGUAGES, Report, Row, Score, evaluate
from bot.core.goal_concepts import concepts, diverge, stem
from bot.core.goal_text import parts
from bot.core.history import Thresholds
from bot.core.risk.goals import vague_reasons

GROUP_NAMES = {"de": "de-only", "en": "en-only", "mixed": "mixed", "all": "all"}


def _number(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def _cell(found: Score | None) -> str:
    if found is None:
        return f"{'n/a':^19}"
    return f"{_number(found.precision)} {_number(found.recall)} {_number(found.f1)}"


def table(rows: list[Row], keys: Sequence[str], names: dict[str, str], sizes: dict[str, str]) -> str:
    """A text table: one row per method, precision, recall and F1 per language."""
    width = max(len(row.method) for row in rows) + 5
    head = " " * width + " | ".join(f"{names.get(key, key) + ' ' + sizes.get(key, ''):^19}" for key in keys)
    sub = " " * width + " | ".join(f"{'P':^5} {'R':^5} {'F1':^5}  " for _ in keys)
    lines = [head, sub]
    for row in rows:
        mark = "CV " if row.cross_validated else "   "
        lines.append(f"{mark}{row.method:<{width - 3}}" + " | ".join(_cell(row.scores.get(key)) for key in keys))
    return "\n".join(lines)


def _sizes_statements(report: Report) -> dict[str, str]:
    first = report.vague[0].scores
    return {key: f"({first[key].items})" for key in first}


def _sizes_groups(report: Report) -> dict[str, str]:
    first = report.divergent[0].scores
    return {key: f"({first[key].items})" for key in first}


def print_report(report: Report, errors: bool, statements_path: Path, groups_path: Path) -> None:
    """The tables, the goals and (with errors) the misclassified items."""
    print(f"Goal signals benchmark, {date.today().isoformat()}")
    print(f"statements: {statements_path}; groups: {groups_path}")
    print(f"positive class: 'vague' / 'divergent'; P precision, R recall; (n) items per column; rows marked CV are "
          f"cross-validated (stratified {FOLDS}-fold by language and label, seed {SEED}): the setting is chosen on "
          f"4 folds and scored on the 5th. Other rows fit nothing to the data; but the detectors' word lists and "
          f"rules were refined while reading the repository set's errors, so on that set all detector rows are "
          f"in-sample (optimistic). Files the detectors never saw (--statements, --groups) give the honest figure.")
    if report.vague:
        print("\nVague goals (one statement each)")
        print(table(report.vague, STATEMENT_LANGUAGES, {}, _sizes_statements(report)))
        print("  reasons of the statements labelled vague, against the `reason` column: " + "; ".join(
            f"{code} P {_number(found.precision)} R {_number(found.recall)}" for code, found in report.reasons.items()))
    if report.divergent:
        print("\nDivergent goals (groups of statements, by the languages in a group)")
        print(table(report.divergent, GROUP_KINDS, GROUP_NAMES, _sizes_groups(report)))
    print("\nGoals")
    for name, met, detail in report.goals:
        print(f"  {name:<22} {'met   ' if met else 'MISSED'} {detail}")
    if errors:
        _print_errors(report)


def _print_errors(report: Report) -> None:
    if report.vague:
        print(f"\nMisclassified statements ({len(report.vague_errors)}): label | detector's reasons | text")
        for statement, why in report.vague_errors:
            label = f"vague ({statement.reason})" if statement.vague else "concrete"
            print(f"  [{statement.language}] {label} | {','.join(why) or 'concrete'} | {statement.text}")
    if report.divergent:
        print(f"\nMisclassified groups ({len(report.divergent_errors)})")
        share = Thresholds().goal_overlap
        for group in report.divergent_errors:
            found = [concepts(text) for text in group.texts]
            _, agreement = diverge(found, share)
            print(f"  {group.name} ({group.kind}) labelled {'divergent' if group.divergent else 'aligned'}; "
                  f"{agreement.support} of {agreement.counted} share {agreement.goal}")
            for text, one in zip(group.texts, found, strict=True):
                named = ", ".join(sorted(one.targets | one.fields)) or "-"
                print(f"      {text}  [{named}]")


def _forget() -> None:
    """Empty the detectors' caches, so that every pass judges each text anew (a network's new statements)."""
    for cached in (parts, concepts, stem):
        cached.cache_clear()


def _per_item(judge: Callable[[], object], items: int, repeat: int = 5) -> float:
    """Milliseconds per item of the fastest of `repeat` passes over all items, each with empty caches."""
    best = float("inf")
    for _ in range(repeat):
        _forget()
        start = time.perf_counter()
        judge()
        best = min(best, time.perf_counter() - start)
    return 1000 * best / max(items, 1)


def speed(statements: Sequence[Statement], groups: Sequence[Group]) -> list[str]:
    """How long judging takes, beside a baseline measured in the same run: the digit test for one statement, the
    old word overlap (the detector before) for one group."""
    texts = [statement.text for statement in statements]
    share = Thresholds().goal_overlap
    vague_reasons(texts[0]) if texts else None  # patterns compile once per process: not part of the figure
    lines = []
    if texts:
        mine = _per_item(lambda: [vague_reasons(text) for text in texts], len(texts))
        trivial = _per_item(lambda: [any(c.isdigit() for c in text) for text in texts], len(texts))
        lines.append(f"  vague goals: {mine:.3f} ms per statement; baseline 'vague if no digit' {trivial:.4f} ms "
                     f"({mine / trivial:.0f}x)")
    if groups:
        mine = _per_item(lambda: [diverge([concepts(text) for text in group.texts], share) for group in groups],
                         len(groups))
        old = _per_item(lambda: [old_divergent(group.texts) for group in groups], len(groups))
        size = sum(len(group.texts) for group in groups) / len(groups)
        lines.append(f"  divergent goals: {mine:.3f} ms per group of {size:.1f} statements; baseline 'old word "
                     f"overlap' {old:.3f} ms ({mine / old:.1f}x)")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Score the detectors on the given (or the repository's) files and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--statements", type=Path, default=STATEMENTS, help="goal statements (goal_statements.tsv)")
    parser.add_argument("--groups", type=Path, default=GROUPS, help="groups of goal statements (goal_groups.tsv)")
    parser.add_argument("--errors", action="store_true", help="also list the misclassified statements and groups")
    args = parser.parse_args(argv)
    statements, groups = load_statements(args.statements), load_groups(args.groups)
    report = evaluate(statements, groups)
    print_report(report, args.errors, args.statements, args.groups)
    print("\nSpeed (fastest of 5 passes, caches emptied before each; compiling the patterns once left out)")
    print("\n".join(speed(statements, groups)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
