"""Scoring of the goal detectors against the labelled data: precision, recall and F1 per language, the trivial
baselines, stratified k-fold cross-validation of the detectors' two numeric settings, and the goals."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench._signals_data import Group, Statement, old_divergent
from bot.core.goal_concepts import concepts, diverge
from bot.core.history import Thresholds
from bot.core.risk.goals import vague_reasons

FOLDS = 5
SEED = 20_260
MIN_F1 = 0.90
MARGIN = 0.10
MIN_WORDS_GRID = (1, 2, 3, 4, 5, 6)
SHARE_GRID = (0.0, 0.5, 0.6, 0.75, 0.8, 1.0)
STATEMENT_LANGUAGES = ("de", "en", "all")
GROUP_KINDS = ("de", "en", "mixed", "all")


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of the positive class over some items (None where undefined)."""

    true_pos: int
    false_pos: int
    false_neg: int
    items: int

    @property
    def precision(self) -> float | None:
        """Share of the flagged items that are positive."""
        flagged = self.true_pos + self.false_pos
        return self.true_pos / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        """Share of the positive items that are flagged."""
        positive = self.true_pos + self.false_neg
        return self.true_pos / positive if positive else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall (0.0 when nothing right was flagged)."""
        if self.true_pos + self.false_neg == 0:
            return None
        return 2 * self.true_pos / (2 * self.true_pos + self.false_pos + self.false_neg)


def score(gold: Sequence[bool], predicted: Sequence[bool]) -> Score:
    """The score of predictions against labels (True: the positive class)."""
    pairs = list(zip(gold, predicted, strict=True))
    return Score(sum(g and p for g, p in pairs), sum(p and not g for g, p in pairs),
                 sum(g and not p for g, p in pairs), len(pairs))


@dataclass
class Row:
    """One line of a table: a method's scores per language, and whether they are cross-validated."""

    method: str
    scores: dict[str, Score]
    cross_validated: bool = False
    baseline: bool = False


@dataclass
class Report:
    """The benchmark's results: a table each for vague and divergent goals, misclassified items, goals."""

    vague: list[Row] = field(default_factory=list)
    divergent: list[Row] = field(default_factory=list)
    vague_errors: list[tuple[Statement, list[str]]] = field(default_factory=list)
    divergent_errors: list[Group] = field(default_factory=list)
    reasons: dict[str, Score] = field(default_factory=dict)
    goals: list[tuple[str, bool, str]] = field(default_factory=list)


def _per(keys: Sequence[str], key_of: Callable[[int], str], gold: Sequence[bool],
         predicted: Sequence[bool]) -> dict[str, Score]:
    found = {}
    for key in keys:
        chosen = [at for at in range(len(gold)) if key == "all" or key_of(at) == key]
        if chosen:
            found[key] = score([gold[at] for at in chosen], [predicted[at] for at in chosen])
    return found


def folds(strata: Sequence[str], k: int = FOLDS, seed: int = SEED) -> list[int]:
    """A fold number for each item: stratified (each stratum dealt round-robin after a seeded shuffle)."""
    fold = [0] * len(strata)
    rng = random.Random(seed)
    for stratum in sorted(set(strata)):
        members = [at for at, one in enumerate(strata) if one == stratum]
        rng.shuffle(members)
        for position, at in enumerate(members):
            fold[at] = position % k
    return fold


def _cross_validated(strata: Sequence[str], gold: Sequence[bool], grid: Sequence[float],
                     predict: Callable[[float, int], bool]) -> tuple[list[bool], list[float]]:
    """Predictions where each fold uses the grid value with the best F1 on the other folds (ties: the first)."""
    fold = folds(strata)
    table = {value: [predict(value, at) for at in range(len(gold))] for value in grid}
    predicted, chosen = [False] * len(gold), []
    for test in range(FOLDS):
        train = [at for at in range(len(gold)) if fold[at] != test]
        best = max(grid, key=lambda value: (score([gold[at] for at in train],
                                                  [table[value][at] for at in train]).f1 or 0.0, -grid.index(value)))
        chosen.append(best)
        for at in range(len(gold)):
            if fold[at] == test:
                predicted[at] = table[best][at]
    return predicted, chosen


def _has_digit(text: str) -> bool:
    return any(char.isdigit() for char in text)


def _reason_scores(statements: Sequence[Statement], found: Sequence[list[str]]) -> dict[str, Score]:
    """Per code, how well the reasons of the statements labelled vague match the `reason` column."""
    vague = [(statement, why) for statement, why in zip(statements, found, strict=True) if statement.vague]
    return {code: score([code in statement.reason.split("+") for statement, _ in vague],
                        [code in why for _, why in vague]) for code in ("whom", "result", "time")}


def score_statements(statements: Sequence[Statement], report: Report) -> None:
    """Vague goals: the detector (default settings and cross-validated vague_min_words) and the baselines."""
    gold = [statement.vague for statement in statements]
    language = [statement.language for statement in statements]
    found = [vague_reasons(statement.text, Thresholds().vague_min_words) for statement in statements]
    mine = [bool(why) for why in found]
    tuned, chosen = _cross_validated(
        [f"{one.language}:{one.vague}" for one in statements], gold, MIN_WORDS_GRID,
        lambda words, at: bool(vague_reasons(statements[at].text, int(words))))
    report.vague += [
        Row(f"detector (vague_reasons, vague_min_words={Thresholds().vague_min_words})",
            _per(STATEMENT_LANGUAGES, language.__getitem__, gold, mine)),
        Row(f"detector, vague_min_words chosen per fold {sorted(set(chosen))}",
            _per(STATEMENT_LANGUAGES, language.__getitem__, gold, tuned), cross_validated=True),
        Row("baseline: everything vague", _per(STATEMENT_LANGUAGES, language.__getitem__, gold, [True] * len(gold)),
            baseline=True),
        Row("baseline: vague if no digit", _per(STATEMENT_LANGUAGES, language.__getitem__, gold,
                                                [not _has_digit(one.text) for one in statements]), baseline=True),
    ]
    report.vague_errors = [(one, why) for one, why in zip(statements, found, strict=True) if bool(why) != one.vague]
    report.reasons = _reason_scores(statements, found)


def score_groups(groups: Sequence[Group], report: Report) -> None:
    """Divergent goals: the detector (default goal_overlap and cross-validated) and the baselines."""
    gold = [group.divergent for group in groups]
    kind = [group.kind for group in groups]
    found = [[concepts(text) for text in group.texts] for group in groups]
    share = Thresholds().goal_overlap
    mine = [diverge(one, share)[0] for one in found]
    tuned, chosen = _cross_validated([f"{group.kind}:{group.divergent}" for group in groups], gold, SHARE_GRID,
                                     lambda value, at: diverge(found[at], value)[0])
    report.divergent += [
        Row(f"detector (divergent_goals' measure, goal_overlap={share})", _per(GROUP_KINDS, kind.__getitem__, gold,
                                                                              mine)),
        Row(f"detector, goal_overlap chosen per fold {sorted(set(chosen))}",
            _per(GROUP_KINDS, kind.__getitem__, gold, tuned), cross_validated=True),
        Row("baseline: everything divergent", _per(GROUP_KINDS, kind.__getitem__, gold, [True] * len(gold)),
            baseline=True),
        Row("baseline: old Jaccard mean overlap < 0.1", _per(GROUP_KINDS, kind.__getitem__, gold,
                                                              [old_divergent(group.texts) for group in groups]),
            baseline=True),
    ]
    report.divergent_errors = [group for group, flagged in zip(groups, mine, strict=True) if flagged != group.divergent]


def _judge(rows: list[Row], name: str, keys: Sequence[str]) -> list[tuple[str, bool, str]]:
    """Per language: F1 of the detector (first row) >= MIN_F1 and >= the best baseline's + MARGIN."""
    goals = []
    mine = rows[0].scores
    for key in keys:
        if key not in mine or mine[key].f1 is None:
            continue
        ours = mine[key].f1 or 0.0
        best = max((row.scores[key].f1 or 0.0 for row in rows if row.baseline and key in row.scores), default=0.0)
        met = ours >= MIN_F1 and ours >= best + MARGIN - 1e-9
        goals.append((f"{name} {key}", met, f"F1 {ours:.3f} (goal >= {MIN_F1:.2f} and >= best baseline "
                                             f"{best:.3f} + {MARGIN:.2f})"))
    return goals


def evaluate(statements: Sequence[Statement], groups: Sequence[Group]) -> Report:
    """Everything `python -m bench.signals` prints, for these statements and groups."""
    report = Report()
    if statements:
        score_statements(statements, report)
        report.goals += _judge(report.vague, "vague goals", STATEMENT_LANGUAGES)
    if groups:
        score_groups(groups, report)
        report.goals += _judge(report.divergent, "divergent goals", GROUP_KINDS)
    return report
