"""Shared fixtures: every test runs with its own data directory, never the user's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from mila_cli.cli import cli

# In CI the property tests run the same examples every time (a red CI is reproducible);
# developers keep hypothesis's random search, which finds new cases.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
FACTS_DIR = ROOT / "facts"
SCHEMA_DIR = FACTS_DIR / "schema"
NOT_FACT_FILES = {"sources.json", "vocabulary.json"}
# A source any test pack may cite: the bundled folder declares it.
SOURCE = "encyclopedia"


def fact_files() -> list[Path]:
    return sorted(p for p in FACTS_DIR.glob("*.json") if p.name not in NOT_FACT_FILES)


def bundled_facts() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in fact_files():
        out.extend(json.loads(path.read_text(encoding="utf-8")))
    return out


def bundled_sources() -> list[dict[str, Any]]:
    return json.loads((FACTS_DIR / "sources.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private home, data and config for each test; plain, uncoloured, 80-column output."""
    home = tmp_path_factory.mktemp("home")
    for var in ("MILA_FACTS_PATH", "FORCE_COLOR", "CLICOLOR_FORCE", "PYTHONIOENCODING", "LC_ALL", "_MILA_COMPLETE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("MILA_DATA_DIR", str(home / "mila-data"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("MILA_PAGER", "")  # no pager waiting for a key; pager tests name their own
    monkeypatch.setenv("COLUMNS", "80")
    # mila on PATH, as after an install (the installed mila lives beside this interpreter).
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return home


@pytest.fixture
def ctrl_c_reaches_children() -> Iterator[None]:
    """Children get Ctrl-C's default action, as on a terminal: a job started in the
    background (`bash .ci/run &`) has SIGINT ignored, its children inherit that, and
    Python then never raises KeyboardInterrupt."""
    import signal

    before = signal.getsignal(signal.SIGINT)
    if before == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a handler: SIG_DFL after exec
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.fixture
def data_dir(isolated: Path) -> Path:
    return isolated / "mila-data"


def need(program: str) -> str:
    """The path of a program a test needs: skipped where it is missing, failed in CI
    (.ci/run installs it)."""
    path = shutil.which(program)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} must be installed in CI (.ci/run installs it)")
        pytest.skip(f"{program} is not installed")
    return path


def invoke(*args: str, input: str | None = None, env: Mapping[str, str | None] | None = None) -> Result:
    """Run mila in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


def run(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    input: bytes | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[bytes]:
    """Run mila as a real process with this interpreter (the installed package)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mila_cli", *args],
        capture_output=True,
        env=full_env,
        cwd=cwd,
        input=input,
        timeout=timeout,
        check=False,
    )


# Numbers a test wants shown at the end of the run (search quality, for one).
REPORT: dict[str, str] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name, value in REPORT.items():
        terminalreporter.write_line(f"{name}: {value}")
