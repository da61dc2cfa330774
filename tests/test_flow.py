"""Flow checks of scripts (unreachable steps, at most 8 questions per path), the Mermaid graph and `dialogs` CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.flow import longest_path, mermaid, questions_on, unreachable
from bot.core.script.loader import ScriptError, load_script_text
from tests.e2e import ROOT, TEST_DIALOGS

HEAD = """\
version: 1
id: flow
languages: [de]
title: {de: Fluss}
outro: {de: Danke}
steps:
"""


def _scale(step_id: str, next_: str = "") -> str:
    step = f"  - id: {step_id}\n    kind: scale\n    factor: 3\n    text: {{de: \"Frage {step_id}?\"}}\n" \
           f"    low: {{de: wenig}}\n    high: {{de: viel}}\n"
    return step + (f"    next: {next_}\n" if next_ else "")


def _script(*steps: str) -> str:
    return HEAD + "".join(steps)


def _problems(text: str) -> list[str]:
    with pytest.raises(ScriptError) as caught:
        load_script_text(text, "flow.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_a_step_no_path_leads_to_is_named_with_its_line() -> None:
    text = _script(_scale("a", "c"), _scale("b"), _scale("c"))
    assert _problems(text) == ["flow.yaml:14: step 'b': no path leads to this step (check the 'next' rules before it)"]


def test_a_step_reached_by_a_condition_is_reachable() -> None:
    text = _script(_scale("a") + "    next:\n      - if: {step: a, lte: 2}\n        then: b\n      - then: c\n",
                   _scale("b", "end"), _scale("c"))
    script = load_script_text(text)
    assert unreachable(script) == []
    assert longest_path(script) == ["a", "b"]  # of equally long paths, the first rule's


@pytest.mark.parametrize(("count", "ok"), [(8, True), (9, False)])
def test_at_most_eight_questions_on_any_path(count: int, ok: bool) -> None:
    text = _script(*(_scale(f"q{n}") for n in range(count)))
    if ok:
        script = load_script_text(text)
        assert questions_on(script, longest_path(script)) == 8
        return
    [problem] = _problems(text)
    assert problem.startswith("flow.yaml:7: step 'q0': one path asks 9 questions, at most 8")
    assert "q0 → q1 → q2 → q3 → q4 → q5 → q6 → q7 → q8" in problem


def test_the_longest_path_counts_the_branch_with_more_questions() -> None:
    branching = _scale("a") + "    next:\n      - if: {step: a, lte: 2}\n        then: long1\n      - then: short\n"
    text = _script(branching, _scale("short", "end"), *(_scale(f"long{n}") for n in range(1, 8)), _scale("z"))
    [problem] = _problems(text)
    assert "one path asks 9 questions" in problem and "a → long1" in problem


def test_mermaid_shows_steps_conditions_and_the_end() -> None:
    text = _script(_scale("a") + "    next:\n      - if: {step: a, lte: 2}\n        then: b\n      - then: end\n",
                   _scale("b"))
    graph = mermaid(load_script_text(text))
    assert graph.splitlines()[0] == "flowchart TD"
    assert 'a -->|"a ≤ 2"| b' in graph and "a --> END" in graph and "b --> END" in graph
    assert 'a["a (scale, F3)<br/>Frage a?"]' in graph


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "NETZPULS_ENV_FILE": "/nonexistent", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "bot", "dialogs", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60, check=False)


def test_dialogs_check_passes_every_shipped_script() -> None:
    result = _cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    shipped = [*sorted((ROOT / "dialogs").glob("*.yaml")), ROOT / "dialogs" / "tips" / "coaching_tips.yaml"]
    files = [line.split(":")[0] for line in result.stdout.splitlines() if not line.startswith("  ")]
    assert files == [f"✓ {path}" for path in shipped]
    lines = result.stdout.splitlines()
    assert "  rotation: 3 modules" in lines
    assert ("  any 3 rounds in a row: all 11 success factors asked and measured, all 9 risk factors asked"
            in lines)
    assert ("  round 3 (own_org): success factors 1, 2, 3, 4, 8, 9, 10 (measured 1-5: 2, 3, 4, 9, 10); risk "
            "factors 1, 2, 5, 7, 8, 9") in lines


def test_dialogs_check_names_the_factors_a_rotation_misses(tmp_path: Path) -> None:
    text = (ROOT / "dialogs" / "monthly_checkin.yaml").read_text(encoding="utf-8")
    lacking = tmp_path / "lacking.yaml"
    lacking.write_text(text.replace("factor: 10", "factor: 9"), encoding="utf-8")
    result = _cli("check", str(lacking))
    assert result.returncode == 0, result.stdout + result.stderr  # a gap is reported, not refused
    assert "✗ rounds 1-3 do not ask success factor(s) 10" in result.stdout
    assert "✗ rounds 1-3 do not measure success factor(s) 10" in result.stdout
    assert "at most 8 questions a check-in" in result.stdout


def test_dialogs_check_names_a_factor_asked_but_never_measured(tmp_path: Path) -> None:
    text = (ROOT / "dialogs" / "monthly_checkin.yaml").read_text(encoding="utf-8")
    unlevelled = tmp_path / "unlevelled.yaml"
    unlevelled.write_text(re.sub(r"(?m)^ +level: \d\n", "", text), encoding="utf-8")
    result = _cli("check", str(unlevelled))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✗ rounds 1-3 do not measure success factor(s) 1, 4, 6, 8, 11" in result.stdout
    assert "do not ask success factor" not in result.stdout


def test_dialogs_check_names_a_risk_no_round_asks(tmp_path: Path) -> None:
    text = (ROOT / "dialogs" / "monthly_checkin.yaml").read_text(encoding="utf-8")
    no_resources = tmp_path / "no_resources.yaml"
    no_resources.write_text(text.replace("    risk: 7\n", ""), encoding="utf-8")
    result = _cli("check", str(no_resources))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✗ rounds 1-3 do not ask risk factor(s) 7" in result.stdout


def test_dialogs_check_lists_every_problem_and_fails(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text_step = "  - id: b\n    kind: yes_no\n    text: {de: Warum}\n"  # a question without its factor
    broken.write_text(_script(_scale("a", "nowhere"), text_step), encoding="utf-8")
    result = _cli("check", str(broken), str(ROOT / "dialogs" / "monthly_checkin.yaml"))
    assert result.returncode == 1
    assert f"✗ {broken}: 2 problem(s)" in result.stdout
    assert f"{broken}:13: step 'a': next points to unknown step 'nowhere'" in result.stdout
    assert "step 'b': a question must name the success factor it measures" in result.stdout
    assert "✓ " in result.stdout  # the good file is still reported


def test_dialogs_graph_prints_mermaid_in_english() -> None:
    result = _cli("graph", str(TEST_DIALOGS / "monthly_checkin.yaml"), "--lang", "en")
    assert result.returncode == 0
    assert "How clear is the network's shared goal" in result.stdout
    assert "agreements_kept -->|\"agreements_kept in [partly, not_kept]\"| agreements_what" in result.stdout
