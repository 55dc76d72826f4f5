"""The README's CLI reference: every command's --help, as click prints it at 80 columns.

    python tests/reference.py          # print the reference
    python tests/reference.py --write  # put it in README.md, between its markers

tests/test_readme.py fails when the README's copy is not what this prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mila_cli.cli import cli  # noqa: E402  (after the checkout is on the path)

START = "<!-- reference: made by tests/reference.py; do not edit by hand -->"
END = "<!-- end of reference -->"


def _commands(group: click.Group, prefix: list[str]) -> list[list[str]]:
    found = [prefix]
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found += _commands(command, [*prefix, name])
        elif command is not None:
            found.append([*prefix, name])
    return found


def reference() -> str:
    runner = CliRunner()
    parts = []
    for path in _commands(cli, []):
        result = runner.invoke(cli, [*path, "--help"], prog_name="mila", terminal_width=80, env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        title = " ".join(["mila", *path])
        parts.append(f"### `{title}`\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def readme_with_reference(readme: str) -> str:
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n\n{reference()}\n{END}{after}"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        path = ROOT / "README.md"
        path.write_text(readme_with_reference(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(reference())
