"""The goal benchmark's data (bench/data/LABELLING.md) and its old word-overlap baseline (the Jaccard rule that
bot/core/risk/goals.py used before; kept here only to be measured against)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
STATEMENTS = DATA / "goal_statements.tsv"
GROUPS = DATA / "goal_groups.tsv"


@dataclass(frozen=True)
class Statement:
    """One labelled goal statement (goal_statements.tsv)."""

    text: str
    language: str
    vague: bool
    reason: str  # "result+time" for vague ones; for concrete ones the three parts named


@dataclass(frozen=True)
class Group:
    """One labelled group of goal statements (goal_groups.tsv); `kind` is "de", "en" or "mixed" by its languages."""

    name: str
    divergent: bool
    texts: tuple[str, ...]
    languages: tuple[str, ...]

    @property
    def kind(self) -> str:
        """"de" or "en" when all its statements are in that language, else "mixed"."""
        found = set(self.languages)
        return found.pop() if len(found) == 1 else "mixed"


def _rows(path: Path, columns: Iterable[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE))
    lacking = set(columns) - set(rows[0] if rows else columns)
    if lacking:
        raise ValueError(f"{path}: no column {', '.join(sorted(lacking))}")
    return rows


def load_statements(path: Path = STATEMENTS) -> list[Statement]:
    """The statements of a file in goal_statements.tsv's format."""
    rows = _rows(path, ("text", "language", "label"))
    return [Statement(row["text"].strip(), row["language"].strip(), row["label"].strip() == "vague",
                      (row.get("reason") or "").strip()) for row in rows if row["text"].strip()]


def load_groups(path: Path = GROUPS) -> list[Group]:
    """The groups of a file in goal_groups.tsv's format (one row per statement, rows of a group together or not)."""
    rows = _rows(path, ("group", "label", "language", "text"))
    texts: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, bool] = {}
    for row in rows:
        name = row["group"].strip()
        texts.setdefault(name, []).append((row["text"].strip(), row["language"].strip()))
        labels.setdefault(name, row["label"].strip() == "divergent")
    return [Group(name, labels[name], tuple(text for text, _ in found), tuple(lang for _, lang in found))
            for name, found in texts.items()]


# --- the old rule: mean pairwise Jaccard overlap of content words below 0.1 -------------------------------------------

_STOP_LINES = (
    "der die das den dem des ein eine einen einem einer eines und oder aber in im ins an am auf aus bei beim mit nach",
    "von vom zu zum zur für fuer über ueber unter um durch gegen ohne als wie so auch noch nur schon sehr mehr",
    "weniger wir ihr sie er es ich du man uns unser unsere unseren unserem unserer ist sind sein war werden wird",
    "wurde soll sollen sollte wollen will können kann müssen muss haben hat dass damit dabei dazu denn dann wenn ob",
    "nicht kein keine keinen alle allen jede jeden jeder dies diese dieser dieses diesem besser gut gemeinsam",
    "gemeinsame gemeinsamen netzwerk netzwerks netzwerkes ziel ziele partner partnern zusammenarbeit",
    "the a an and or but on at of for to from with as is are be been was were will would should shall can could",
    "may might must we our us they their it its this that these those all each more less very also not no so than",
    "then into about over under through better good shared common network goal goals partners cooperation",
    "aller allem allen mal was wer wo what does do which who how between",
)
_STOP_WORDS = frozenset(word for line in _STOP_LINES for word in line.split())
_ENDINGS = ("innen", "ungen", "ung", "en", "er", "es", "e", "n", "s")
_WORD = re.compile(r"[\w']+")
OLD_OVERLAP = 0.1


def old_goal_words(text: str) -> frozenset[str]:
    """The old rule's content words: lowercased, without stop words, with one common ending cut."""
    normal = text.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    stems = set()
    for word in (one.strip("'") for one in _WORD.findall(normal)):
        if not word or word in _STOP_WORDS or (len(word) < 3 and not word.isdigit()):
            continue
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 4:
                word = word[: -len(ending)]
                break
        stems.add(word)
    return frozenset(stems)


def old_divergent(texts: Iterable[str], threshold: float = OLD_OVERLAP) -> bool:
    """The old divergent_goals: mean pairwise Jaccard overlap of the statements' content words below the threshold."""
    words = [found for found in (old_goal_words(text) for text in texts) if found]
    if len(words) < 2:
        return False
    pairs = list(combinations(words, 2))
    mean = sum(len(first & second) / len(first | second) for first, second in pairs) / len(pairs)
    return mean < threshold
