"""The fast TAB path answers byte for byte as click does, for every command, option and
value position in bash, zsh and fish; what it cannot answer, click does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from click.shell_completion import get_completion_class

from mila_cli import fasttab, tabindex
from mila_cli.cli import cli

SHELLS = ("bash", "zsh", "fish")


def _env(shell: str, args: list[str], incomplete: str) -> dict[str, str]:
    if shell == "fish":
        words = ["mila", *args, *([incomplete] if incomplete else [])]
        return {"_MILA_COMPLETE": "fish_complete", "COMP_WORDS": " ".join(words), "COMP_CWORD": incomplete}
    words = ["mila", *args, incomplete]
    joined = "\n".join(words) if shell == "bash" else " ".join(words)  # as each script joins them
    return {"_MILA_COMPLETE": f"{shell}_complete", "COMP_WORDS": joined, "COMP_CWORD": str(len(args) + 1)}


def _click(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> bytes:
    """What click prints for this request (as its _main_shell_completion would)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    shell = env["_MILA_COMPLETE"].split("_")[0]
    cls = get_completion_class(shell)
    assert cls is not None
    return cls(cli, {}, "mila", "_MILA_COMPLETE").complete().encode() + b"\n"


def _typed_for(values: list[str]) -> Iterator[str]:
    yield from ("", "x", "zzz", "e", "E", "Jo", "JO", "ben", "learn", "reinf", "lisa", "mila", "deep", "9", "_", ".")
    for value in values:
        for n in range(1, min(len(value), 5) + 1):
            yield value[:n]
        yield value


def _requests() -> Iterator[tuple[str, list[str], str]]:
    positions = tabindex.build()
    for key, (_, items) in positions.items():
        args = [] if key == "" else key.split()
        if "*" in args:
            for first in ("yoshua", "deep learning"):
                for typed in ("", "b", "x"):
                    yield from ((s, [args[0], *first.split()], typed) for s in SHELLS)
            continue
        for typed in dict.fromkeys(_typed_for([i[0] for i in items])):
            yield from ((s, args, typed) for s in SHELLS)
    # Positions the index does not hold: click answers them.
    for args, typed in (
        (["bookmark", "remove"], ""),
        (["show", "lisa"], ""),
        (["facts", "--json"], ""),
        (["--facts-dir", "/nowhere", "people"], "jo"),
        (["people"], "joë"),
        (["search"], "lisa"),
        (["facts"], "--"),
        (["facts", "--category=pe"], ""),
        (["history", "--since"], "19"),
        (["show", "--color"], "a"),
    ):
        yield from ((s, args, typed) for s in SHELLS)


REQUESTS = list(_requests())


@pytest.mark.slow  # some 4,000 requests, each also put to click
def test_every_request_is_answered_as_click_answers_it(monkeypatch: pytest.MonkeyPatch) -> None:
    answered = 0
    for shell, args, typed in REQUESTS:
        env = _env(shell, args, typed)
        fast = fasttab.answer(env)
        if fast is None:
            continue
        answered += 1
        with monkeypatch.context() as patch:
            assert fast == _click(env, patch), (shell, args, typed)
    # Most requests are answered without click; the rest fall back to it.
    assert answered >= 0.8 * len(REQUESTS), f"{answered} of {len(REQUESTS)}"


@pytest.mark.parametrize(
    "env",
    [
        {"COMP_WORDS": "mila people 'jo", "COMP_CWORD": "2"},
        {"COMP_WORDS": "mila people jo", "COMP_CWORD": "2", "MILA_FACTS_PATH": "/some/pack"},
        {"COMP_WORDS": "mila --facts-dir p people jo", "COMP_CWORD": "4"},
        {"COMP_WORDS": "mila people jo", "COMP_CWORD": "x"},
        {"COMP_WORDS": "mila bookmark remove ic", "COMP_CWORD": "3"},
    ],
)
def test_what_the_index_cannot_answer_goes_to_click(env: dict[str, str]) -> None:
    assert fasttab.answer({"_MILA_COMPLETE": "bash_complete", **env}) is None


def test_only_completion_requests_are_taken() -> None:
    for instruction in ("bash_source", "tcsh_complete", "", "complete"):
        env = {"_MILA_COMPLETE": instruction, "COMP_WORDS": "mila peo", "COMP_CWORD": "1"}
        assert fasttab.answer(env) is None


def test_the_committed_index_is_what_the_commands_and_facts_make() -> None:
    with open(tabindex.INDEX_PATH, encoding="utf-8") as handle:
        assert handle.read() == tabindex.text(), "regenerate: python -m mila_cli.tabindex"


@pytest.mark.slow
def test_a_tab_through_the_console_script_never_imports_click() -> None:
    probe = (
        "import os, sys\n"
        "os.environ.update(_MILA_COMPLETE='bash_complete', COMP_WORDS='mila people jo', COMP_CWORD='2')\n"
        "import mila_cli\n"
        "try:\n    mila_cli.main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(m for m in sys.modules if m.split('.')[0] in ('click', 're', 'json')))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, env=env, check=True, timeout=60)
    assert done.stdout == b"plain,joelle-pineau\n"
    assert done.stderr == b""  # neither click, re nor json was imported


def test_the_bash_script_joins_words_with_newlines_and_is_answered_fast() -> None:
    # completions/mila.bash sets IFS to a newline, so "${COMP_WORDS[*]}" comes joined by newlines.
    env = {"_MILA_COMPLETE": "bash_complete", "COMP_WORDS": "mila\npeople\njo", "COMP_CWORD": "2"}
    assert fasttab.answer(env) == b"plain,joelle-pineau\n"
    env = {"_MILA_COMPLETE": "bash_complete", "COMP_WORDS": "mila\nshow\n", "COMP_CWORD": "2"}
    assert fasttab.answer(env) is not None
