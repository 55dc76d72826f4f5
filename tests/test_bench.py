"""The benchmark's own parts stay sound (the benchmark itself is run by hand: bench/run.py)."""

from __future__ import annotations

import sys
from pathlib import Path

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
    assert len(rows) == 9
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
    lookups = [r for r in rows if r.against.startswith("click + json") and "rapidfuzz" not in r.against]
    assert len(lookups) == 4 and all(r.target == 1.1 for r in lookups)
