"""What a goal statement is about (target groups and fields of help, German and English) and whether a network's
statements share one goal: the measure behind the divergent_goals rule (docs/SIGNALS.md)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from bot.core.goal_lexicon import ACTORS, BROADER, FIELDS, MASKS, PROCESS, TARGETS

_AGE_WORDS = {"ein": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
              "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15, "sechzehn": 16,
              "siebzehn": 17, "achtzehn": 18, "zwanzig": 20}
_AGE_RANGES = tuple(re.compile(pattern) for pattern in (  # (youngest, oldest) of an age group; "unter 25": (0, 24)
    r"(?<![\d.,])(\d{1,2})(?:\s*(?:-|bis|to|und|and)\s*(?:unter\s*)?(\d{1,2}))?[\s-]*(?:jährig|year[\s-]olds?"
    r"|years? old|jahre alt)",
    r"(?:im alter von|alter von|aged?|the age of|ages of)\s*(\d{1,2})(?:\s*(?:-|bis|to|and|und)\s*(\d{1,2}))?",
    r"\b(\d{2})\s*(?:to|-|bis)\s*(\d{2})s\b",
))
_UNDER_AGE = re.compile(r"\b(?:u|unter|under)[\s-]?(\d{1,2})s?\b(?![.,]\d|\s*(?:%|prozent|per|tage|days|wochen|weeks"
                        r"|monat|month|stunden|hours))")
_OVER_AGE = re.compile(r"\b(?:über|over|ab)[\s-]?(\d{2})[\s-]*(?:jährig|s\b|-?year)")
_AGE_WORD = re.compile(r"\b(" + "|".join(_AGE_WORDS) + r")jährig")
_UNDER_WORD = re.compile(r"\bunder[\s-](?:fives|sixes|threes|fours)\b")
_SCHOOL_YEAR = re.compile(r"\b(?:klasse|klassenstufe|jahrgangsstufe|year|grade)\s*\d{1,2}\b|\b\d{1,2}\.\s*klass"
                          r"|\b(?:first|second|third|fourth|fifth|sixth|\dst|\dnd|\drd|\dth)[\s-]grade")
_COMITATIVE = re.compile(r"\b(?:gemeinsam|zusammen|together|in kooperation|in zusammenarbeit|in partnership"
                         r"|in cooperation)\s+(?:mit|with)\s+", re.IGNORECASE)
_WORD = re.compile(r"[\w-]+")
_DE_WORDS = frozenset((
    "der", "die", "das", "den", "dem", "des", "und", "ist", "sind", "nicht", "mit", "für", "von", "zu", "zum", "zur",
    "ein", "eine", "einen", "sollen", "soll", "wir", "ich", "unsere", "bis", "im", "auf", "sich", "auch", "werden",
    "wird",
))
_EN_WORDS = frozenset((
    "the", "and", "of", "to", "in", "for", "with", "is", "are", "will", "be", "we", "i", "our", "by", "a", "an",
    "that", "all", "their", "this", "from",
))
_ENDINGS = {"de": ("innen", "ungen", "ern", "en", "er", "es", "e", "n", "s"), "en": ("ies", "es", "s", "ing", "ed")}
_STEM_STOP = frozenset((
    "geburtstag", "termin", "zeit", "zeitraum", "schuljahr", "quartal", "weg", "lösung", "grund", "ende", "beginn",
    "start", "schritt", "stand", "lage", "situation", "qualität", "chance", "chancen", "möglichkeit", "bedarf",
    "bedarfe", "maßnahme", "maßnahmen", "konzept", "projekt", "programm", "arbeit", "improve", "reduce", "increase",
    "decrease", "raise", "lower", "get", "make", "help", "support", "ensure", "come", "go", "take", "keep", "become",
    "have", "give", "provide", "find", "offer", "work", "working", "stop", "reach", "access", "able", "need",
    "needs", "cut", "bring", "put", "see", "know", "feel", "stay", "turn", "lift", "run", "sustained", "sustain",
    "fall", "rise", "time", "times", "day", "days", "night", "nights", "first", "second", "third", "next", "last",
    "high", "higher", "low", "right", "best", "new", "old", "full", "fully", "still", "also", "already", "again",
    "even", "just", "only", "once", "here", "there", "currently", "ziel", "ziele", "netzwerk", "netzwerks",
    "partner", "partnern", "partnerin", "zusammenarbeit", "angebot", "angebote", "hilfe", "unterstützung",
    "menschen", "mensch", "leute", "person", "personen", "stadt", "kreis", "landkreis", "region", "ort", "gemeinde",
    "kommune", "quartier", "stadtteil", "viertel", "jahr", "monat", "woche", "anfang", "zahl", "anzahl", "prozent",
    "teil", "bereich", "thema", "sache", "goal", "goals", "network", "networks", "partners", "aim", "aims", "vision",
    "purpose", "people", "persons", "service", "services", "area", "town", "city", "borough", "county", "year",
    "years", "month", "months", "week", "weeks", "number", "rate", "share", "percent", "level", "levels", "want",
    "will", "should", "must", "more", "less", "better", "good", "well", "sure", "through", "across", "within",
    "between", "into", "onto", "from", "that", "this", "these", "those", "with", "without", "their", "they", "them",
    "where", "which", "about", "what", "when", "while", "every", "each", "other", "others", "local", "community",
    "communities", "januar", "februar", "märz", "april", "juni", "juli", "august", "september", "oktober",
    "november", "dezember", "frühjahr", "sommer", "herbst", "winter", "montag", "dienstag", "mittwoch", "donnerstag",
    "freitag", "samstag", "sonntag", "wochenende", "january", "february", "march", "may", "june", "july", "october",
    "december", "spring", "summer", "autumn", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "weekend",
))


@dataclass(frozen=True)
class Concepts:
    """The target groups ("t.") and fields ("f.") a text names; when it names neither, the stems of its content words
    ("l.") stand in as fields."""

    targets: frozenset[str]
    fields: frozenset[str]

    @property
    def empty(self) -> bool:
        """Whether the text names no target group and no field: it neither counts for nor against a shared goal."""
        return not self.targets and not self.fields


@dataclass(frozen=True)
class Agreement:
    """How far a network's statements share one goal: `support` of the `counted` statements pursue the best one."""

    support: int
    counted: int
    goal: tuple[str | None, str | None]

    @property
    def share(self) -> float:
        """The share of the counted statements that pursue the best shared goal (1.0 with fewer than two)."""
        return self.support / self.counted if self.counted >= 2 else 1.0


@dataclass(frozen=True)
class _Lexicon:
    """The lexicon's patterns, indexed: single words by exact form, beginning (by first two letters), end (by last
    two letters) or inside; phrases (patterns with a space) as one regex per concept."""

    exact: dict[str, set[str]]
    starts: dict[str, list[tuple[str, str]]]
    ends: dict[str, list[tuple[str, str]]]
    inside: list[tuple[str, str]]
    phrases: list[tuple[str, re.Pattern[str]]]

    def word(self, word: str) -> set[str]:
        """The concepts one word (lower case) names."""
        found = set(self.exact.get(word, ()))
        found.update(concept for part, concept in self.starts.get(word[:2], ()) if word.startswith(part))
        found.update(concept for part, concept in self.ends.get(word[-2:], ()) if word.endswith(part))
        found.update(concept for part, concept in self.inside if part in word)
        return found


@cache
def _lexicon() -> _Lexicon:
    lexicon = _Lexicon({}, {}, {}, [], [])
    for concept, patterns in (*TARGETS.items(), *FIELDS.items()):
        words = [one.strip() for one in patterns.split("|") if one.strip()]
        for one in (word for word in words if " " not in word):
            if one.startswith("*") and one.endswith("*"):
                lexicon.inside.append((one[1:-1], concept))
            elif one.endswith("*"):
                lexicon.starts.setdefault(one[:2], []).append((one[:-1], concept))
            elif one.startswith("*"):
                lexicon.ends.setdefault(one[-2:], []).append((one[1:], concept))
            else:
                lexicon.exact.setdefault(one, set()).add(concept)
        phrases = sorted((one for one in words if " " in one), key=len, reverse=True)
        if phrases:
            parts = ("[\\s-]+".join(re.escape(word).replace(r"\*", r"[\w-]*") for word in one.split(" "))
                     for one in phrases)
            lexicon.phrases.append((concept, re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])")))
    return lexicon


def language(text: str) -> str:
    """"de" or "en", by the function words the text uses (German when tied)."""
    words = [word.lower() for word in _WORD.findall(text)]
    german = sum(word in _DE_WORDS for word in words) + sum(char in "äöüß" for char in text.lower())
    return "en" if sum(word in _EN_WORDS for word in words) > german else "de"


@lru_cache(maxsize=8192)
def stem(word: str, lang: str) -> str:
    """A crude stem for comparing content words: lower case, umlauts folded, one common ending cut ("Mütter",
    "Mutter" -> "mutt"; "referrals" -> "referral"); enough for the fallback of bot.core.goal_concepts."""
    word = word.lower().translate(str.maketrans("äöüß", "aous"))
    for ending in _ENDINGS.get(lang, ()):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)] + ("y" if ending == "ies" else "")
    return word


@cache
def _broader(concept: str) -> frozenset[str]:
    found: set[str] = set()
    for parent in BROADER.get(concept, ()):
        found |= {parent, *_broader(parent)}
    return frozenset(found)


def _lower(text: str) -> str:
    """The text in lower case, character by character (so positions stay those of the text)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(char.lower()[:1] for char in text)
    return lowered.replace("’", "'").replace("–", "-")


def _mask(text: str) -> str:
    """The text in lower case with blanks for partners named after "gemeinsam mit"/"together with" (up to their
    noun) and for the lexicon's MASKS (places, states, agencies as actors); positions stay those of the text."""
    lowered = _lower(text)
    for found in _COMITATIVE.finditer(text):
        rest = text[found.end():]
        words = _WORD.findall(rest[:60])
        skip = next((at for at, word in enumerate(words[:4], start=1) if word[:1].isupper()), min(4, len(words)))
        end = len(rest[:60]) if not words else rest.find(words[skip - 1]) + len(words[skip - 1])
        comma = rest.find(",")
        end = min(end, comma) if comma >= 0 else end
        lowered = lowered[:found.start()] + " " * (found.end() + end - found.start()) + lowered[found.end() + end:]
    for mask in MASKS:
        lowered = re.sub(mask, lambda one: " " * len(one.group()), lowered)
    return lowered


def _ages(lowered: str) -> set[str]:
    """Target groups from ages ("unter 25", "Zwölfjährige", "aged 10-17", "over-70s") and school years."""
    found = set()
    spans: list[tuple[int, int]] = []
    for pattern in _AGE_RANGES:
        for match in pattern.finditer(lowered):
            numbers = [int(one) for one in match.groups() if one]
            spans.append((min(numbers), max(numbers)))
    spans += [(0, int(match.group(1)) - 1) for match in _UNDER_AGE.finditer(lowered)]
    spans += [(int(match.group(1)), 120) for match in _OVER_AGE.finditer(lowered)]
    spans += [(_AGE_WORDS[match.group(1)],) * 2 for match in _AGE_WORD.finditer(lowered)]
    for low, high in spans:
        if high <= 13:
            found.add("t.children")
        elif low >= 60:  # "über 70-Jährige", "over-65s"
            found.add("t.older")
        elif 14 <= high <= 27 and low <= 25:
            found.add("t.youth")
    if _UNDER_WORD.search(lowered):
        found.add("t.children")
    if _SCHOOL_YEAR.search(lowered):
        found.add("t.pupils")
    return found


def _stems(text: str, lang: str) -> frozenset[str]:
    """Stems of the content words (German: nouns, written with a capital, not first) the lexicon did not cover."""
    found = set()
    for position, word in enumerate(_WORD.findall(text)):
        if len(word) < 4 or any(char.isdigit() for char in word) or (lang == "de" and not word[:1].isupper()):
            continue
        if lang == "de" and position == 0 and text.lstrip().startswith(word):
            continue
        one = stem(word, lang)
        if one not in _STEM_STOP and word.lower() not in _STEM_STOP and len(one) >= 4:
            found.add("l." + one)
    return frozenset(found)


@lru_cache(maxsize=4096)
def concepts(text: str) -> Concepts:
    """The target groups and fields a goal statement names (stems of its content words when it names neither)."""
    lowered = _mask(text)
    spans: list[tuple[int, int, str]] = []
    lexicon = _lexicon()
    for match in _WORD.finditer(lowered):
        spans += [(match.start(), match.end(), concept) for concept in lexicon.word(match.group())]
    for concept, pattern in lexicon.phrases:
        spans += [(match.start(), match.end(), concept) for match in pattern.finditer(lowered)]
    taken: list[tuple[int, int]] = []
    found: set[str] = set()
    for start, end, concept in sorted(spans, key=lambda one: (one[0] - one[1], one[0])):  # longest first
        if all(end <= left or start >= right or (start, end) == (left, right) for left, right in taken):
            taken.append((start, end))
            found.add(concept)
    found |= _ages(lowered)
    targets = frozenset(one for one in found if one.startswith("t."))
    fields = frozenset(one for one in found if one.startswith("f."))
    if not fields and not targets:
        rest = "".join(" " if lowered[at] == " " else char for at, char in enumerate(text))
        fields = _stems(_blank_spans(rest, taken), language(text))
    return Concepts(targets, fields)


def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the given spans (of its masked, lowercased form: same positions) blanked out."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _fits(concept: str | None, named: frozenset[str]) -> bool:
    """Whether a statement that names `named` (none: any) pursues `concept` (None: any): the same concept, a narrower
    or broader one, or one under the same broader concept (children and their parents, both families)."""
    if concept is None or not named:
        return True
    if concept.startswith("l."):
        return any(one.startswith("l.") and (one == concept or _compound(one, concept)) for one in named)
    around = _broader(concept) | {concept}
    return any(around & (_broader(one) | {one}) for one in named)


def _compound(first: str, second: str) -> bool:
    """Whether one stem ends with the other, as a German compound ends with its head ("kühlfahrzeug", "fahrzeug")."""
    shorter, longer = sorted((first[2:], second[2:]), key=len)
    return len(shorter) >= 5 and longer.endswith(shorter)


def agreement(statements: list[Concepts]) -> Agreement:
    """The goal (target group, field) pursued by most statements: a statement pursues it when it names that target
    group or none, and that field or none (narrower and broader ones count). Statements naming nothing (actors such
    as employers and the network's own cooperation aside) are left out."""
    counted = [one for one in (Concepts(one.targets - ACTORS, one.fields) for one in statements)
               if one.targets or one.fields - PROCESS]
    targets: list[str | None] = [*sorted({one for statement in counted for one in statement.targets})] or [None]
    fields: list[str | None] = [*sorted({one for statement in counted for one in statement.fields})] or [None]
    best = Agreement(0, len(counted), (None, None))
    for target in targets:
        for field in fields:
            support = sum(1 for one in counted if _fits(target, one.targets) and _fits(field, one.fields))
            if support > best.support:
                best = Agreement(support, len(counted), (target, field))
    return best


def needed(counted: int, share: float) -> int:
    """How many of `counted` statements must share one goal: all but one (both of two), and at least `share` of
    them."""
    return max(counted - 1, 2 if counted >= 2 else counted, math.ceil(share * counted - 1e-9))


def diverge(statements: list[Concepts], share: float) -> tuple[bool, Agreement]:
    """Whether the statements diverge (fewer than `needed` share one goal), with the agreement found."""
    found = agreement(statements)
    return found.counted >= 2 and found.support < needed(found.counted, share), found
