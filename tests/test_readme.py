"""The README's quick start stays true: its test command is the one CI runs."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, invoke

from mila_cli.facts import read_file

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_quick_start_has_exactly_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", quick, flags=re.S)[:1]
    commands = [line for line in block.splitlines() if line.strip()]
    assert commands == [
        'python3 -m venv .venv && .venv/bin/pip install --quiet . && .venv/bin/mila search "who founded LISA"',
        "bash .ci/run",
    ]


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _blocks()[1].strip()
    assert test_command.startswith("python3 -m venv .venv && ") and test_command.endswith(".venv/bin/python -m pytest")
    assert test_command in CI.splitlines()


def test_the_example_pack_is_a_valid_pack(tmp_path: Path) -> None:
    sources, lab, words = re.findall(r"```json\n(.*?)```", README, flags=re.S)
    (tmp_path / "sources.json").write_text(sources, encoding="utf-8")
    (tmp_path / "lab.json").write_text(lab, encoding="utf-8")
    (tmp_path / "vocabulary.json").write_text(words, encoding="utf-8")
    facts = read_file(tmp_path / "lab.json")
    assert [f["id"] for f in facts] == ["my-lab-founded", "ada-example"]
    result = invoke("--facts-dir", str(tmp_path), "people", "ada", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == "ada-example"
    result = invoke("--facts-dir", str(tmp_path), "search", "club de lecture", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["id"] == "my-lab-founded"


def test_the_search_examples_do_what_the_readme_says() -> None:
    section = README.split("## Search\n", 1)[1].split("\n### ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    for line in block.strip().splitlines():
        command, _, comment = line.partition("#")
        args = shlex.split(command)[2:]  # after "mila search"
        result = invoke("search", *args, "--json")
        if "nothing" in comment:
            assert result.exit_code == 1 and json.loads(result.stdout) == [], line
        else:
            assert result.exit_code == 0 and json.loads(result.stdout), line


def test_the_cli_reference_is_what_help_prints() -> None:
    from reference import readme_with_reference

    assert readme_with_reference(README) == README, "regenerate: python tests/reference.py --write"


def _examples(section: str) -> list[tuple[str, str]]:
    """Each `$ command` in a section's text blocks, with the lines printed under it."""
    body = README.split(f"\n### {section}\n", 1)[1].split("\n### ", 1)[0]
    found = []
    for block in re.findall(r"```text\n(.*?)```", body, flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, shown = chunk.partition("\n")
            found.append((command, shown))
    return found


EXAMPLES = [(s, c, o) for s in ("In a pipe", "JSON", "No answer") for c, o in _examples(s)]


@pytest.mark.slow
@pytest.mark.parametrize(("section", "command", "shown"), EXAMPLES, ids=[c for _, c, _ in EXAMPLES])
def test_every_pipe_and_json_example_prints_what_the_readme_shows(section: str, command: str, shown: str) -> None:
    if "jq" in command and shutil.which("jq") is None:
        if os.environ.get("CI"):
            pytest.fail("jq must be installed in CI (.ci/run installs it)")
        pytest.skip("jq is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "FORCE_COLOR"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{command} 2>&1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.stdout == shown, command


def test_the_examples_are_found() -> None:
    assert len(EXAMPLES) >= 9 and all(c.startswith("mila ") for _, c, _ in EXAMPLES)
