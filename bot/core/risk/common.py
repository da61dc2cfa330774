"""Shared pieces of the risk rules: rounds up to a given one, evidence as data, and turning findings into signals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from bot.core.history import SEVERITIES, Evidence, Function, History, RoundFacts, Severity, Signal, Thresholds
from bot.core.script.model import Value

# Settings a network might want to change that Thresholds does not have yet (see the report / module docstring of
# bot.core.risk.rules); read through the functions below, so a field of the same name in Thresholds wins.
COLLAPSE_DROP = 3  # benefit collapsed: a fall by this many points to low_level or below (urgent)
COLLAPSE_SHARE = 0.5  # benefit collapsed: at least this share of the answering partners low in one round (urgent)
NETWORK_MIN_PARTNERS = 2  # a network-level signal needs at least this many affected partners ("several")
QUARTER_ROUNDS = 3  # the rounds of "a quarter" for new contact persons and network-level fluctuation

Param = str | int | float


def setting(thresholds: Thresholds, name: str, default: float) -> float:
    """A threshold by name: the network's own if Thresholds has the field, else the module default."""
    return float(getattr(thresholds, name, default))


def network_min(thresholds: Thresholds) -> int:
    """How many affected partners a network-level signal needs at least."""
    return int(setting(thresholds, "network_min_partners", NETWORK_MIN_PARTNERS))


@dataclass(frozen=True)
class RuleMeta:
    """What a rule's signals say besides severity, organisations and evidence."""

    rule: str
    risk: int | None
    factor: int
    function: Function


@dataclass
class Finding:
    """What a rule found about one organisation in one round, before it becomes a signal."""

    severity: Severity
    evidence: list[Evidence] = field(default_factory=list)
    risk: int | None = None  # overrides RuleMeta.risk for rules covering two risks

    def add(self, severity: Severity, *evidence: Evidence) -> None:
        """Raise the severity to at least `severity` and add evidence."""
        self.severity = worst(self.severity, severity)
        self.evidence.extend(evidence)


def evidence(code: str, round_number: int | None, organisation_id: int | None, **params: Param) -> Evidence:
    """An Evidence with its params in the order given."""
    return Evidence(code, round_number, organisation_id, tuple(params.items()))


def param_value(value: Value) -> Param:
    """An answer value as an evidence param: several choices joined by commas, a skipped answer as ""."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ",".join(str(one) for one in value)
    return value


def worst(*severities: Severity) -> Severity:
    """The most severe of the given severities."""
    return min(severities, key=SEVERITIES.index)


def current_round(history: History, round_id: int) -> RoundFacts:
    """The round with this id (KeyError if the history has none)."""
    return history.round(round_id)


def rounds_up_to(history: History, round_id: int) -> list[RoundFacts]:
    """The network's rounds up to and including this one, oldest first."""
    number = current_round(history, round_id).number
    return sorted((facts for facts in history.rounds if facts.number <= number), key=lambda facts: facts.number)


def is_falling(values: Sequence[float]) -> bool:
    """Whether each value is below the one before (at least two values)."""
    return len(values) >= 2 and all(later < earlier for earlier, later in pairwise(values))


def assemble(meta: RuleMeta, round_number: int, findings: Mapping[int, Finding], total: int, share: float,
             thresholds: Thresholds, *, force_network: bool = False, network_severity: Severity = "warning",
             extra: Iterable[Evidence] = (), affected: int | None = None) -> list[Signal]:
    """One signal per organisation, or one for the whole network when enough of the `total` partners are affected
    (`affected`: how many, if not every organisation with a finding counts)."""
    if not findings:
        return []
    affected = len(findings) if affected is None else affected
    network = force_network or (affected >= network_min(thresholds) and total > 0 and affected / total >= share)
    if network:
        severity = worst(network_severity, *(finding.severity for finding in findings.values()))
        found = [findings[organisation] for organisation in sorted(findings)]
        risks = {finding.risk for finding in found if finding.risk is not None}
        evidence_ = (evidence("share", round_number, None, affected=affected, total=total), *extra,
                     *(one for finding in found for one in finding.evidence))
        risk = min(risks) if risks else meta.risk
        return [Signal(meta.rule, risk, meta.factor, meta.function, severity, (), evidence_, round_number)]
    return [Signal(meta.rule, finding.risk if finding.risk is not None else meta.risk, meta.factor, meta.function,
                   finding.severity, (organisation,), tuple(finding.evidence), round_number)
            for organisation, finding in sorted(findings.items())]
