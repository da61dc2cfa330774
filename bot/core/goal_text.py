"""Goal statements as text (German, English): their language, word stems, and whether they name whom a goal is for,
a result an outsider can check and a time frame (bench/data/LABELLING.md; how and why in docs/SIGNALS.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.core.goal_concepts import concepts

_DE_NUMBER = (r"(?:(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)(?:und)?)?(?:zwanzig|dreißig|vierzig|fünfzig"
              r"|sechzig|siebzig|achtzig|neunzig)|(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn)?(?:hundert"
              r"|tausend)|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|dreizehn|vierzehn|fünfzehn"
              r"|sechzehn|siebzehn|achtzehn|neunzehn|million(?:en)?|milliarden?|dutzend")
_EN_NUMBER = (r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
              r"|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?"
              r"|thousands?|millions?|billions?|dozens?")
_DIGITS = r"\d+(?:[.,\s]\d{3})*(?:[.,]\d+)?"
_NUM = rf"(?:{_DIGITS}|{_DE_NUMBER}|{_EN_NUMBER})"
_NUM_OR_ONE = rf"(?:{_NUM}|eine[mnrs]?|ein|einigen|one|a|an|halbe[ns]?|half a|a half)"
_UNIT = (r"(?:(?:academic|school|program|programme|financial|fiscal|calendar) years?|schulhalbjahr\w*|terms?"
         r"|semesters?|tag|tage|tagen|tages|werktag\w*|ferientag\w*|schultag\w*|woche|wochen|monat|monate|monaten|monats"
         r"|quartal\w*|halbjahr\w*|jahr|jahre|jahren|jahres|jahrzehnt\w*|stunde|stunden|day|days|week|weeks"
         r"|fortnight\w*|month|months|quarter|quarters|year|years|decade|decades|hour|hours)")
_SHORT_UNIT = (r"(?:tag|tage|tagen|werktag\w*|woche|wochen|monat|monate|monaten|stunde|stunden|day|days|week|weeks"
               r"|month|months|hour|hours)")
_WEEKDAY = (r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|wochenende|monday|tuesday|wednesday"
            r"|thursday|friday|saturday|sunday|weekend)\w*")
_MONTH = (r"(?:januar|jänner|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember|january"
          r"|february|march|may|june|july|october|december)")
_SEASON = r"(?:frühjahr\w*|frühling\w*|sommer\w*|herbst\w*|winter\w*|spring|summer|autumn)"
_POINT = (rf"(?:jahresende|jahresmitte|jahresbeginn|jahreswechsel|quartalsende|monatsende|\w*schuljahr\w*|\w*jahr"
          rf"(?:es)?ende|kita-jahr\w*|kindergartenjahr\w*|haushaltsjahr\w*|\w*ferien|projektende|programmende"
          rf"|\w*laufzeit|förderperiode|förderzeitraum|wahlperiode|legislatur\w*|stichtag\w*|frist|ende|beginn|anfang"
          rf"|mitte|start|end|beginning|parliament|school year|financial year|academic year|ostern|pfingsten"
          rf"|weihnachten|easter|christmas|q[1-4]|kw\s?\d{{1,2}}|kalenderwoche \d{{1,2}}|{_MONTH}|{_SEASON})")
_EVENT = (r"(?:(?:start|beginn|anfang|ende|abschluss|eintritt) (?:der|des|in die|in den) (?:\w+ )?(?:schulzeit|schule"
          r"|grundschule|ausbildung|kita-zeit|kindergartenzeit|berufsausbildung)|einschulung|schuleintritt|schulstart"
          r"|schulbeginn|schulentlassung|geburt|geburtstag\w*|entlassung"
          r"|krankenhaus\w*|klinikaufenthalt\w*|ankunft|einreise|zuzug|antragstellung|gefährdungsmeldung|platzverweis"
          r"|kündigung|erstgespräch|beratungsgespräch|zuweisung|anmeldung|überweisung|haftentlassung|school entry"
          r"|starting school|school age|birth|birthday|discharge|hospital stay|admission|arrival|referral"
          r"|enrolment|enrollment|release from \w+|leaving care|leaving school|becoming (?:unemployed|homeless))")


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{one})" for one in patterns))


# A fixed rhythm: "jährlich", "pro Quartal", "every 6 months", "jeden Donnerstag", "montags".
_RHYTHM = _any(
    r"\b(?:halb|viertel)?(?:jährlich|monatlich|wöchentlich|täglich|werktäglich)\w*|\bquartalsweise\b"
    r"|\b(?:annual|annually|yearly|monthly|weekly|daily|quarterly|fortnightly|biannual\w*|biennial\w*|nightly)\b",
    rf"\b(?:pro|je|per|a|an|each|every|on alternate|alternate|jede[nmrs]?|jeweils|alle|im|in der|in the)\s+"
    rf"(?:(?:{_NUM}|other|second"
    rf"|zweite[nm]?)\s+(?:(?:bis|to|or|oder)\s+{_NUM}\s+)?)?(?:{_UNIT}|{_WEEKDAY})\b",
    rf"\b{_WEEKDAY}s\b",
)
# Spans that look like time, numbers or quantifiers but are none: hedges ("keine Ahnung"), the past ("seit 2015"),
# ceilings ("bis zu"), ages, school years and sections of law.
_NOT_TIME = _any(r"\b(?:keine ahnung|kein plan|no idea|not sure|weiß nicht|weiss nicht|don't know)\b",
                 rf"\b(?:kinder\w*|jugendliche\w*|menschen|personen|frauen|männer|children|people|adults?|women|men)"
                 rf" (?:unter|über|ab|bis|under|over|aged) (?:{_NUM}) (?:jahren|jahre|years)\b",
                 r"\b(?:seit|since)\b(?:\s+[\w.,/-]+){1,4}", r"\bbis zu\b", r"\bup to\b",
                 r"(?<![\d.,])\d{1,2}(?:\s*(?:-|bis|to|und|and)\s*(?:unter\s*)?\d{1,2})?[\s-]*(?:jährig\w*|year[\s-]"
                 r"olds?|years? old|jahre alt)", r"\b\w+jährig\w*",
                 r"(?:im alter von|alter von|(?<!by )aged?|(?<!by )the age of|ages of)\s*\d{1,2}"
                 r"(?:\s*(?:-|bis|to|and|und)\s*\d{1,2})?(?:\s*(?:jahren|jahre|years))?",
                 r"\b(?:u|unter|under|über|over)[\s-]?\d{1,2}s?\b(?![.,]\d|\s*%"
                 rf"|\s*(?:prozent|per|{_SHORT_UNIT}))", r"\b\d{2}\s*(?:to|-|bis)\s*\d{2}s\b",
                 r"§+\s*\d+\w*", r"\bsgb[\s-]*[ivx]+\b",
                 r"\b(?:klasse|klassenstufe|jahrgangsstufe|year|grade|stufe|level|key stage|phase|tier)\s*\d{1,2}\b",
                 r"\b\d{1,2}\.\s*klass\w*", r"\b\d+(?:st|nd|rd|th)[\s-]grade\w*")
_TIME = _any(
    r"(?<![\d.,/§])(?:19[5-9]\d|20\d\d)(?:\s*[/-]\s*(?:20)?\d\d)?(?![\d.,]?\d)",  # years, school years
    r"\b\d{1,2}\.\s?\d{1,2}\.(?:\s?\d{2,4})?",
    rf"\b\d{{1,2}}(?:\.|st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b", rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b",
    rf"\b(?:bis|ab|im|in|vor|nach|anfang|ende|mitte|by|until|till|before|from|early|late|mid)(?:\s+(?:zum|zur"
    rf"|spätestens|dem|der|den|des|the|this|next|nächsten|kommenden|end of|beginning of|start of))*[\s-]+(?:{_MONTH}"
    rf"|{_SEASON})\b",
    rf"\b(?:bis|spätestens|by|until|till|before|no later than|zum|zur|am|nach|vor|after|at the|in the)\s+(?:(?:zum"
    rf"|zur|dem|der|den|des|the|this|that|spätestens|end|ende|anfang|mitte|beginn|beginning|start|of)\s+){{0,3}}"
    rf"(?:[\w-]+\s+){{0,2}}?{_POINT}\b",
    r"\b(?:(?:noch\s+)?in diesem (?:jahr|monat|quartal|schuljahr)|dieses jahr|im (?:nächsten|kommenden|laufenden)"
    r" (?:jahr|monat|quartal|halbjahr|schuljahr|schulhalbjahr)|in der (?:nächsten|kommenden) woche|nächste woche"
    r"|nächstes jahr|folgewoche"
    r"|folgemonat|im laufe des (?:jahres|monats|quartals|schuljahres)|this (?:year|month|quarter|term)|next (?:year"
    r"|month|quarter|term)|(?:over|in|within|during) the (?:next|coming) (?:year|month|week|quarter|decade))\b",
    # durations after a preposition of time ("innerhalb von sechs Monaten", "in the next three months")
    rf"\b(?:innerhalb|binnen|within|in|über|over|für|for|während|during|nach|after|vor|before|spätestens|no later"
    rf" than|no longer than|unter|under|weniger als|less than|höchstens|maximal)\s+(?:(?:von|of|eines|einer|einem"
    rf"|einen|der|den|des|the|a|an|next|nächsten|kommenden|coming|ersten|first|following|folgenden|zeitraum von"
    rf"|period of|spätestens|reaching)\s+){{0,3}}(?:{_NUM_OR_ONE}\s*(?:-|bis|to|oder|or)\s*)?{_NUM_OR_ONE}"
    rf"[\s-]+{_UNIT}\b",
    rf"\b{_NUM}\s*(?:(?:-|bis|to)\s*{_NUM}\s*)?[\s-]*{_UNIT}\s+(?:nach|vor|after|before|of|from)\b",
    _RHYTHM.pattern,
    # a point in each person's case: "nach der Geburt", "at school entry", "by age 5", "from your 18th birthday"
    rf"\b(?:nach|vor|bei|ab|bis zu[mr]|zu[mr]|noch (?:im|in|während)|während|after|before|at|upon|on|by|from"
    rf"|until)\s+(?:(?:dem|der|den|des|einem|einer|ihrer|seiner|ihrem|seinem|jedem|jeder|the|a|an|their|his|her"
    rf"|your|each|every|time of|the time of)\s+)?(?:[\w-]+\s+)?{_EVENT}\b",
    r"\bby (?:the )?(?:age|time (?:you|they|he|she|children|a child) (?:are|is|turn|reach)\w*)(?: of)? \d+",
    r"\b(?:reach\w*|erreich\w*) (?:the )?(?:school age|schulalter|age \d+)",
    r"\bby (?:the end of )?(?:\w+ )?(?:grade|primary school|reception|secondary school)\b",
    r"\bby the time (?:\w+ ){1,3}(?:reach|enter|start|finish|leave|turn)\w*\b",
    # a period given for the task itself: "two years to complete", "sechs Monate Zeit, um"
    rf"\b{_NUM_OR_ONE}[\s-]+{_UNIT}\s+(?:to|in which to|zeit,? um|zeit zum|um)\b",
    r"\b(?:bis|zum) (?:zum )?(?:ende der )?(?:\d+\.|\w+) klasse\b|\bbis (?:zum )?(?:ende der )?grundschul\w*",
)
_QUANTITY = _any(
    r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w]*\.\d)", r"(?<![\w.,])\d{1,3}(?:\.\d{3})+(?![.,]?\d)",
    rf"\b(?:{_DE_NUMBER}|{_EN_NUMBER})\b", r"\d\s*%",
    r"\b(?:doppelt|dreimal|halb|viermal) so (?:viele|viel|hoch|groß)\b",
    r"\b(?:prozent\w*|percent\w*|per cent|percentage points?|prozentpunkt\w*)\b",
    r"\b(?:hälfte|halbier\w*|verdoppel\w*|verdreifach\w*|drittel|fünftel|zehntel|halve[sd]?|halving|half"
    r"|doubl\w+|double|tripl\w+|a third|one third|by a third|one in \w+|zwei\w*mal|drei\w*mal|vier\w*mal|\w+fach"
    r"|twice|\w+ times)\b",
    r"\b(?:mindestens|höchstens|maximal|at least|at most|no more than|(?:je|jeweils))"
    r" (?:ein|eine[nmrs]?|one|a single)\b",
    r"\b(?:durchschnitt\w*|average|baseline)\b", r"\b(?:to|auf) (?:zero|null)\b",
)
_CEILING = re.compile(rf"\b(?:bis zu|up to|maximal|maximum of)\s+(?:rund |etwa |ca\. |about )?{_NUM}")
_QUANTIFIER = re.compile(r"\b(?:jede[rsmn]?|alle[nrs]?|sämtliche[nr]?|kein(?:e[rsmn]?)?|niemand|keiner|every\w*"
                         r"|each|all|no one|nobody|none of|no (?!longer|more|matter|doubt)\w+)\b"
                         r"(?! (?:respect|respects|hinsicht|regard|sense|kind|kinds|sorts|forms|levels|areas|ways)\b)")
_DONE = re.compile(
    r"\b(?:eröffn\w*|\w*eingerichtet|ein(?:zu)?richten|richte[nt]? \w+ \w* ?ein|errichte\w*|gegründet|gründe\w*"
    r"|abgeschlossen|ab(?:zu)?schließen|schließt \w+ \w* ?ab|unterzeichn\w*|vor(?:zu|ge)?leg\w*|vor(?:zu|ge)?stell\w*"
    r"|veröffentlich\w*|beschließ\w*|beschlossen|entscheid\w*|entschieden|ein(?:zu|ge)?führ\w*|umgesetzt"
    r"|umzusetzen|umsetzung|implementier\w*|erstell\w*|bereit(?:zu|ge)?stell\w*|zur verfügung|statt(?:zu)?find\w*"
    r"|findet \w+|statt|tagt|tagen|zusammen(?:zu)?treten|tritt \w* ?zusammen|lädt|laden \w+ ein|eingeladen"
    r"|\w*besuch\w*|aufgesucht|bietet|bieten|an(?:zu)?bieten|angeboten|vergibt|vergeben|\w*bericht\w*|werten"
    r"|ausgewertet|auswert\w*|überprüf\w*|fortgeschrieben|fortzuschreiben|fortschreiben|starten|startet"
    r"|in betrieb|besetz\w*"
    r"|durchgeführt|durchführ\w*|führt \w+ durch|teilnehm\w*|nehmen \w+ teil|teilnahme|vereinbart|erhalten|erhält"
    r"|bekommen|bekommt|publish\w*|sign\w*|open\w*|launch\w*|establish\w*|set up|introduc\w*|implement\w*"
    r"|submit\w*|report\w*|meet|meets|held|hold|holds|convene\w*|invite\w*|visit\w*|deliver\w*|assign\w*"
    r"|allocat\w*|match\w*|adopt\w*|complet\w*|provide[sd]?|offer|offers|offered|consult\w*|receive[sd]?|in place"
    r"|end|ends|ended|ending|close|closed|beenden|beendet|abschaffen|abgeschafft|etablier\w*|überwind\w*|überwunden"
    r"|fertig\w*|vollend\w*|erarbeit\w*|in kraft|\w*neutral|\w{4,}frei|\w{4,}freiheit|\w+-free|eliminat\w*"
    r"|rechtsanspruch\w*|legal entitlement|leg(?:t|en) [^.]{0,60}\bvor)\b")
# A passive or a perfect that says something will be done: "neu formuliert werden", "werden ... getrennt", "will be
# completed"; it is a result unless the verb only gives a direction ("verbessert werden", "be improved").
_PASSIVE = _any(r"\b(\w*ge\w{2,}(?:t|en)|\w{3,}iert)\s+(?:werden|worden|sein)\b",
                r"\b(?:werden|wird)\b[^,;:]*?\b(\w*ge\w{2,}(?:t|en)|\w{3,}iert)\s*[.!]?\s*$",
                r"\b(?:will|shall|must|should|are to|is to|to|has to|have to) be (?:\w+ly )?(\w{3,}ed)\b")
_DIRECTION = re.compile(
    r"\b(?:verbesser\w*|besser\w*|\w*stärk\w*|förder\w*|gefördert|unterstütz\w*|ausbau\w*|ausgebaut|ausweit\w*"
    r"|ausgeweitet|erhöh\w*|steiger\w*|senk\w*|verringer\w*|reduzier\w*|weiterentwickel\w*|optimier\w*"
    r"|sensibilisier\w*|intensivier\w*|voran\w*|ermöglich\w*|verstetig\w*|mehr|weniger|schneller|früher|effektiver"
    r"|möglichst|bekannter|anpass\w*|angepasst|entgegen\w*|helfen|hilft|begleit\w*|improv\w*|better|strengthen\w*"
    r"|support\w*|promot\w*|foster\w*|enhanc\w*|increas\w*|reduc\w*|awareness|encourag\w*|enabl\w*|help\w*|more"
    r"|fewer|less|expand\w*|develop(?:s|ed|ing)?|boost\w*|tackl\w*|further|empower\w*"
    # commitments to see to something rather than to a result one could check
    r"|sicher(?:zu|ge)?stell\w*|gewährleist\w*|ein(?:zu|ge)?leit\w*|anerkann\w*|anerkenn\w*|berücksichtig\w*"
    r"|ensur\w*|recogni[sz]\w*|initiat\w*|consider\w*|address\w*)\b")
# Vague amounts: no checkable result without a number.
_VAGUE_AMOUNT = re.compile(r"\b(?:some|etwas|einige[nm]?|many|viele[nm]?|a lot|lots|mehrere[nm]?|various)\b")
_PERSONAL = re.compile(r"\b(?:ich|wir|mein\w*|unser\w*|uns|i|we|my|our|us|me|you|your|du|dein\w*|euer|eure\w*)\b")
_NOBODY = re.compile(r"\b(?:everyone|everybody|society|individuals|gesellschaft\w*|jedermann|alle menschen"
                     r"|die menschen|europe|europa|the world|die welt)\b")
_WORD = re.compile(r"[\w'-]+")


@dataclass(frozen=True)
class Parts:
    """Which of the three parts of a concrete goal a statement names."""

    whom: bool
    result: bool
    time: bool


def _normal(text: str) -> str:
    return " " + text.lower().replace("’", "'").replace("–", "-").replace("—", "-").replace("\u00a0", " ") + " "


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    """The text with the pattern's matches replaced by spaces (positions kept)."""
    return pattern.sub(lambda found: " " * len(found.group()), text)


@lru_cache(maxsize=4096)
def parts(text: str) -> Parts:
    """Whom, a checkable result and a time frame: which of them the statement names (see docs/SIGNALS.md)."""
    normal = _blank(_normal(text), _NOT_TIME)
    time = bool(_TIME.search(normal))
    rest = _blank(_blank(_blank(_normal(text), _CEILING), _NOT_TIME), _TIME)
    bound = re.search(rf"\b(?:spätestens|no later than|no longer than|unter|under|höchstens|at most|maximal|binnen"
                      rf"|within|innerhalb(?: von)?)\s+(?:von\s+|of\s+)?{_NUM_OR_ONE}[\s-]+{_SHORT_UNIT}\b", normal)
    directed = bool(_DIRECTION.search(rest)) or bool(_VAGUE_AMOUNT.search(rest))
    rhythm = bool(_RHYTHM.search(normal))
    counted = bool(_QUANTITY.search(rest)) or bool(bound)
    capped = bool(_CEILING.search(_normal(text)))  # "bis zu 4.000 Stellen": a ceiling alone is no target
    passive = any(participle and not _DIRECTION.fullmatch(participle)
                  for found in _PASSIVE.finditer(rest) for participle in found.groups())
    result = counted or (not capped and (
        ((bool(_DONE.search(rest)) or (passive and not directed)) and not _VAGUE_AMOUNT.search(rest))
        or (not directed and (bool(_QUANTIFIER.search(rest)) or rhythm))))
    found = concepts(text)
    named = bool(found.targets) or bool(_PERSONAL.search(normal))
    whom = named or (not _NOBODY.search(normal) and bool(found.fields))
    return Parts(whom, result, time)


def missing(text: str, min_words: int) -> list[str]:
    """What a goal statement misses of "whom", "result", "time" (in this order); [] when it is concrete. Whom is
    reported only beside another missing part (it is lenient: "we", "my savings" count). A statement of fewer than
    `min_words` words must name whom explicitly and, when it seems complete, misses a describable result."""
    found = parts(text)
    short = len(_WORD.findall(text)) < min_words
    lacks = [name for name, there in (("result", found.result), ("time", found.time)) if not there]
    whom = found.whom and not (short and not concepts(text).targets and not _PERSONAL.search(_normal(text)))
    if lacks and not whom:
        lacks.insert(0, "whom")
    if short and not lacks:
        lacks = ["whom"] if not whom else ["result"]
    return lacks
