"""Dependencies: pyproject.toml declares them, uv.lock pins every one (transitive ones too) with its hashes and PyPI's
download URLs, and bin/setup (so CI) and the Dockerfile install from that one lock."""

from __future__ import annotations

import ast
import re
import tomllib
from typing import Any

from packaging.requirements import Requirement

from tests.e2e import ROOT
from tests.test_image_contents import ignored

PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK: dict[str, Any] = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
PACKAGES: list[dict[str, Any]] = LOCK["package"]
RELOCK = "uv.lock is out of date: run .tools/uv/bin/uv lock (bin/setup installs that uv)"


def normal(name: str) -> str:
    """A package name as the lock writes it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> list[tuple[Requirement, bool]]:
    """Every requirement in pyproject.toml, and whether it is one of the dev extra's."""
    project = PYPROJECT["project"]
    return ([(Requirement(text), False) for text in project["dependencies"]]
            + [(Requirement(text), True) for text in project["optional-dependencies"]["dev"]])


def test_the_lock_is_in_sync_with_what_pyproject_declares() -> None:
    [own] = [package for package in PACKAGES if package["name"] == "netzpuls"]
    locked = {(normal(entry["name"]), entry.get("specifier", ""), tuple(entry.get("extras", ())),
               entry.get("marker", "")) for entry in own["metadata"]["requires-dist"]}
    wanted = {(normal(requirement.name), str(requirement.specifier), tuple(sorted(requirement.extras)),
               "extra == 'dev'" if dev else "") for requirement, dev in declared()}
    assert locked == wanted, RELOCK
    versions = {(normal(package["name"]), package["version"]) for package in PACKAGES}
    for requirement, _dev in declared():
        assert any(name == normal(requirement.name) and requirement.specifier.contains(version)
                   for name, version in versions), f"{requirement} is not in uv.lock: {RELOCK}"
    assert LOCK["manifest"]["build-constraints"] == [
        {"name": normal(Requirement(text).name), "specifier": str(Requirement(text).specifier)}
        for text in PYPROJECT["tool"]["uv"]["build-constraint-dependencies"]], RELOCK


def test_every_locked_package_comes_from_pypi_with_its_hashes() -> None:
    for package in PACKAGES:
        if package["name"] == "netzpuls":
            assert package["source"] == {"editable": "."}
            continue
        assert package["source"] == {"registry": "https://pypi.org/simple"}, package["name"]
        files = [*([package["sdist"]] if "sdist" in package else []), *package.get("wheels", [])]
        assert files, package["name"]
        for file in files:
            assert file["url"].startswith("https://files.pythonhosted.org/"), file["url"]
            assert re.fullmatch(r"sha256:[0-9a-f]{64}", file["hash"]), file["url"]


def test_pyyaml_and_the_rate_limiter_extra_are_gone() -> None:
    assert not {normal(package["name"]) for package in PACKAGES} & {"pyyaml", "types-pyyaml", "aiolimiter"}
    imports = []
    for folder in ("bot", "storage", "localapi", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                imports += [f"{path.relative_to(ROOT)}: {name}" for name in names if name.split(".")[0] == "yaml"]
    assert imports == []  # YAML goes through bot/core/yaml_text.py (ruamel.yaml)


def test_the_pinned_uv_is_the_one_pyproject_requires() -> None:
    text = (ROOT / "bin" / "uv-requirements.txt").read_text(encoding="utf-8")
    [version] = re.findall(r"^uv==([0-9.]+) \\$", text, flags=re.MULTILINE)
    assert PYPROJECT["tool"]["uv"]["required-version"] == f"=={version}"
    assert len(re.findall(r"--hash=sha256:[0-9a-f]{64}", text)) >= 2


def test_setup_ci_and_the_image_install_from_the_lock() -> None:
    setup = (ROOT / "bin" / "setup").read_text(encoding="utf-8")
    assert "bin/uv-requirements.txt" in setup and "--require-hashes" in setup
    assert re.search(r"uv sync .*--locked", setup) and "uv.lock" in setup
    assert "bin/setup" in (ROOT / "bin" / "test").read_text(encoding="utf-8")
    assert "exec bin/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY bin/uv-requirements.txt pyproject.toml uv.lock ./" in docker
    assert re.search(r"uv export [^\n]*--frozen[^\n]*--no-emit-project", docker)
    installs = re.findall(r"pip install [^\n]*", docker)
    assert len(installs) == 2 and all("--require-hashes" in line for line in installs), installs
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    assert not any(ignored(path, patterns) for path in ("uv.lock", "bin/uv-requirements.txt", "pyproject.toml"))


def test_the_base_image_is_pinned_by_digest_in_both_stages_and_named_in_the_deploy_guide() -> None:
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    bases = re.findall(r"^FROM\s+(\S+)", docker, flags=re.MULTILINE)
    assert len(bases) == 2, bases
    assert all(re.fullmatch(r"python:[0-9.]+-slim-bookworm@sha256:[0-9a-f]{64}", base) for base in bases), bases
    assert bases[0] == bases[1]  # the virtualenv is built on the very Python it runs on
    assert bases[0] in (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def test_the_image_tells_the_bot_it_runs_in_a_container() -> None:
    """Without a token `run` then stops with exit 2 instead of looking for a terminal (bot.cli.main._no_token)."""
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^\s+NETZPULS_IN_CONTAINER=1$", docker, flags=re.MULTILINE)


def test_the_readme_names_every_check_bin_test_runs() -> None:
    checks = re.findall(r'^echo "== (\w+)"$', (ROOT / "bin" / "test").read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert {"ruff", "mypy", "hadolint", "pytest"} <= set(checks)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = re.findall(r"^bin/test .*(?:\n {12}# .*)*", readme, flags=re.MULTILINE)
    assert all(check in line for check in checks if check != "pytest"), line
    assert "test suite" in line
