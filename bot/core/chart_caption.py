"""The digest chart's words: short factor names that fit a phone-wide picture, and the photo's caption (plain text,
in the reader's language): what stands out, what the chart shows and how to read it. Pure."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.chart_data import ChartData, distribution, partner_grid
from bot.core.digest.evidence import number
from bot.core.limits import utf16_len as utf16_length

Gettext = Callable[[str], str]
MonthOf = Callable[[str], str]

CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption
NOTABLE = 3  # drops or low factors named in the caption's first line, the rest counted


def short_factor_name(factor: int, _: Gettext) -> str:
    """A success factor's name in a word or two (the chart's rows); bot.core.digest.names has the full one."""
    names = {
        1: _("Commitment"),
        2: _("Goals"),
        3: _("Benefit"),
        4: _("Reliability"),
        5: _("Tasks"),
        6: _("Rules"),
        7: _("Target group"),
        8: _("Decision makers"),
        9: _("Autonomy"),
        10: _("Inner advocacy"),
        11: _("Other networks"),
    }
    return names.get(factor) or _("Success factor {number}").format(number=factor)


def _notable(data: ChartData, _: Gettext, lang: str) -> list[str]:
    """Named: who fell on which factor (before → now); otherwise how many rated which factor low."""
    if data.named:  # the lowest now first, then the deepest fall
        drops = sorted(((cell.level, cell.level - cell.before, name, state.factor, cell.before)
                        for name, row in partner_grid(data) for state, cell in zip(data.latest, row, strict=True)
                        if cell.before is not None and cell.level is not None), key=lambda drop: drop[:2])
        found = [_("{partner}: {factor} {before} → {now}").format(
                    partner=name, factor=short_factor_name(factor, _), before=number(before, lang),
                    now=number(now, lang)) for now, _fall, name, factor, before in drops]
        heading = _("Fell sharply")
    else:  # the most partners rating low first
        lows = sorted((one for one in distribution(data) if one.mean is not None and one.low),
                      key=lambda one: -one.low)
        found = [_("{factor}: {count}").format(factor=short_factor_name(one.factor, _), count=one.low)
                 for one in lows]
        heading = _("Rated low (partners)")
    if not found:
        return []
    items = "; ".join(found[:NOTABLE])
    if len(found) > NOTABLE:
        items = _("{items} and {count} more").format(items=items, count=len(found) - NOTABLE)
    return [_("{heading}: {items}.").format(heading=heading, items=items)]


def chart_caption(data: ChartData, _: Gettext, month: MonthOf, lang: str = "de") -> str:
    """The chart's caption in the reader's language (plain text, at most 1024 characters): what stands out, then how
    to read the picture. `month(period)` names a round's month ("März"), `lang` how numbers are written."""
    if not data.periods:
        return _("Success factors: no round yet.")
    now, low = month(data.periods[-1]), data.low_level
    lines = _notable(data, _, lang)
    if data.named:
        lines.append(_("Top: each partner's level of the success factors 1–11 in {month} (orange: low, 1–{low}; "
                       "black frame: fell since the answer before, before → now; –: no answer; a month under a "
                       "number: last asked then).").format(month=now, low=low))
    elif data.latest:
        lines.append(_("Top: how many partners rated each success factor low (orange, 1–{low}), middle (grey) or "
                       "high (blue), as last measured (a month in brackets: asked then); on the right the mean, ↓ how "
                       "many fell sharply. No partner is shown by name.").format(low=low))
    lines.append(_("Bottom: the network's mean per month; a number in an orange box: that many partners rated it "
                   "low; blank: not asked that month; last row: who answered."))
    if data.shown and data.shown[-1] == "nothing":
        lines.append(_("Too few partners answered in {month} to show anything of their answers (hatched).").format(
            month=now))
    # Telegram counts UTF-16 units; where the caption is too long, whole lines go from the end (how to read it),
    # never a name cut mid-word.
    while len(lines) > 1 and utf16_length("\n".join(lines)) > CAPTION_LIMIT:
        lines.pop()
    return "\n".join(lines)
