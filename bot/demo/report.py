"""The demo's results: each round's outcome and signals, the summary it prints, and the output folder's README."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.demo.personas import COORDINATOR, EXPECTED_SIGNALS, NETWORK_NAME, PARTNERS, SUCCESSORS


@dataclass(frozen=True)
class SignalLine:
    """One risk signal of a round: the rule's id, how severe, the organisations (none: the whole network)."""

    rule: str
    severity: str
    organisations: tuple[str, ...]

    def text(self) -> str:
        """"vague_goals (warning, AWO Kreisverband Musterstadt)"."""
        return f"{self.rule} ({self.severity}, {', '.join(self.organisations) or 'network'})"


@dataclass(frozen=True)
class RoundOutcome:
    """What one round gave: answers, the signals the rules found, the digest texts and where they were saved."""

    number: int
    period: str  # "2027-01"
    month: str  # "Januar 2027"
    answered: int
    total: int
    signals: tuple[SignalLine, ...]
    digest: list[str]
    digest_path: Path
    chart_path: Path | None

    @property
    def rules(self) -> frozenset[str]:
        """The ids of the rules that fired."""
        return frozenset(line.rule for line in self.signals)

    @property
    def as_intended(self) -> bool:
        """Whether exactly the signals fired that the personas were built to cause (True beyond the plan)."""
        expected = EXPECTED_SIGNALS.get(self.number)
        return expected is None or self.rules == expected


def summary(rounds: Sequence[RoundOutcome]) -> list[str]:
    """The signals per round, one line each, marking a round whose signals differ from the plan."""
    lines = ["Signals per round (rule ids, as the bot's rules found them):"]
    for outcome in rounds:
        found = ", ".join(line.text() for line in outcome.signals) or "none"
        mark = "" if outcome.as_intended else "   <- differs from the plan: " + ", ".join(
            sorted(EXPECTED_SIGNALS.get(outcome.number, frozenset())))
        lines.append(f"  {outcome.number} {outcome.month} ({outcome.answered} of {outcome.total} answered): "
                     f"{found}{mark}")
    return lines


def write_readme(output: Path, rounds: Sequence[RoundOutcome], files: Sequence[Path]) -> Path:
    """README.txt: what the demo played, what each folder holds, and the signals per round."""
    people = [f"  {COORDINATOR.name} (coordinator): {COORDINATOR.about}"]
    people += [f"  {p.organisation} – {p.name}: {p.about}" for p in (*PARTNERS, *SUCCESSORS)]
    pictures = sorted(str(path.relative_to(output)) for path in files if path.parent.name in ("pictures", "files"))
    text = "\n".join([
        f"Netzpuls offline demo: {NETWORK_NAME}",
        "",
        "The real bot ran against a local Telegram Bot API server (127.0.0.1, no network) on a simulated clock.",
        f"A coordinator and {len(PARTNERS)} partner organisations took part in {len(rounds)} monthly rounds through "
        "their chats,",
        "each partner with its own behaviour:",
        "",
        *people,
        "",
        "What is here:",
        "  transcripts/   every chat, message by message with date and time, the buttons the bot showed and what",
        "                 the person tapped ([label]) or wrote",
        "  digests/       the digest the coordinator received when each round closed (<round>-<month>.txt)",
        "  charts/        the chart that came with each digest (<round>-<month>.png)",
        "  maps/          the network map (picture and text) when the bot sent one (<round>-<month>.png/.txt)",
        "  pictures/      any other picture the bot sent, named by round and chat",
        "  files/         any file the bot sent (e.g. an export)",
        "  report.pdf     the report of the months played, as the coordinator got it with /report (German)",
        "  netzpuls-demo.db  the bot's SQLite database after the run",
        "",
        *summary(rounds),
        "",
        *(["Other pictures and files:", *(f"  {name}" for name in pictures), ""] if pictures else []),
    ])
    path = output / "README.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path
