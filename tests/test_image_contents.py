"""The production image: what the Dockerfile copies, less what .dockerignore leaves out, holds no local Bot API server
and no offline demo, and nothing it ships imports them; `run` without a token there says so instead of failing."""

from __future__ import annotations

import fnmatch
import re
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.e2e import ROOT
from tests.test_layers import graph, modules, within


def ignored(relative: str, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps a path (relative to the build context) out of the image."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatch(prefix, pattern) or fnmatch.fnmatch(parts[-1], pattern.removeprefix("**/"))
               for pattern in patterns for prefix in prefixes)


def shipped_python() -> list[str]:
    """The .py files the image's COPY lines bring from the build context."""
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    copied = re.findall(r"^COPY (?!--from)(\S+)/ ", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    files = []
    for source in copied:
        for path in (ROOT / source).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if not ignored(relative, patterns):
                files.append(relative)
    return sorted(files)


def test_the_image_ships_the_product_and_not_the_test_server() -> None:
    """bot/ and storage/ are in; localapi/ and bot/demo/ are not."""
    files = shipped_python()
    assert "bot/telegram/app.py" in files and "storage/db.py" in files
    assert [f for f in files if f.startswith(("localapi/", "bot/demo/"))] == []


# Imports of what the image leaves out that only run after asking whether it is there (bot.cli.main.demo_installed).
GUARDED = {"bot.cli.main -> bot.demo.command"}


def test_nothing_shipped_imports_what_the_image_leaves_out() -> None:
    """Every module in the image imports only our modules that are in the image too, unless it asks first."""
    shipped = {".".join(Path(f).with_suffix("").parts).removesuffix(".__init__") for f in shipped_python()}
    missing = sorted(f"{module} -> {target}" for module in shipped for target in graph()[module]
                     if within(target, "bot", "storage", "localapi") and target in modules() and target not in shipped)
    assert [edge for edge in missing if edge not in GUARDED] == []
    assert set(missing) == GUARDED  # the allowance stays as small as what needs it


def test_run_without_token_where_the_demo_is_left_out(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """As in the image: no token and no local server, so `run` says what to do and exits 2 instead of crashing."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("NETZPULS_IN_CONTAINER", "1")  # as the Dockerfile sets it
    monkeypatch.setenv("NETZPULS_ENV_FILE", str(tmp_path / "none.env"))
    monkeypatch.setenv("NETZPULS_DB", str(tmp_path / "netzpuls.db"))
    monkeypatch.setitem(sys.modules, "localapi", None)  # how an import fails where the package is absent
    assert main(["run"]) == 2
    said = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN" in said and len(said.splitlines()) == 1
    assert "demo" not in said  # the image has none to offer
    assert not (tmp_path / "demo-output").exists()
