"""Terminal output from 40 to 200 columns, on real terminals: ids whole, answers given room,
one fact at a readable width, TERM=dumb, and a pager that behaves like git's."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import invoke, need
from golden import draw

MILA = f"{shlex.quote(sys.executable)} -m mila_cli"
WIDTHS = (40, 60, 80, 100, 120, 160, 200)
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def _ids(*args: str) -> list[str]:
    found = json.loads(invoke(*args, "--json").stdout)
    return [f["id"] for f in found]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "args", [["facts"], ["search", "learning", "-n", "30"], ["people"], ["areas"], ["history"], ["sources"]]
)
def test_every_id_is_whole_on_one_line(args: list[str], width: int) -> None:
    lines = draw(args, width).splitlines()
    words = {w for line in lines for w in line.replace("│", " ").split()}
    for fact_id in _ids(*args):
        assert fact_id in words, f"{fact_id} cut or split at {width} columns"


@pytest.mark.parametrize("width", [w for w in WIDTHS if w >= 60])
@pytest.mark.parametrize("args", [["facts"], ["search", "learning", "-n", "30"]])
def test_the_first_40_characters_of_a_text_stay_on_one_line(args: list[str], width: int) -> None:
    flat = [" ".join(line.split()) for line in draw(args, width).splitlines()]
    for fact in json.loads(invoke(*args, "--json").stdout):
        start = fact["text"][:40].rsplit(" ", 1)[0]  # the words within its first 40 characters
        assert any(start in line for line in flat), f"{fact['id']} at {width}: {start!r}"


@pytest.mark.parametrize("args", [["show", "researchers-2021"], ["areas", "nlp"], ["people", "yoshua"]])
def test_one_fact_is_drawn_at_a_readable_width(args: list[str]) -> None:
    for width in (120, 200):
        assert max(len(line) for line in draw(args, width).splitlines()) <= 100


def test_roles_are_items_of_their_own() -> None:
    for width in (40, 80, 120):
        drawn = draw(["people"], width)
        assert "• founded LISA (1993)" in drawn and "• Turing award winner" in drawn


# Real terminals ---------------------------------------------------------------------


def _person_env(**extra: str) -> dict[str, str]:
    dropped = ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "MILA_PAGER", "PAGER", "LESS")
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith(("COV_CORE", "COVERAGE_"))}
    env.update({"TERM": "xterm-256color", "LANG": "C.UTF-8", "PS1": "$ ", **extra})
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


class Pane:
    """A real terminal of a given size (tmux), running bash as a person has it."""

    def __init__(self, width: int, height: int = 40, **env: str) -> None:
        self.tmux = need("tmux")
        self.name = f"mila-{uuid.uuid4().hex[:8]}"
        size = ["-x", str(width), "-y", str(height)]
        subprocess.run(
            [self.tmux, "-L", self.name, "new-session", "-d", "-s", self.name, *size, "bash", "--norc", "--noprofile"],
            env=_person_env(**env),
            check=True,
        )

    def keys(self, *keys: str) -> None:
        subprocess.run([self.tmux, "-L", self.name, "send-keys", "-t", self.name, *keys], check=True)

    def screen(self, history: bool = False) -> str:
        extra = ["-S", "-3000"] if history else []
        done = subprocess.run(
            [self.tmux, "-L", self.name, "capture-pane", "-p", "-t", self.name, *extra],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def wait_for(self, text: str, timeout: float = 30, history: bool = False) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(history)
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"waited for {text!r}:\n{screen}")

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.name, "kill-server"], capture_output=True, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("width", [40, 80, 200])
def test_ids_whole_on_a_real_terminal(width: int) -> None:
    pane = Pane(width, 50)
    try:
        pane.keys(f"{MILA} --no-pager facts --category labs; echo done-$((6*7))", "Enter")
        screen = pane.wait_for("done-42", history=True)
    finally:
        pane.close()
    words = set(screen.split())
    assert {"lisa", "rl-lab", "rl-lab-co-directors"} <= words
    assert max(len(line.rstrip()) for line in screen.splitlines()) <= width


@pytest.mark.slow
def test_less_pages_a_long_list_and_leaves_it_on_screen() -> None:
    need("less")
    pane = Pane(100, 20)
    try:
        pane.keys(f"{MILA} facts", "Enter")
        screen = pane.wait_for(":")  # less's prompt: the list is taller than the screen
        assert "$ " not in screen.splitlines()[-1]  # not back at the shell yet
        pane.keys("q")
        deadline = time.monotonic() + 10
        while pane.screen().rstrip().splitlines()[-1] != "$" and time.monotonic() < deadline:
            time.sleep(0.1)
        screen = pane.screen()
        assert screen.rstrip().splitlines()[-1] == "$", screen  # back at the prompt
        # -X: what was read stays on the screen after quitting
        assert "id" in screen and "─" in screen
    finally:
        pane.close()


@pytest.mark.slow
def test_short_output_is_not_paged_even_with_less() -> None:
    pane = Pane(100, 40)
    try:
        pane.keys(f"{MILA} sources; echo done-$((6*7))", "Enter")
        screen = pane.wait_for("done-42")
        assert "core-expertise" in screen
    finally:
        pane.close()


def _fake_pager(tmp_path: Path, name: str = "pager.sh") -> tuple[str, Path]:
    """A pager that keeps what it was given, and LESS as it found it."""
    kept = tmp_path / "paged.txt"
    script = tmp_path / name
    script.write_text(f'#!/bin/sh\necho "LESS=$LESS" > {kept}\ncat >> {kept}\n')
    script.chmod(0o755)
    return str(script), kept


def _on_tty(command: str, env: dict[str, str], lines: int = 20, columns: int = 100) -> str:
    need("script")
    # Coverage's hooks are kept here: nothing of theirs reaches a screen that is read.
    measured = {k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")}
    done = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        capture_output=True,
        env={**_person_env(**env), **measured, "COLUMNS": str(columns), "LINES": str(lines)},
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    return done.stdout.decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.parametrize("variable", ["MILA_PAGER", "PAGER"])
def test_the_pager_is_mila_pager_then_pager(tmp_path: Path, variable: str) -> None:
    pager, kept = _fake_pager(tmp_path)
    screen = _on_tty(f"{MILA} facts", {variable: pager})
    paged = kept.read_text()
    assert paged.startswith("LESS=FRX\n") and "lisa-founded" in paged
    assert "\x1b[" not in paged and " \n" not in paged  # more and the like get no colour, no padding
    assert "lisa-founded" not in screen  # all of it went to the pager


@pytest.mark.slow
def test_less_gets_the_colour(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    pager, kept = _fake_pager(tmp_path, "bin/less")
    _on_tty(f"{MILA} facts", {"MILA_PAGER": pager})
    assert "\x1b[" in kept.read_text()  # less -R shows it


@pytest.mark.slow
def test_mila_pager_wins_and_an_empty_one_means_none(tmp_path: Path) -> None:
    pager, kept = _fake_pager(tmp_path)
    screen = _on_tty(f"{MILA} facts", {"MILA_PAGER": "", "PAGER": pager})
    assert not kept.exists() and "lisa-founded" in screen


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        "{mila} --no-pager facts",
        "{mila} facts --no-pager",
        "{mila} facts | cat",
        "{mila} facts --json | cat",
        "{mila} sources",
    ],
)
def test_no_pager_when_asked_in_a_pipe_or_for_what_fits(tmp_path: Path, command: str) -> None:
    pager, kept = _fake_pager(tmp_path)
    screen = _on_tty(command.format(mila=MILA), {"MILA_PAGER": pager})
    assert not kept.exists(), command
    assert ("core-expertise" if "sources" in command else "lisa-founded") in screen


@pytest.mark.slow
def test_json_on_a_terminal_is_paged_when_long(tmp_path: Path) -> None:
    pager, kept = _fake_pager(tmp_path)
    _on_tty(f"{MILA} facts --json", {"MILA_PAGER": pager})
    assert json.loads(kept.read_text().split("\n", 1)[1])


@pytest.mark.slow
def test_a_user_less_setting_is_kept(tmp_path: Path) -> None:
    pager, kept = _fake_pager(tmp_path)
    _on_tty(f"{MILA} facts", {"MILA_PAGER": pager, "LESS": "-R"})
    assert kept.read_text().startswith("LESS=-R\n")


@pytest.mark.slow
def test_term_dumb_honours_columns_and_draws_no_colour() -> None:
    screen = _on_tty(f"{MILA} --no-pager facts --category labs", {"TERM": "dumb"}, columns=120)
    lines = [_SGR.sub("", line) for line in screen.splitlines()]
    assert max(len(line.rstrip()) for line in lines) > 80  # not rich's fixed 80 for a dumb terminal
    assert not re.search(r"\x1b\[[0-9;]*(3[0-9]|9[0-7])m", screen)


@pytest.mark.slow
def test_term_dumb_takes_the_terminal_size_without_columns() -> None:
    pane = Pane(120, 40, TERM="dumb")
    try:
        pane.keys(f"{MILA} --no-pager facts --category labs; echo done-$((6*7))", "Enter")
        screen = pane.wait_for("done-42")
    finally:
        pane.close()
    assert max(len(line.rstrip()) for line in screen.splitlines()) > 80


# The pager, in process ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("mila_pager", "pager", "expected"),
    [
        (None, None, ["less"]),
        (None, "more -d", ["more", "-d"]),
        ("less -S", "more", ["less", "-S"]),
        ("", "more", None),
        ("cat", None, None),
        ("'unbalanced", None, None),
        ("no-such-pager-here", None, None),
    ],
)
def test_which_pager(
    monkeypatch: pytest.MonkeyPatch, mila_pager: str | None, pager: str | None, expected: list[str] | None
) -> None:
    from mila_cli import pager as chosen

    for name, value in (("MILA_PAGER", mila_pager), ("PAGER", pager)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    if expected is not None and shutil.which(expected[0]) is None:
        pytest.skip(f"{expected[0]} is not installed")
    assert chosen.command() == expected


def test_page_hands_the_text_to_the_pager(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mila_cli import pager

    script, kept = _fake_pager(tmp_path)
    monkeypatch.setenv("MILA_PAGER", script)
    monkeypatch.delenv("LESS", raising=False)
    assert pager.page("line one\nline two\n")
    assert kept.read_text() == "LESS=FRX\nline one\nline two\n"
    monkeypatch.setenv("MILA_PAGER", "")
    assert not pager.page("not shown")


def test_a_pager_that_quits_early_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mila_cli import pager

    quitter = tmp_path / "quit.sh"
    quitter.write_text("#!/bin/sh\nexit 0\n")
    quitter.chmod(0o755)
    monkeypatch.setenv("MILA_PAGER", str(quitter))
    assert pager.page("x\n" * 200_000)  # more than a pipe holds: the write meets a closed pipe


def test_long_json_on_a_terminal_goes_to_the_pager(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mila_cli import jsonout, pager

    paged: list[str] = []

    def page(text: str, encoding: str | None = None) -> bool:
        assert encoding == "utf-8"  # JSON is UTF-8 whatever the locale
        paged.append(text)
        return True

    monkeypatch.setattr(pager, "page", page)
    monkeypatch.setattr(shutil, "get_terminal_size", lambda: os.terminal_size((80, 8)))
    jsonout.JsonOutput(paged=True).facts([{"id": str(i)} for i in range(10)])
    assert paged and json.loads(paged[0]) and capsys.readouterr().out == ""
    jsonout.JsonOutput(paged=True).facts([{"id": "one"}])  # fits: printed, not paged
    assert len(paged) == 1 and json.loads(capsys.readouterr().out) == [{"id": "one"}]


@pytest.mark.slow
def test_a_list_past_the_table_limit_is_paged_and_the_note_comes_last(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    people = [
        {"id": f"p{i}", "category": "people", "name": "Ada", "roles": ["r"], "text": "T.", "source": "encyclopedia"}
        for i in range(2100)
    ]
    (pack / "people.json").write_text(json.dumps(people), encoding="utf-8")
    pager, kept = _fake_pager(tmp_path)
    screen = _on_tty(f"{MILA} --facts-dir {shlex.quote(str(pack))} people", {"MILA_PAGER": pager})
    assert "p2099\tAda\tr" in kept.read_text()  # the plain lines went to the pager
    assert "p2099" not in screen and screen.strip().endswith("(tables stop at 2,000)")  # the note, after it
