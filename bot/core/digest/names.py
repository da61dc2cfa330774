"""The names of success factors, risk factors, management functions and severities, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.history import Function, Severity, Signal

Gettext = Callable[[str], str]

SEVERITY_MARKERS: dict[Severity, str] = {"urgent": "🔴", "warning": "🟠", "info": "🔵"}


def factor_name(factor: int, _: Gettext) -> str:
    """The name of one of the 11 success factors (Reis); an unknown number gets a neutral label."""
    names = {
        1: _("Personal commitment"),
        2: _("Shared goals"),
        3: _("Visible benefit for each partner"),
        4: _("Binding commitments and reliability"),
        5: _("Clear task structure"),
        6: _("Network rules exist and are accepted"),
        7: _("Clear target-group focus"),
        8: _("Decision makers involved"),
        9: _("Autonomy of each partner preserved"),
        10: _("Advocacy inside the own organisation"),
        11: _("Connection to existing networks"),
    }
    return names.get(factor) or _("Success factor {number}").format(number=factor)


def risk_name(risk: int | None, _: Gettext) -> str:
    """The name of one of the 9 risk factors (Reis 2011); None is fading engagement."""
    if risk is None:
        return _("Fading engagement")
    names = {
        1: _("No shared goals, or only vague ones"),
        2: _("Empty, non-binding agreements"),
        3: _("Orientation on the existing offer instead of needs"),
        4: _("Little knowledge of the partners' tasks"),
        5: _("Unclear benefit"),
        6: _("Unclear future burden"),
        7: _("Insufficient resources"),
        8: _("Autonomy seems restricted"),
        9: _("Staff fluctuation in the member organisations"),
    }
    return names.get(risk) or _("Risk factor {number}").format(number=risk)


def function_name(function: Function, _: Gettext) -> str:
    """The name of a network management function (Selektion, Allokation, Regulation, Evaluation)."""
    names: dict[Function, str] = {
        "selektion": _("Selection"),
        "allokation": _("Allocation"),
        "regulation": _("Regulation"),
        "evaluation": _("Evaluation"),
    }
    return names[function]


def severity_name(severity: Severity, _: Gettext) -> str:
    """The word for how severe a signal is."""
    names: dict[Severity, str] = {"urgent": _("Urgent"), "warning": _("Warning"), "info": _("Info")}
    return names[severity]


def signal_topic(signal: Signal, _: Gettext) -> str:
    """What a signal is about, as the coordinator would put it on an agenda: its risk factor's name, or for a rule
    without a risk factor what is weak."""
    if signal.risk is not None or signal.rule == "fading_engagement":
        return risk_name(signal.risk, _)
    topics = {
        "leadership": _("Decision makers not on board"),
        "inner_advocacy": _("Network ideas do not reach the own organisations"),
        "parallel_structures": _("Parallel structures beside other networks"),
    }
    return topics.get(signal.rule) or _("Weak success factor: {factor}").format(factor=factor_name(signal.factor, _))
