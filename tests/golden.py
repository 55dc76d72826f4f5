"""What every terminal view draws at 40, 80 and 120 columns (tests/golden/), and the
README's terminal samples at 80 columns.

    python tests/golden.py           # say which files differ
    python tests/golden.py --write   # draw them again (look at them in tmux before committing)

Drawn as on a terminal (rich, forced) without colour, trailing spaces removed; the
bookmarks view reads a fixed bookmarks file. tests/test_golden.py fails when a file or
a README sample is not what this draws.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mila_cli.cli import cli  # noqa: E402  (after the checkout is on the path)

GOLDEN = ROOT / "tests" / "golden"
WIDTHS = (40, 80, 120)
VIEWS = {
    "facts": ["facts", "--category", "labs"],
    "sources": ["sources"],
    "show": ["show", "researchers-2021"],
    "history": ["history"],
    "areas": ["areas"],
    "area": ["areas", "nlp"],
    "people": ["people"],
    "person": ["people", "joelle"],
    "search-question": ["search", "how many researchers does mila have"],
    "search-words": ["search", "reinforcement learning", "--limit", "4"],
    "bookmarks": ["bookmark", "list"],
}
BOOKMARKS = {
    "version": 1,
    "bookmarks": [
        {"id": "iclr", "note": "the conference", "added": "2026-11-23T10:00:00Z"},
        {"id": "gone-fact", "note": None, "added": "2026-11-24T09:30:00Z"},
    ],
}
README_START = "### On a terminal\n"
README_END = "\n### In a pipe\n"


def draw(args: list[str], width: int) -> str:
    """What a terminal `width` columns wide shows for `mila ARGS`, without colour."""
    with tempfile.TemporaryDirectory() as data:
        Path(data, "bookmarks.json").write_text(json.dumps(BOOKMARKS), encoding="utf-8")
        env = {
            "FORCE_COLOR": "1",
            "NO_COLOR": "1",
            "COLUMNS": str(width),
            "LINES": "1000",
            "TERM": "xterm-256color",
            "MILA_DATA_DIR": data,
            "MILA_FACTS_PATH": "",
            "MILA_PAGER": "",
        }
        result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    shown = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    return "".join(line.rstrip() + "\n" for line in shown.splitlines())


def files() -> dict[Path, str]:
    return {GOLDEN / f"{name}@{width}.txt": draw(args, width) for name, args in VIEWS.items() for width in WIDTHS}


def readme_with_samples(readme: str) -> str:
    """The README with each `$ mila ...` of its terminal section drawn again at 80 columns."""
    before, rest = readme.split(README_START, 1)
    section, after = rest.split(README_END, 1)

    def block(match: re.Match[str]) -> str:
        samples = re.split(r"^\$ ", match.group(1), flags=re.M)[1:]
        drawn = []
        for sample in samples:
            command = sample.partition("\n")[0]
            args = _split(command)
            drawn.append(f"$ {command}\n{draw(args, 80)}")
        return "```text\n" + "\n".join(drawn) + "```"

    section = re.sub(r"```text\n(.*?)```", block, section, flags=re.S)
    return f"{before}{README_START}{section}{README_END}{after}"


def _split(command: str) -> list[str]:
    import shlex

    words = shlex.split(command)
    assert words[0] == "mila", command
    return words[1:]


def main() -> int:
    write = sys.argv[1:] == ["--write"]
    differ = []
    for path, text in files().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            differ.append(path)
            if write:
                path.parent.mkdir(exist_ok=True)
                path.write_text(text, encoding="utf-8")
    readme = ROOT / "README.md"
    current = readme.read_text(encoding="utf-8")
    wanted = readme_with_samples(current)
    if wanted != current:
        differ.append(readme)
        if write:
            readme.write_text(wanted, encoding="utf-8")
    for path in differ:
        print(f"{'wrote' if write else 'differs'}: {os.path.relpath(path, ROOT)}")
    return 0 if write or not differ else 1


if __name__ == "__main__":
    raise SystemExit(main())
