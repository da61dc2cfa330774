"""`python -m bot demo` (and `python -m bot run` without a token): play the demo, print progress and the summary."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from bot.demo.clock import DemoError
from bot.demo.report import summary
from bot.demo.runner import run_demo


def quiet_logs() -> None:
    """Only warnings and errors besides the demo's own lines; none for the scheduler's skipped ticks (the demo's
    tick is shorter than a tick's work on purpose)."""
    root = logging.getLogger()
    root.setLevel(max(root.level, logging.WARNING))
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def demo_command(output: Path, rounds: int) -> int:
    """Run the demo into `output`; 0 when it ran to the end, 1 when it could not."""
    quiet_logs()
    try:
        result = asyncio.run(run_demo(output, rounds))
    except (DemoError, AssertionError) as error:
        print(f"The demo stopped: {error}", file=sys.stderr)
        return 1
    print()
    print("\n".join(summary(result.rounds)))
    print()
    print(f"Done in {result.seconds:.1f} s. Everything is in {output}/ (README.txt says what is where): transcripts/ "
          "(every chat), digests/ and charts/ (each round's digest), maps/ (the network map), report.pdf (/report).")
    return 0
