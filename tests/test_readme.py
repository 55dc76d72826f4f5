"""The README's quick start stays true: its test command is the one CI runs."""

from __future__ import annotations

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_quick_start_has_exactly_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", quick, flags=re.S)[:1]
    commands = [line for line in block.splitlines() if line.strip()]
    assert commands == ['python3 -m pip install . && mila search "who founded LISA"', "bash .ci/run"]


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _blocks()[1].strip()
    assert test_command.startswith("python3 -m pip install") and test_command.endswith("python3 -m pytest")
    assert test_command in CI.splitlines()
