"""What changed between two versions of a check-in script, as short plain-text lines for an admin about to publish."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.flow import describe
from bot.core.script.model import Option, Rule, Script, Step, Texts

LINE = 160  # the longest line; longer texts are shortened with "…"
SHORT = 60  # how much of a text one side of a line shows
CONTEXT = 12  # unchanged characters kept in front of a change inside a long text
NO_CHANGES = "no changes"


def diff_scripts(old: Script, new: Script) -> list[str]:
    """One line per change from `old` to `new`: header first, then the steps in the new order; or "no changes"."""
    lines = _header(old, new) + _steps(old, new)
    if not lines:  # equal apart from the version
        return [NO_CHANGES]
    version = [f"~ version {old.version} → {new.version}"] if old.version != new.version else []
    return [_cap(line) for line in version + lines]


def _header(old: Script, new: Script) -> list[str]:
    """Script id, title, intro and outro texts, then the languages added, removed or reordered."""
    lines = [f"~ id {old.id} → {new.id}"] if old.id != new.id else []
    shared = [lang for lang in new.languages if lang in old.languages]  # other languages: one line each
    for name, before, after in (("title", old.title, new.title), ("intro", old.intro, new.intro),
                                ("outro", old.outro, new.outro)):
        lines += _texts(f"~ {name}", before, after, shared)
    lines += _modules(old, new)
    lines += [f"+ language {lang}" for lang in new.languages if lang not in old.languages]
    lines += [f"- language {lang}" for lang in old.languages if lang not in new.languages]
    if set(old.languages) == set(new.languages) and old.languages != new.languages:
        lines.append(f"~ languages {', '.join(old.languages)} → {', '.join(new.languages)}")
    return lines


def _steps(old: Script, new: Script) -> list[str]:
    """The order line, then each step of the new script; a removed step follows the step it used to follow."""
    old_ids, new_ids = [step.id for step in old.steps], [step.id for step in new.steps]
    kept_old = [step_id for step_id in old_ids if step_id in new_ids]
    kept_new = [step_id for step_id in new_ids if step_id in old_ids]
    lines = [f"  step order changed: {_order(kept_old, kept_new, len('  step order changed: '))}"] \
        if kept_old != kept_new else []
    removed: dict[str | None, list[Step]] = {}
    anchor: str | None = None
    for step in old.steps:
        if step.id in new_ids:
            anchor = step.id
        else:
            removed.setdefault(anchor, []).append(step)
    lines += [f"- step {step.id} ({step.kind})" for step in removed.get(None, [])]
    shared = [lang for lang in new.languages if lang in old.languages]
    for step in new.steps:
        lines += _step(old.step(step.id), step, shared) if step.id in old_ids else [_added(step)]
        lines += [f"- step {gone.id} ({gone.kind})" for gone in removed.get(step.id, [])]
    return lines


def _added(step: Step) -> str:
    """An added step: kind, factor, risk and the start of its German text."""
    info = [step.kind] + [f"{name} {value}" for name, value in (("factor", step.factor), ("risk", step.risk)) if value]
    return f'+ step {step.id} ({", ".join(info)}): "{_short(_german(step.text), SHORT)}"'


def _step(before: Step, after: Step, langs: Sequence[str]) -> list[str]:
    """The changes of one step that both versions have; fields the new kind does not use are left out."""
    head = f"~ step {after.id}:"
    lines = [f"{head} kind {before.kind} → {after.kind}"] if before.kind != after.kind else []
    lines += _texts(f"{head} text", before.text, after.text, langs)
    lines += _values(head, [("factor", before.factor, after.factor), ("risk", before.risk, after.risk),
                            ("module", before.module, after.module)])
    if after.kind == "scale":
        lines += _texts(f"{head} low", before.low, after.low, langs)
        lines += _texts(f"{head} high", before.high, after.high, langs)
        lines += _values(head, [("dont_know", before.dont_know, after.dont_know)])
    elif after.kind == "choice":
        lines += _values(head, [("multiple", before.multiple, after.multiple)])
        lines += _options(head, before.options, after.options, langs)
    elif after.kind == "text":
        lines += _values(head, [("max_length", before.max_length, after.max_length),
                                ("optional", before.optional, after.optional)])
    elif after.kind == "number":
        lines += _values(head, [("min", before.minimum, after.minimum), ("max", before.maximum, after.maximum)])
    if before.rules != after.rules:
        lines.append(_change(f"{head} next", _flow(before.rules), _flow(after.rules), "value types only"))
    return lines


def _modules(old: Script, new: Script) -> list[str]:
    """Rotation modules added, removed, or shown in other rounds."""
    before = {module.id: module for module in old.modules}
    after = {module.id: module for module in new.modules}
    lines = [f"+ module {m.id} (every {m.every} rounds, offset {m.offset})" for m in new.modules if m.id not in before]
    lines += [f"- module {m.id}" for m in old.modules if m.id not in after]
    for module in new.modules:
        was = before.get(module.id)
        if was is not None and (was.every, was.offset) != (module.every, module.offset):
            lines.append(f"~ module {module.id}: every {was.every}, offset {was.offset} → every {module.every}, "
                         f"offset {module.offset}")
    return lines


def _values(head: str, values: list[tuple[str, object, object]]) -> list[str]:
    """A line per changed plain value: "factor 3 → 4", "optional true → false", "risk 5 → none"."""
    return [f"{head} {name} {_show(before)} → {_show(after)}" for name, before, after in values if before != after]


def _show(value: object) -> str:
    """A plain value as the YAML file spells it."""
    return "none" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _options(head: str, before: tuple[Option, ...], after: tuple[Option, ...], langs: Sequence[str]) -> list[str]:
    """Options added, removed, re-labelled, given a new id (same texts) or put in another order."""
    old_by_id = {option.id: option for option in before}
    new_ids = {option.id for option in after}
    gone = [option for option in before if option.id not in new_ids]
    lines: list[str] = []
    for option in after:
        if option.id in old_by_id:
            lines += _texts(f"{head} option {option.id}", old_by_id[option.id].text, option.text, langs)
            continue
        twin = next((old for old in gone if all(old.text.get(x) == option.text.get(x) for x in langs)), None)
        if twin is not None:
            gone.remove(twin)
            lines.append(f"{head} option {twin.id} renamed to {option.id}")
        else:
            lines.append(f'{head} option {option.id} added "{_short(_german(option.text), SHORT)}"')
    lines += [f"{head} option {option.id} removed" for option in gone]
    kept_old = [option.id for option in before if option.id in new_ids]
    kept_new = [option.id for option in after if option.id in old_by_id]
    if kept_old != kept_new:
        lines.append(f"{head} options reordered: {_order(kept_old, kept_new, len(head) + 20)}")
    return lines


def _flow(rules: tuple[Rule, ...]) -> str:
    """A step's next rules in one line: "benefit ≤ 2 → benefit_why; else → agreements_kept"."""
    if not rules:
        return "following step"
    parts: list[str] = []
    for rule in rules:
        if rule.condition is not None:
            parts.append(f"{describe(rule.condition)} → {rule.target}")
        else:
            parts.append(f"else → {rule.target}" if parts else rule.target)
    if rules[-1].condition is not None:
        parts.append("else → following step")
    return "; ".join(parts)


def _texts(head: str, before: Texts, after: Texts, langs: Sequence[str]) -> list[str]:
    """A line per language whose text was added, removed or changed."""
    lines: list[str] = []
    for lang in langs:
        old, new = before.get(lang), after.get(lang)
        if old == new:
            continue
        if old is None:
            lines.append(f'{head} [{lang}] added "{_short(new or "", SHORT)}"')
        elif new is None:
            lines.append(f"{head} [{lang}] removed")
        else:
            lines.append(_change(f"{head} [{lang}]", old, new, "whitespace only"))
    return lines


def _change(head: str, old: str, new: str, same: str) -> str:
    """`head "old" → "new"`, both shortened around the first difference so it stays visible."""
    old, new = _flat(old), _flat(new)
    if old == new:
        return f"{head} changed ({same})"
    width = max(20, min(SHORT, (LINE - len(head) - len(' "" → ""')) // 2))
    if len(old) <= width and len(new) <= width:
        return f'{head} "{old}" → "{new}"'
    same_chars = next((n for n, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    # leave out the start only when the change would not show otherwise; keep as much context as fits
    start = 0 if same_chars + 2 * CONTEXT <= width else min(same_chars - CONTEXT, max(map(len, (old, new))) - width + 1)
    start = max(0, start)
    if start and (space := old.find(" ", start, same_chars)) != -1:
        start = space + 1  # begin at a word
    return f'{head} "{_clip(old, start, width)}" → "{_clip(new, start, width)}"'


def _order(before: list[str], after: list[str], used: int) -> str:
    """`a, b, c → a, c, b`; when too long, only the part that moved, with "…" for the rest."""
    full = f"{', '.join(before)} → {', '.join(after)}"
    if used + len(full) <= LINE:
        return full
    lead = next(n for n, (a, b) in enumerate(zip(before, after, strict=True)) if a != b)
    tail = next(n for n, (a, b) in enumerate(zip(reversed(before), reversed(after), strict=True)) if a != b)

    def part(ids: list[str]) -> str:
        return ", ".join(["…"] * bool(lead) + ids[lead:len(ids) - tail] + ["…"] * bool(tail))

    return f"{part(before)} → {part(after)}"


def _german(texts: Texts) -> str:
    """The German text (every script has one), else the first there is."""
    return texts.get("de") or next(iter(texts.values()), "")


def _flat(text: str) -> str:
    """The text on one line: runs of spaces and line breaks become one space."""
    return " ".join(text.split())


def _short(text: str, width: int) -> str:
    """The text on one line, at most `width` characters, ending in "…" when cut."""
    return _clip(_flat(text), 0, width)


def _clip(text: str, start: int, width: int) -> str:
    """`text` from `start` (marked by a leading "…"), cut to `width` characters with a trailing "…"."""
    lead = "…" if start else ""
    body = text[start:]
    if len(lead) + len(body) > width:
        body = body[: width - len(lead) - 1]
        cut = body.rfind(" ", len(body) - CONTEXT)  # end at a word when one ends nearby
        body = (body[:cut] if cut > 0 else body).rstrip() + "…"
    return lead + body


def _cap(line: str) -> str:
    """A last guard: no line longer than LINE."""
    return line if len(line) <= LINE else line[: LINE - 1] + "…"
