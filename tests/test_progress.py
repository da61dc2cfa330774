""""Question k of n": n counts the questions of the longest path still possible, decided by the answers so far and
the context, and it never goes up during one check-in."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import pytest

from bot.core import engine
from bot.core.context import CheckinContext
from bot.core.engine import DONE, NO, PARTNER_PREFIX, SKIP, YES, Accepted, DialogState, Input, Press, Typed
from bot.core.flow import longest_path, questions_on
from bot.core.progress import judge, most_questions, shown_total
from bot.core.script.loader import load_script_file, load_script_text
from bot.core.script.model import AllOf, AnyOf, Compare, ContextCompare, Not, Script, Step
from tests.e2e import ROOT, TEST_DIALOGS

HEAD = """\
version: 1
id: progress
languages: [de]
title: {de: T}
outro: {de: Danke}
"""


def yes_no(step_id: str, extra: str = "") -> str:
    """A yes/no step as YAML (indented for the steps list)."""
    return f"  - id: {step_id}\n    kind: yes_no\n    factor: 2\n    text: {{de: Frage {step_id}}}\n{extra}"


def script_of(*steps: str, modules: str = "") -> Script:
    """A script of these steps."""
    return load_script_text(HEAD + modules + "steps:\n" + "".join(steps))


def walk(script: Script, answers: list[bool], context: CheckinContext | None = None) -> list[tuple[int, int]]:
    """Answer yes/no steps in order; the (k, n) shown for each question."""
    context = context or CheckinContext()
    state = engine.start(script, context)
    shown = []
    for value in answers:
        assert state.current is not None
        shown.append(engine.position(script, state, context))
        outcome = engine.answer(script, state, state.current, Press(YES if value else NO), context)
        assert isinstance(outcome, Accepted)
        state = outcome.state
    assert state.finished
    return shown


def test_a_straight_script_counts_every_question() -> None:
    script = script_of(yes_no("a"), yes_no("b"), yes_no("c"))
    assert walk(script, [True, True, True]) == [(1, 3), (2, 3), (3, 3)]


# a: no → why (a follow-up), then last; yes → last
FOLLOW_UP = (yes_no("a", "    next:\n      - if: {step: a, eq: false}\n        then: why\n      - then: last\n"),
             yes_no("why"), yes_no("last"))


def test_a_follow_up_counts_until_the_answer_rules_it_out() -> None:
    script = script_of(*FOLLOW_UP)
    assert walk(script, [True, True]) == [(1, 3), (2, 2)]
    assert walk(script, [False, True, True]) == [(1, 3), (2, 3), (3, 3)]


def test_a_later_branch_on_an_earlier_answer_is_decided_as_soon_as_that_answer_is_given() -> None:
    # b's rule looks back at a: once a is answered, whether "extra" comes is known, before b is asked.
    script = script_of(yes_no("a"), yes_no("b", "    next:\n      - if: {step: a, eq: true}\n        then: extra\n"
                                                "      - then: end\n"), yes_no("extra"))
    assert walk(script, [False, True]) == [(1, 3), (2, 2)]
    assert walk(script, [True, True, True]) == [(1, 3), (2, 3), (3, 3)]


def test_the_context_decides_at_the_start() -> None:
    script = script_of(yes_no("a", "    next:\n      - if: {context: role, eq: jobcenter}\n        then: jc\n"
                                   "      - then: last\n"), yes_no("jc"), yes_no("last"))
    assert walk(script, [True, True], CheckinContext(role="care")) == [(1, 2), (2, 2)]
    assert walk(script, [True, True, True], CheckinContext(role="jobcenter")) == [(1, 3), (2, 3), (3, 3)]


def test_a_module_not_due_and_a_partners_step_without_partners_count_nothing() -> None:
    partners = "  - id: worked\n    kind: partners\n    factor: 11\n    text: {de: Mit wem?}\n"
    script = script_of(yes_no("a"), yes_no("rotating", "    module: m\n"), partners, yes_no("last"),
                       modules="modules:\n  - {id: m, every: 2, offset: 0}\n")
    assert walk(script, [True, True], CheckinContext(round_number=2)) == [(1, 2), (2, 2)]
    assert walk(script, [True, True, True], CheckinContext(round_number=1)) == [(1, 3), (2, 3), (3, 3)]
    with_partners = CheckinContext(round_number=2, partners=(("7", "Kita"),))
    assert engine.position(script, engine.start(script, with_partners), with_partners) == (1, 3)


def test_any_all_and_not_are_decided_by_what_is_known() -> None:
    answers = {"a": True}
    role = ContextCompare("role", "eq", "jobcenter")
    a_yes, b_yes = Compare("a", "eq", True), Compare("b", "eq", True)
    undecided = frozenset({"b"})
    care, jobcenter = CheckinContext(role="care"), CheckinContext(role="jobcenter")
    assert judge(AnyOf((b_yes, role)), answers, jobcenter, undecided) is True  # one true part decides "any"
    assert judge(AnyOf((b_yes, role)), answers, care, undecided) is None
    assert judge(AllOf((b_yes, role)), answers, care, undecided) is False  # one false part decides "all"
    assert judge(AllOf((a_yes, role)), answers, jobcenter, undecided) is True
    assert judge(Not(b_yes), answers, care, undecided) is None
    assert judge(Not(a_yes), answers, care, undecided) is False
    assert judge(b_yes, answers, care, frozenset()) is False  # passed by, never answered: as the engine finds it


def test_the_total_shown_never_grows_and_never_falls_below_the_question_asked() -> None:
    script = script_of(*FOLLOW_UP)
    context = CheckinContext()
    assert shown_total(script, "a", {}, context, 0) == 3
    assert shown_total(script, "a", {}, context, 2) == 2  # shown 2 before (a context that changed): 2 stays
    # "last" asked as the third question although 2 was shown: the question's own number, not "3 of 2"
    assert shown_total(script, "last", {"a": False, "why": True}, context, 2) == 3
    assert shown_total(script, None, {"a": True, "last": True}, context, 3) == 2  # done: the questions answered


def test_a_state_stored_without_its_total_computes_it() -> None:
    script = script_of(*FOLLOW_UP)
    old = DialogState.from_json('{"current": "why", "answers": {"a": false}, "path": ["a", "why"]}')
    assert old.total == 0 and engine.position(script, old) == (2, 3)
    after = engine.answer(script, old, "why", Press(YES))
    assert isinstance(after, Accepted) and after.state.total == 3
    assert DialogState.from_json(after.state.to_json()) == after.state


def test_ticks_keep_the_total() -> None:
    text = HEAD + "steps:\n  - id: many\n    kind: choice\n    multiple: true\n    factor: 3\n" \
        "    text: {de: Was?}\n    options:\n      - {id: x, text: {de: X}}\n      - {id: y, text: {de: Y}}\n" \
        + yes_no("last")
    script = load_script_text(text)
    state = engine.start(script)
    ticked = engine.answer(script, state, "many", Press("x"))
    assert isinstance(ticked, engine.Pending) and ticked.state.total == 2 == state.total


def inputs(step: Step, context: CheckinContext) -> Iterator[Sequence[Input]]:
    """Some ways to answer a step: each a list of inputs (ticks, then "Done")."""
    if step.kind == "scale":
        yield from ([Press(v)] for v in ("1", "3", "5", *(["dont_know"] if step.dont_know else [])))
    elif step.kind == "yes_no":
        yield from ([Press(v)] for v in (YES, NO))
    elif step.kind == "choice" and step.multiple:
        yield from ([Press(option.id), Press(DONE)] for option in step.options)
    elif step.kind == "choice":
        yield from ([Press(option.id)] for option in step.options)
    elif step.kind == "partners":
        yield [Press(DONE)]
        yield [Press(PARTNER_PREFIX + context.partners[0][0]), Press(DONE)]
    elif step.kind == "text":
        yield [Typed("Ein Satz.")]
        if step.optional:
            yield [Press(SKIP)]
    elif step.kind == "number":
        yield [Typed(str(step.minimum))]
    else:
        yield [Press("continue")]


def random_walk(script: Script, context: CheckinContext, rng: random.Random) -> list[tuple[int, int]]:
    """One check-in answered at random; the (k, n) shown for each question."""
    state = engine.start(script, context)
    shown = []
    while state.current is not None:
        step = script.step(state.current)
        if step.is_question:
            shown.append(engine.position(script, state, context))
            # the path's maximum itself never grew: the stored total never had to hold it down
            assert shown[-1][1] == most_questions(script, state.current, state.answers, context)
        for given in rng.choice(list(inputs(step, context))):
            outcome = engine.answer(script, state, step.id, given, context)
            assert isinstance(outcome, Accepted | engine.Pending), outcome
            state = outcome.state
    return shown


@pytest.mark.parametrize("round_number", [1, 2, 3])
def test_walks_through_the_shipped_scripts_count_up_while_the_total_only_falls(round_number: int) -> None:
    rng = random.Random(round_number)
    context = CheckinContext(round_number=round_number, partners=(("1", "Kita"), ("2", "Jugendamt")))
    scripts = [load_script_file(TEST_DIALOGS / "monthly_checkin.yaml")] + [
        load_script_file(ROOT / "dialogs" / f"{name}.yaml")
        for name in ("monthly_checkin", "onboarding_checkin", "exit_checkin")]
    for script in scripts:
        first = most_questions(script, engine.start(script, context).current, {}, context)
        assert first == questions_on(script, longest_path(script, round_number), round_number)
        for _ in range(60):
            shown = random_walk(script, context, rng)
            numbers, totals = [k for k, _n in shown], [n for _k, n in shown]
            assert numbers == list(range(1, len(shown) + 1))
            assert totals == sorted(totals, reverse=True) and totals[0] == first
            assert all(k <= n for k, n in shown) and totals[-1] >= len(shown)
