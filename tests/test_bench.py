"""The benchmark's own parts stay sound (the benchmark itself is run by hand: bench/run.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, invoke

sys.path.insert(0, str(ROOT / "bench"))
import packs
import run

from mila_cli.facts import check_fact


def test_generated_facts_are_valid_and_reproducible() -> None:
    facts = packs.make_facts(600)
    assert all(check_fact(f) is None for f in facts)
    assert len({f["id"] for f in facts}) == 600
    assert facts == packs.make_facts(600)
    assert sum("Turing Award" in f["text"] for f in facts) == 1


def test_generated_pack_loads_and_search_finds_the_planted_facts(tmp_path: Path) -> None:
    folder = packs.write_pack(tmp_path / "pack", 2000)
    result = invoke("--facts-dir", str(folder), "search", "turing award", "--json")
    assert result.exit_code == 0
    assert "bench-0" in result.stdout


def test_every_row_has_a_target_and_a_baseline(tmp_path: Path) -> None:
    rows = run.rows(tmp_path)
    assert len(rows) == 11
    more = run.rows(tmp_path, tmp_path / "1m")[len(rows) :]
    # A million facts: search against the naive floor, show against click, a TAB against Python.
    assert [(r.target, r.against) for r in more] == [
        (0.1, "json.load + process.extract(limit=10) + snowballstemmer"),
        (2.0, "import click"),
        (3.0, "python -c pass"),
    ]
    assert all(r.target > 1 and r.baseline[0] == sys.executable for r in rows)
    assert all(r.runs for r in more) and all(r.baseline[0] == sys.executable for r in more)
    # A TAB against Python starting; lookups against the imports they really make.
    assert (rows[0].baseline[1:], rows[0].target) == (["-c", "pass"], 1.5)
    lookups = [r.what.split(" --json")[0] for r in rows if r.target == 1.1]
    assert lookups == [
        "mila --version",
        "mila people bengio",
        "mila show lisa-founded",
        "mila bookmark list",
        "mila bookmark list",
        "mila people (human)",
    ]
    searches = [r for r in rows if r.what.startswith("mila search")]
    assert len(searches) == 4 and all(r.target in (1.25, 1.5) for r in searches)


def _imports(command: list[str], env: dict[str, str | None]) -> set[str]:
    """Every module a run imports, as python -X importtime lists them."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}  # no tracer's imports
    environ.update({k: v for k, v in env.items() if v is not None}, PYTHONPROFILEIMPORTTIME="1")
    for name in (k for k, v in env.items() if v is None):
        environ.pop(name, None)
    done = subprocess.run(command, capture_output=True, text=True, env=environ, timeout=120, check=False)
    found = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert found, done.stderr
    return found - {"package"}  # the header line


@pytest.mark.slow
def test_every_baseline_imports_only_what_its_command_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An honest floor: what the command cannot do without, and nothing it never loads."""
    data = tmp_path / "xdg" / "mila"
    data.mkdir(parents=True)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("MILA_DATA_DIR", str(data))
    monkeypatch.delenv("NO_COLOR")  # as the bench runs: each row says how it wants colour
    kept = {"version": 1, "bookmarks": [{"id": "iclr", "note": None, "added": "2026-11-24T00:00:00Z"}]}
    (data / "bookmarks.json").write_text(json.dumps(kept), encoding="utf-8")
    pack = packs.write_pack(tmp_path / "pack", 2000)
    checked = 0
    for row in run.rows(pack):
        if row.against.startswith("json.load"):
            continue  # the naive floor of a search: another way to do the job, not imports
        baseline, command = _imports(row.baseline, row.env), _imports(row.command, row.env)
        assert baseline <= command, (row.what, sorted(baseline - command))
        checked += 1
    assert checked == 10
