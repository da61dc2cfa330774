"""Risk 1, vague or divergent goals: how concrete the partners' goal statements are and how much they overlap."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

from bot.core.history import AnswerFact, Evidence, History, Severity, Signal, Thresholds
from bot.core.risk_rules_common import Finding, RuleMeta, assemble, evidence, rounds_up_to

VAGUE = RuleMeta("vague_goals", 1, 2, "regulation")
DIVERGENT = RuleMeta("divergent_goals", 1, 2, "regulation")

# Vocabularies, German and English, lowercase. "*" stands for any further letters; a space for one space.
HEDGES = (
    "irgendwie", "mal schauen", "mal sehen", "mal gucken", "weiß nicht", "weiss nicht", "weiß ich nicht",
    "weiss ich nicht", "eventuell", "evtl", "vielleicht", "keine ahnung", "möglicherweise", "schwer zu sagen",
    "unklar", "to be seen", "not sure", "maybe", "somehow", "don't know", "dont know", "do not know", "no idea",
    "perhaps", "hard to say", "we'll see", "unclear",
)
TARGET_GROUPS = (
    "alleinerziehend*", "*eltern*", "famili*", "jugendlich*", "junge menschen", "junge erwachsene*",
    "*arbeitslos*", "klient*", "*kunden*", "kundin*", "frauen", "männer", "maenner", "mütter", "väter", "*kinder*",
    "geflüchtet*", "gefluechtet*", "flüchtling*", "migrant*", "zugewandert*", "senior*", "schüler*", "azubi*",
    "auszubildend*", "bewerber*", "arbeitsuchend*", "arbeitssuchend*", "leistungsberechtigt*", "leistungsbezieh*",
    "bedarfsgemeinschaft*", "teilnehmer*", "teilnehmend*", "zielgruppe*", "*wohnungslos*", "*obdachlos*",
    "verschuldet*", "überschuldet*", "suchtkrank*", "menschen mit", "personen mit", "ratsuchend*", "behindert*",
    "single parent*", "parent*", "famil*", "young people", "young adult*", "youth*", "*unemployed", "jobless",
    "client*", "customer*", "women", "men", "mothers", "fathers", "child*", "kids", "refugee*", "migrant*",
    "senior*", "pupil*", "student*", "trainee*", "job seeker*", "jobseeker*", "applicant*", "participant*",
    "target group*", "homeless", "benefit recipient*", "people with", "persons with",
)
ACTIONS = (
    "vermitt*", "berat*", "begleit*", "unterstütz*", "integr*", "fallkonferenz*", "*fallbesprechung*", "job*",
    "arbeit", "arbeitsplatz*", "arbeitsstelle*", "arbeitsaufnahme*", "arbeitsmarkt*", "*ausbildung*", "*platz",
    "*plätze*", "qualifi*", "coach*", "betreu*", "förder*", "unterbring*", "wohnung*", "entschuld*",
    "schuldenregulierung*", "weiterleit*", "zuweis*", "lots*", "aktivier*", "beschäftig*", "praktik*", "*kurs*",
    "therapie*", "behandl*", "abbau*", "senk*", "verkürz*", "anmeld*",
    "place*", "find*", "support*", "advis*", "advice", "refer*", "counsel*", "coach*", "train*", "integrat*",
    "work", "employ*", "internship*", "mentor*", "accompan*", "housing", "accommodat*", "enrol*", "register*",
    "case conference*", "reduc*", "shorten*", "match*",
)
MEASURES = (
    "prozent", "januar", "jänner", "februar", "märz", "maerz", "april", "mai", "juni", "juli", "august",
    "september", "oktober", "november", "dezember", "quartal*", "*jahr*", "jährlich*", "monat*", "woche*", "bis",
    "ende", "stichtag*", "frist*", "termin*", "pro", "mindestens", "anzahl", "hälfte", "verdoppel*", "zwei", "drei",
    "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "zwölf", "zwanzig", "hundert", "dutzend",
    "percent", "january", "february", "march", "june", "july", "october", "december", "quarter*", "year*",
    "month*", "week*", "by", "end of", "deadline", "per", "at least", "number of", "half", "double", "two", "three",
    "four", "five", "six", "seven", "eight", "nine", "ten", "twelve", "twenty", "hundred", "dozen",
)
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
STOP_WORDS = frozenset(word for line in _STOP_LINES for word in line.split())
ENDINGS = ("innen", "ungen", "ung", "en", "er", "es", "e", "n", "s")


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = (re.escape(word).replace(r"\*", r"\w*").replace(r"\ ", " ") for word in words)
    return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")(?![\w'])")


_HEDGE = _pattern(HEDGES)
_TARGET = _pattern(TARGET_GROUPS)
_ACTION = _pattern(ACTIONS)
_MEASURE = _pattern(MEASURES)
_WORD = re.compile(r"[\w']+")
_DEFAULT_MIN_WORDS = Thresholds().vague_min_words


def _words(text: str) -> list[str]:
    normal = text.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    return [word.strip("'") for word in _WORD.findall(normal) if word.strip("'")]


def vague_reasons(text: str, min_words: int = _DEFAULT_MIN_WORDS) -> list[str]:
    """Why a goal statement is vague: short, hedge, no_target_group, no_action, no_measure; [] when it is concrete."""
    words = _words(text)
    joined = " ".join(words)
    missing = [reason for reason, found in (
        ("no_target_group", _TARGET.search(joined)),
        ("no_action", _ACTION.search(joined)),
        ("no_measure", _MEASURE.search(joined) or any(char.isdigit() for char in text) or "%" in text),
    ) if not found]
    reasons = ["short"] if len(words) < min_words else []
    reasons += ["hedge"] if _HEDGE.search(joined) else []
    if reasons or len(missing) >= 2:
        return reasons + missing
    return []


def goal_words(text: str) -> frozenset[str]:
    """The content words of a goal statement, lowercased, without stop words, with common endings cut."""
    stems = set()
    for word in _words(text):
        if word in STOP_WORDS or (len(word) < 3 and not word.isdigit()):
            continue
        for ending in ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 4:
                word = word[: -len(ending)]
                break
        stems.add(word)
    return frozenset(stems)


def overlap(first: frozenset[str], second: frozenset[str]) -> float:
    """The Jaccard overlap of two word sets (0.0 when both are empty)."""
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def is_goal_statement(answer: AnswerFact) -> bool:
    """Whether an answer is a typed goal statement: a text answer about risk 1 (vague goals). A text about goals
    without that risk (e.g. "what is missing for a clear goal") is no statement of the goal."""
    return answer.risk == 1 and answer.kind == "text" and isinstance(answer.value, str) and bool(answer.value.strip())


def _statements(history: History, round_id: int) -> dict[int, dict[int, list[AnswerFact]]]:
    """Goal statements up to the round: organisation → round number → answers."""
    numbers = {facts.id: facts.number for facts in rounds_up_to(history, round_id)}
    found: dict[int, dict[int, list[AnswerFact]]] = defaultdict(lambda: defaultdict(list))
    for answer in history.answers:
        if answer.round_id in numbers and is_goal_statement(answer):
            found[answer.organisation_id][numbers[answer.round_id]].append(answer)
    return found


def _vague(answers: list[AnswerFact], round_number: int, min_words: int) -> list[Evidence]:
    found = []
    for answer in sorted(answers, key=lambda one: one.step_id):
        why = vague_reasons(str(answer.value), min_words)
        if why:
            found.append(evidence("vague_goal", round_number, answer.organisation_id, step=answer.step_id,
                                  text=str(answer.value), why=",".join(why)))
    return found


def vague_goals(history: History, round_id: int) -> list[Signal]:
    """Vague goal statements in this round; a warning when the partner's statement before was vague too."""
    thresholds = history.thresholds
    number = rounds_up_to(history, round_id)[-1].number
    findings: dict[int, Finding] = {}
    statements = _statements(history, round_id)
    total = sum(1 for by_round in statements.values() if number in by_round)
    for organisation, by_round in statements.items():
        now = _vague(by_round.get(number, []), number, thresholds.vague_min_words)
        if not now:
            continue
        finding = findings[organisation] = Finding("info", now)
        earlier = [one for one in by_round if one < number]
        before = _vague(by_round[max(earlier)], max(earlier), thresholds.vague_min_words) if earlier else []
        if before:
            finding.evidence[:0] = before
            finding.add("warning")
    return assemble(VAGUE, number, findings, total, thresholds.low_share, thresholds)


def divergent_goals(history: History, round_id: int) -> list[Signal]:
    """Partners' newest goal statements (within trend_rounds rounds) that hardly share words: a network signal."""
    thresholds = history.thresholds
    rounds = rounds_up_to(history, round_id)
    number = rounds[-1].number
    window = {facts.number for facts in rounds[-max(1, thresholds.trend_rounds):]}
    newest: dict[int, tuple[int, list[AnswerFact]]] = {}
    for organisation, by_round in _statements(history, round_id).items():
        recent = [one for one in by_round if one in window]
        if recent:
            newest[organisation] = (max(recent), by_round[max(recent)])
    words = {organisation: goal_words(" ".join(str(answer.value) for answer in answers))
             for organisation, (_, answers) in newest.items()}
    words = {organisation: found for organisation, found in words.items() if found}
    if len(words) < 2 or not any(newest[organisation][0] == number for organisation in words):
        return []
    pairs = list(combinations(sorted(words), 2))
    mean = sum(overlap(words[first], words[second]) for first, second in pairs) / len(pairs)
    if mean >= thresholds.goal_overlap:
        return []
    shown = (evidence("divergent_goals", number, None, overlap=round(mean, 3), statements=len(words)),
             *(evidence("goal_statement", newest[organisation][0], organisation, step=answer.step_id,
                        text=str(answer.value))
               for organisation in sorted(words) for answer in newest[organisation][1]))
    severity: Severity = "warning" if len(words) >= 3 else "info"
    return [Signal(DIVERGENT.rule, DIVERGENT.risk, DIVERGENT.factor, DIVERGENT.function, severity, (), shown, number)]
