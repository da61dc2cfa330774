"""The soak's report: each figure beside its goal, then what lies behind the figures."""

from __future__ import annotations

import resource
from typing import TYPE_CHECKING

from bench._soak_tally import Tally, table

if TYPE_CHECKING:
    from bench.soak import Soak


def report(soak: Soak, tally: Tally, wall: float) -> str:
    """The table of figures and goals, and the lines below it."""
    results = soak.bot.results if soak.bot else []
    peak = max((int(r["peak_rss_kib"]) for r in results), default=0)
    handled = sum(int(r["updates"]) for r in results)
    pushed = soak.chats.pushed if soak.chats else 0
    unhandled_updates = max(0, pushed - handled)
    injected = dict(sorted(soak.api.injected.items()))
    lost = tally.lost + unhandled_updates
    rows = [
        ("messages lost", str(lost), "0"),
        ("  queued messages never delivered (queued, sending or failed at the end)", str(tally.lost_outbox), "0"),
        ("  marked sent in the outbox, not in the chat", str(tally.lost_in_server), "0"),
        ("  partners (not paused) without a prompt of an opened round", str(tally.missing_prompts), "0"),
        ("  answers a partner gave that are not stored", str(tally.lost_answers), "0"),
        ("  updates (taps, texts) the bot never handled", str(unhandled_updates), "0"),
        ("  check-ins a partner gave up: no question after 4 tries", str(tally.stuck), "0"),
        ("duplicates", str(tally.duplicates), "0"),
        ("  a prompt or reminder twice in one chat", str(tally.dup_round), "0"),
        ("  another queued message twice in one chat (digest, feedback, ...)", str(tally.dup_other), "0"),
        ("  an answer stored twice for one check-in step", str(tally.dup_answers), "0"),
        ("resent after Telegram took a message and its answer was lost in flight", str(tally.dup_in_flight), "—"),
        ("unhandled errors", str(tally.errors + tally.admin_reports), "0"),
        ("  records at ERROR or above in the bot's log", str(tally.errors), "0"),
        ("  error reports to the admin", str(tally.admin_reports), "0"),
        ("peak memory: the bot process's VmHWM, MiB (largest of its processes)", f"{peak / 1024:.0f}", "—"),
        ("wall time, s", f"{wall:.0f}", "—"),
        ("updates handled by the bot", str(handled), "—"),
        ("answers stored", str(tally.answers), "—"),
        ("messages the bot sent (accepted by the server)", str(tally.messages), "—"),
        ("faults injected (and bot restarts)", f"{sum(injected.values())} (+{soak.restarts})", "—"),
    ]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    lines = [
        table(rows), "",
        f"faults by kind: {injected}; bot restarts (SIGTERM, start on the same database): {soak.restarts}; 429s "
        f"for the scaled limits themselves (not injected): {soak.api.throttled}",
        f"duplicates by the fault the earlier copy met: {dict(tally.dup_after)}; the bot had counted "
        f"{tally.dup_explained} of them itself (uncertain after a timeout, or in flight at a stop)",
        f"replies with buttons (questions) shown twice in a chat: {tally.dup_replies} (not in the figure above: "
        f"some are the partners' own /checkin after no answer came, {soak.ledger.counts['retry_checkin']} of those)",
        f"outbox rows by kind/status: {dict(sorted(tally.outbox.items()))}",
        f"partners: {dict(sorted(soak.ledger.counts.items()))}; updates they made {pushed}; check-ins "
        f"{tally.checkins}; edits by the bot {tally.edits}; buttons gone before the tap "
        f"{soak.chats.gone if soak.chats else 0}",
        f"bot processes: {len(results)}; peak RSS MiB {[round(int(r['peak_rss_kib']) / 1024) for r in results]}; "
        f"CPU s {[round(float(r['cpu_seconds'])) for r in results]}; outbox sender {[r['sender'] for r in results]}",
        f"this process (server and partners): peak RSS {own / 1024:.0f} MiB; waits for the bot that timed out: "
        f"{soak.settle_timeouts}",
    ]
    lines.append(f"the bot's peak RSS rose (by more than 10 MiB) in: {'; '.join(soak.peak_rises) or '—'}")
    lines += [f"error x{count}: {kind}" for kind, count in tally.error_kinds.most_common(12)]
    lines += [f"stuck: {line}" for line in soak.ledger.stuck[:5]]
    if soak.ledger.failures:  # not the bot's: the partners' simulation raised; their figures are incomplete
        lines += [f"SIMULATION ERRORS (the soak's own, not the bot's): {len(soak.ledger.failures)}"]
        lines += [f"  {line}" for line in soak.ledger.failures[:5]]
    return "\n".join(lines)
