"""What a person sees in a real terminal: tmux runs a shell, keys are typed, the pane is read."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import need

pytestmark = pytest.mark.slow


class Pane:
    """One tmux session running bash at a fixed size, with mila on its PATH."""

    def __init__(self, tmux: str, home: Path, width: int) -> None:
        self.tmux = tmux
        self.name = f"mila-{uuid.uuid4().hex[:8]}"
        # As a person's shell: no colour overrides, no fixed size, and no coverage hooks
        # (pytest-cov's subprocess coverage may print a warning into the pane).
        dropped = ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")
        env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith(("COV_CORE", "COVERAGE_"))}
        env.update(HOME=str(home), TERM="xterm-256color", PS1="$ ", LANG="C.UTF-8")
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        size = ["-x", str(width), "-y", "50"]
        shell = ["bash", "--norc", "--noprofile"]
        subprocess.run(
            [tmux, "-L", self.name, "new-session", "-d", "-s", self.name, *size, *shell], env=env, check=True
        )

    def run(self, command: str, *, timeout: float = 30) -> str:
        """Type a command, wait for the prompt to come back, and return the screen."""
        marker = f"done-{uuid.uuid4().hex[:6]}"
        self._tmux("send-keys", "-t", self.name, "clear", "Enter")
        self._tmux("send-keys", "-t", self.name, f"{command}; echo {marker}", "Enter")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self._tmux("capture-pane", "-p", "-t", self.name, "-S", "-200")
            if f"\n{marker}" in screen:
                return screen.split(f"echo {marker}", 1)[-1].split(f"\n{marker}", 1)[0]
            time.sleep(0.1)
        raise AssertionError(f"no prompt after {command!r}:\n{screen}")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run([self.tmux, "-L", self.name, *args], capture_output=True, text=True, check=True)
        return done.stdout

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.name, "kill-server"], capture_output=True, check=False)


@pytest.fixture
def pane(isolated: Path) -> Iterator[Pane]:
    opened = Pane(need("tmux"), isolated, width=110)
    try:
        yield opened
    finally:
        opened.close()


MILA = f"{shlex.quote(sys.executable)} -m mila_cli"


def test_a_count_question_leads_with_both_figures_and_their_sources(pane: Pane) -> None:
    screen = pane.run(f'{MILA} search "how many researchers does mila have"')
    answer, _, table = screen.partition("score")
    assert "Answer" in answer
    assert "more than 1,200 researchers" in answer and "Core Expertise — Mila's own web page" in answer
    assert "about 800 researchers in 2021" in answer and "Mila (research institute) — encyclopedia article" in answer
    assert "researchers-1200" in table and "researchers-2021" in table and "disagrees:" in table


def test_a_french_question_and_its_typos_on_screen(pane: Pane) -> None:
    screen = pane.run(f'{MILA} search "qui a fondé le LISA"')
    assert "Answer" in screen and "Yoshua Bengio" in screen.partition("score")[0]
    screen = pane.run(f"{MILA} search benjio")
    assert "Read as: benjio → bengio" in screen


def test_no_answer_is_one_line_and_nothing_on_stdout(isolated: Path) -> None:
    wide = Pane(need("tmux"), isolated, width=300)  # wide enough that the line does not wrap
    try:
        screen = wide.run(f'{MILA} search "who is the CEO of mila"; echo "exit=$?"')
    finally:
        wide.close()
    lines = [line for line in screen.splitlines() if line.strip()]
    assert len(lines) == 2 and lines[-1] == "exit=1", screen
    message = lines[0]
    assert message.startswith("mila: no fact ") and "'CEO'" in message  # as typed


def test_show_names_sources_by_title_and_shows_the_other_side(pane: Pane) -> None:
    screen = pane.run(f"{MILA} show researchers-2021")
    assert "Mila (research institute) — encyclopedia article" in screen
    assert "disagrees" in screen and "more than 1,200 researchers" in screen
    screen = pane.run(f"{MILA} sources")
    assert "Core Expertise" in screen and "Mila (research institute)" in screen and "Undated" in screen
