"""The fast TAB path answers byte for byte as click does, for every command, option and
value position in bash, zsh and fish; what it cannot answer, click does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.shell_completion import get_completion_class
from conftest import SOURCE

from mila_cli import facts, fasttab, packindex, tabindex
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
        {"COMP_WORDS": "mila people jo", "COMP_CWORD": "2", "MILA_FACTS_PATH": "/some/pack"},  # no record
        {"COMP_WORDS": "mila areas de", "COMP_CWORD": "2", "MILA_FACTS_PATH": "/some/pack"},
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


# A TAB with packs ----------------------------------------------------------------


def _indexed_pack(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A pack whose one fact file is in a pack index, loaded once (which writes the record
    a fast TAB reads)."""
    folder.mkdir(parents=True, exist_ok=True)
    people: list[dict[str, Any]] = [
        {"id": f"pack-person-{i}", "category": "people", "name": f"Jo Packer{i}", "roles": ["r"], "text": "T."}
        for i in range(30)
    ]
    notes: list[dict[str, Any]] = [
        {"id": f"note-{i}", "category": "notes", "text": f"Note {i}: something said."} for i in range(1200)
    ]
    items = [{**f, "source": SOURCE} for f in [*people, *notes]]
    items[3]["aliases"] = ["Bengio's friend", "JOY"]
    (folder / "pack.json").write_text(json.dumps(items), encoding="utf-8")
    (folder / "sources.json").write_text("[]", encoding="utf-8")
    monkeypatch.setattr(packindex, "MIN_BYTES", 0)
    monkeypatch.setenv("MILA_FACTS_PATH", str(folder))
    assert facts.load([str(folder)]).store is not None
    return folder


def test_a_tab_on_an_indexed_pack_is_answered_as_click_answers_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = _indexed_pack(tmp_path / "pack", monkeypatch)
    answered = 0
    for args in (["show"], ["bookmark", "add"], ["people"]):
        for typed in (
            "",
            "p",
            "pack-person-1",
            "pack-person-29",
            "jo",
            "JO",
            "packer1",
            "bengio",
            "no",
            "note-11",
            "note-1",
            "lisa",
            "y",
            "zzz",
            "joy",
        ):
            for shell in SHELLS:
                env = {**_env(shell, args, typed), "MILA_FACTS_PATH": str(pack)}
                fast = fasttab.answer(env)
                assert fast is not None, (shell, args, typed)
                answered += fast.strip() != b""
                with monkeypatch.context() as patch:
                    assert fast == _click(env, patch), (shell, args, typed)
    assert answered > 60
    # More than MAX_OFFERS ids start with "note": none is offered, by either path.
    env = {**_env("bash", ["show"], "n"), "MILA_FACTS_PATH": str(pack)}
    assert fasttab.answer(env) == b"\n"


def test_a_tab_on_a_pack_goes_to_click_unless_a_record_vouches_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = _indexed_pack(tmp_path / "pack", monkeypatch)
    env = {**_env("bash", ["show"], "pack-person-2"), "MILA_FACTS_PATH": str(pack)}
    assert fasttab.answer(env) is not None
    assert fasttab.answer({**env, "COMP_WORDS": "mila\nsearch\n--category\np", "COMP_CWORD": "3"}) is None
    cache_home = os.environ["XDG_CACHE_HOME"]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))  # not where the record is
    assert fasttab.answer(env) is None
    monkeypatch.setenv("XDG_CACHE_HOME", cache_home)
    (pack / "small.json").write_text("[]", encoding="utf-8")  # a file the record does not list
    assert fasttab.answer(env) is None
    (pack / "small.json").unlink()
    assert fasttab.answer(env) is not None
    os.utime(pack / "sources.json", ns=(1, 1))  # changed since the load checked it
    assert fasttab.answer(env) is None


@pytest.mark.slow
def test_a_tab_on_an_indexed_pack_never_imports_click(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    text = "A note about deep learning, reinforcement learning and the lab in Montréal, said again. " * 4
    items = [{"id": f"big-{i}", "category": "notes", "text": text, "source": SOURCE} for i in range(4000)]
    (pack / "pack.json").write_text(json.dumps(items), encoding="utf-8")
    assert (pack / "pack.json").stat().st_size > packindex.MIN_BYTES
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    env["MILA_FACTS_PATH"] = str(pack)
    subprocess.run([sys.executable, "-m", "mila_cli", "show", "big-1"], env=env, check=True, capture_output=True)
    probe = (
        "import os, sys\n"
        "os.environ.update(_MILA_COMPLETE='bash_complete', COMP_WORDS='mila show big-399', COMP_CWORD='2')\n"
        "import mila_cli\n"
        "try:\n    mila_cli.main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(m for m in sys.modules if m.split('.')[0] in ('click', 're', 'json', 'typing')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, env=env, check=True, timeout=60)
    assert done.stdout == b"plain,big-399\nplain,big-3990\nplain,big-3991\n" + b"".join(
        f"plain,big-399{d}\n".encode() for d in range(2, 10)
    )
    assert done.stderr == b""  # neither click, re, json nor typing was imported


def test_no_record_when_a_pack_changes_while_it_is_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = packindex.open_store

    def and_then_an_edit(*args: Any, **kwargs: Any) -> Any:
        store = real(*args, **kwargs)
        (tmp_path / "pack" / "sources.json").write_text("[ ]", encoding="utf-8")  # after the index was read
        return store

    monkeypatch.setattr(packindex, "open_store", and_then_an_edit)
    pack = _indexed_pack(tmp_path / "pack", monkeypatch)
    env = {**_env("bash", ["show"], "pack-person-2"), "MILA_FACTS_PATH": str(pack)}
    assert fasttab.answer(env) is None  # click answers, from the files as they are now


def test_a_fast_tab_on_packs_follows_mila_cache_dir_and_the_folder_named_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILA_CACHE_DIR", str(tmp_path / "cache"))
    pack = _indexed_pack(tmp_path / "pack", monkeypatch)
    twice = os.pathsep.join([str(pack), str(pack) + "/"])
    monkeypatch.setenv("MILA_FACTS_PATH", twice)
    facts.load([str(pack), str(pack) + "/"])  # the record for this MILA_FACTS_PATH
    env = {**_env("bash", ["show"], "pack-person-2"), "MILA_FACTS_PATH": twice}
    fast = fasttab.answer(env)
    with monkeypatch.context() as patch:
        assert fast is not None and fast == _click(env, patch)
    for index in (tmp_path / "cache").glob("*.sqlite"):
        index.unlink()  # the record names an index that is gone: click answers
    assert fasttab.answer(env) is None
