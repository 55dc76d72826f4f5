"""TAB as a person meets it: `mila completion install`, then a new interactive bash, zsh or
fish in tmux, keys typed and the screen read. Nothing else is set up but what install
printed for the user to add."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import need, run

pytestmark = pytest.mark.slow

DEBIAN_BASHRC = Path("/etc/skel/.bashrc")  # what a new Debian account starts with


class Shell:
    """A new interactive shell in tmux, as a person opens one: their home, their PATH."""

    def __init__(self, argv: list[str], home: Path) -> None:
        self.tmux = need("tmux")
        self.name = f"mila-{uuid.uuid4().hex[:8]}"
        dropped = ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "ZDOTDIR", "BASH_COMPLETION_USER_DIR")
        env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith(("COV_CORE", "COVERAGE_"))}
        env.update(HOME=str(home), TERM="xterm-256color", LANG="C.UTF-8", SHELL=argv[0])
        # mila lives in a virtual environment (or pipx, or uv): only its bin folder is on PATH.
        env["PATH"] = _on_path()
        subprocess.run(
            [self.tmux, "-L", self.name, "new-session", "-d", "-s", self.name, "-x", "150", "-y", "40", *argv],
            env=env,
            cwd=home,
            check=True,
        )
        self.wait_for(lambda screen: screen.rstrip().endswith(("$", "#", "%", ">")), "a prompt")

    def screen(self) -> str:
        done = subprocess.run(
            [self.tmux, "-L", self.name, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([self.tmux, "-L", self.name, "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, ready: object, what: str, timeout: float = 20) -> str:
        assert callable(ready)
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if ready(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"waited for {what}; the screen:\n{screen}")

    def tab(self, typed: str, expect: str) -> str:
        """Type a line, press TAB, and wait until the screen shows `expect`."""
        self.keys("C-u")  # an empty line first
        self.keys("-l", typed)
        self.keys("Tab")
        return self.wait_for(lambda s: expect in s, repr(expect) + f" after {typed!r} + TAB")

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.name, "kill-server"], capture_output=True, check=False)


@pytest.fixture
def home(isolated: Path) -> Path:
    return isolated


def _on_path() -> str:
    """PATH as the person has it: mila's bin folder (a venv, pipx or uv) and the system's."""
    return f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin"


def _install(home: Path, *args: str) -> list[str]:
    done = run("completion", "install", *args, env={"HOME": str(home), "PATH": _on_path()})
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    return done.stdout.decode().splitlines()


@pytest.fixture
def opened() -> Iterator[list[Shell]]:
    shells: list[Shell] = []
    yield shells
    for shell in shells:
        shell.close()


def _line(screen: str, start: str) -> str:
    """The last line on screen that starts with the prompt and `start`."""
    lines = [ln for ln in screen.splitlines() if start in ln]
    assert lines, screen
    return lines[-1]


def test_bash_as_debian_sets_it_up(home: Path, opened: list[Shell]) -> None:
    need("bash")
    if not DEBIAN_BASHRC.exists() or not Path("/usr/share/bash-completion/bash_completion").exists():
        need("debian-bashrc-and-bash-completion")  # skip locally, fail in CI
    shutil.copy(DEBIAN_BASHRC, home / ".bashrc")
    report = _install(home, "bash")
    target = home / "data" / "bash-completion" / "completions" / "mila"  # XDG_DATA_HOME
    assert report[0] == f"installed bash completion in {target}" and target.is_file()
    assert report[-1] == "open a new shell to use it" and len(report) == 2  # nothing to add
    shell = Shell(["bash", "-i"], home)
    opened.append(shell)
    assert _line(shell.tab("mila peo", "mila people"), "mila people").endswith("mila people")
    assert "joelle-pineau" in shell.tab("mila people jo", "joelle-pineau")
    # Several offers that share no start: the typed word stays, they are listed.
    screen = shell.tab("mila areas learn", "mila areas learn")
    shell.keys("Tab")
    screen = shell.wait_for(lambda s: "deep-learning" in s, "the listed offers")
    assert "mila areas learn" in screen and "command not found" not in screen


def test_zsh_with_compinit_and_the_line_install_printed(home: Path, opened: list[Shell]) -> None:
    need("zsh")
    (home / ".zshrc").write_text("PS1='%% '\nautoload -Uz compinit && compinit\n")
    report = _install(home, "zsh")
    target = home / "data" / "zsh" / "site-functions" / "_mila"
    assert report[0] == f"installed zsh completion in {target}" and target.is_file()
    assert report[1] == "add this line to ~/.zshrc, before compinit:"
    line = report[2].strip()
    assert line == "fpath=(~/data/zsh/site-functions $fpath)"
    # The person adds that one line, before compinit, and opens a new shell.
    (home / ".zshrc").write_text(f"PS1='%% '\n{line}\nautoload -Uz compinit && compinit\n")
    assert len(_install(home, "zsh")) == 2  # installed again: unchanged, and nothing left to add
    shell = Shell(["zsh", "-i"], home)
    opened.append(shell)
    assert _line(shell.tab("mila peo", "mila people"), "mila people").endswith("mila people")
    assert "joelle-pineau" in shell.tab("mila people jo", "joelle-pineau")
    # Offers that start with what was typed complete it; the typed word is never erased.
    assert "reinforcement-learning" in _line(shell.tab("mila areas reinf", "reinforcement-learning"), "mila areas")
    screen = shell.tab("mila areas learn", "deep-learning")
    assert "mila areas learn" in screen
    # Commands listed with their descriptions, commas and all.
    assert "add, list" in shell.tab("mila ", "bookmark")


def test_zsh_without_compinit_starts_quietly(home: Path, opened: list[Shell]) -> None:
    need("zsh")
    (home / ".zshrc").write_text("PS1='%% '\neval \"$(mila completion zsh)\"\necho started\n")
    shell = Shell(["zsh", "-i"], home)
    opened.append(shell)
    screen = shell.wait_for(lambda s: "started" in s, "the start-up file to finish")
    assert "compdef" not in screen and "not found" not in screen


def test_fish_as_installed(home: Path, opened: list[Shell]) -> None:
    need("fish")
    report = _install(home, "fish")
    target = home / "config" / "fish" / "completions" / "mila.fish"  # XDG_CONFIG_HOME, made by install
    assert report == [f"installed fish completion in {target}", "open a new shell to use it"]
    shell = Shell(["fish", "-i", "-C", "set -g fish_greeting"], home)
    opened.append(shell)
    assert "mila people" in shell.tab("mila peo", "mila people")
    assert "joelle-pineau" in shell.tab("mila people jo", "joelle-pineau")
    # Commands listed with their descriptions, whole: fish's own script cut them at a comma.
    assert "add, list" in shell.tab("mila ", "bookmark")


def test_install_takes_the_shell_from_shell_env(home: Path) -> None:
    done = run("completion", "install", env={"HOME": str(home), "SHELL": "/usr/bin/fish"})
    assert done.returncode == 0 and (home / "config" / "fish" / "completions" / "mila.fish").is_file()


def test_install_says_when_mila_is_not_on_path(home: Path) -> None:
    done = run("completion", "install", "fish", env={"HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0
    assert "note: 'mila' is not on your PATH" in done.stdout.decode()


def test_eval_line_of_a_missing_mila_is_quiet(home: Path, opened: list[Shell]) -> None:
    # The README's line, in a shell where mila is not installed (or not yet on PATH).
    need("bash")
    (home / ".bashrc").write_text(
        "PS1='$ '\nPATH=/usr/bin:/bin\ncommand -v mila >/dev/null && eval \"$(mila completion bash)\"\necho started\n"
    )
    shell = Shell(["bash", "-i"], home)
    opened.append(shell)
    screen = shell.wait_for(lambda s: "started" in s, "the start-up file to finish")
    assert "not found" not in screen


@pytest.mark.usefixtures("ctrl_c_reaches_children")
def test_ctrl_c_during_a_tab_prints_nothing(tmp_path: Path) -> None:
    """A TAB on a pack slow to load, given up on with Ctrl-C while it works."""
    import json
    import signal

    pack = tmp_path / "big"
    pack.mkdir()
    facts = [
        {"id": f"p{i}", "category": "people", "name": f"P {i}", "roles": ["r"], "text": "t", "source": "encyclopedia"}
        for i in range(60_000)
    ]
    for k in range(0, len(facts), 2000):  # files under a mebibyte: read at every TAB, not indexed, so slow
        (pack / f"p-{k:05}.json").write_text(json.dumps(facts[k : k + 2000]))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE", "COVERAGE_"))}  # as a person runs it
    env.update(
        COMP_WORDS="mila people p1234", COMP_CWORD="2", _MILA_COMPLETE="bash_complete", MILA_FACTS_PATH=str(pack)
    )
    mila = [str(Path(sys.executable).parent / "mila")]
    subprocess.run(mila, env=env, capture_output=True, check=True, timeout=60)  # warm: the page cache
    started = time.monotonic()
    whole = subprocess.run(mila, env=env, capture_output=True, check=True, timeout=60)
    took = time.monotonic() - started
    assert b"plain,p1234\n" in whole.stdout
    for share in (0.5, 0.8):  # past start-up, while the pack loads or the values are made
        process = subprocess.Popen(mila, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(took * share)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        if process.returncode == 0:  # it finished first: nothing was given up on
            continue
        # Killed by the signal, silently: nothing on stderr, and on stdout at most the start
        # of the answer (the shell drops a TAB given up on); never a traceback.
        assert process.returncode == -signal.SIGINT and err == b"", f"at {share:.0%} of {took:.2f}s"
        assert whole.stdout.startswith(out)
