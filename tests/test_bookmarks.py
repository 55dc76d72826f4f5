"""Bookmarks: the contract, and that no bookmark is ever lost to races, kills or corruption."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import bundled_facts, invoke, run

from mila_cli.bookmarks import BookmarkStore


def _list() -> list[dict[str, object]]:
    result = invoke("bookmark", "list", "--json")
    assert result.exit_code == 0, result.stderr
    data: list[dict[str, object]] = json.loads(result.stdout)
    return data


# Contract -------------------------------------------------------------------


def test_add_list_remove(data_dir: Path) -> None:
    assert invoke("bookmark", "add", "iclr", "--note", "conference").exit_code == 0
    assert invoke("bookmark", "add", "theano").exit_code == 0
    items = _list()
    assert [b["id"] for b in items] == ["iclr", "theano"]
    first = items[0]
    assert set(first) == {"id", "note", "added", "fact", "missing"}
    assert first["note"] == "conference" and first["missing"] is False
    assert first["fact"] == next(f for f in bundled_facts() if f["id"] == "iclr")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(first["added"]))
    assert invoke("bookmark", "remove", "iclr").exit_code == 0
    assert [b["id"] for b in _list()] == ["theano"]
    saved = json.loads((data_dir / "bookmarks.json").read_text(encoding="utf-8"))
    assert saved["version"] == 1


def test_adding_twice_keeps_one_and_replaces_the_note() -> None:
    invoke("bookmark", "add", "iclr", "--note", "old")
    added = _list()[0]["added"]
    invoke("bookmark", "add", "iclr", "--note", "new")
    items = _list()
    assert len(items) == 1 and items[0]["note"] == "new" and items[0]["added"] == added


def test_adding_again_without_a_note_keeps_it_and_an_empty_note_clears_it() -> None:
    invoke("bookmark", "add", "iclr", "--note", "conference")
    assert invoke("bookmark", "add", "iclr").exit_code == 0
    assert _list()[0]["note"] == "conference"
    invoke("bookmark", "add", "iclr", "--note", "")
    assert _list()[0]["note"] is None
    # An id typed in capitals is the fact's id: one bookmark, kept as the id is.
    invoke("bookmark", "add", "ICLR")
    assert [b["id"] for b in _list()] == ["iclr"]


def test_unknown_id_suggests_and_writes_nothing(data_dir: Path) -> None:
    result = invoke("bookmark", "add", "iclrr")
    assert result.exit_code == 1 and "did you mean iclr" in result.stderr
    assert not data_dir.exists()


def test_remove_unknown_is_not_found() -> None:
    invoke("bookmark", "add", "iclr")
    result = invoke("bookmark", "remove", "iclx")
    assert result.exit_code == 1 and "'iclx' is not bookmarked; did you mean iclr?" in result.stderr


def test_clear_asks_first() -> None:
    invoke("bookmark", "add", "iclr")
    result = invoke("bookmark", "clear", input="n\n")
    assert result.exit_code == 1 and len(_list()) == 1
    result = invoke("bookmark", "clear")  # no answer at all: nothing is removed
    assert result.exit_code == 1 and len(_list()) == 1
    assert invoke("bookmark", "clear", input="y\n").exit_code == 0
    assert _list() == []
    invoke("bookmark", "add", "iclr")
    assert invoke("bookmark", "clear", "--yes").exit_code == 0 and _list() == []


def test_empty_list() -> None:
    result = invoke("bookmark", "list")
    assert result.exit_code == 0 and result.stdout == "" and "no bookmarks yet" in result.stderr
    assert _list() == []


def test_plain_list_is_one_line_per_bookmark() -> None:
    invoke("bookmark", "add", "iclr", "--note", "a\tnote\nwith breaks")
    (line,) = invoke("bookmark", "list").stdout.splitlines()
    assert line.split("\t")[0] == "iclr" and line.split("\t")[2] == "a note with breaks"


def test_bookmark_whose_fact_is_gone_is_listed_as_missing(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    fact = {"id": "my-lab", "category": "labs", "text": "My lab.", "source": "encyclopedia"}
    (pack / "mine.json").write_text(json.dumps([fact]), encoding="utf-8")
    assert invoke("--facts-dir", str(pack), "bookmark", "add", "my-lab").exit_code == 0
    items = _list()  # without the pack
    assert items == [{"id": "my-lab", "note": None, "added": items[0]["added"], "fact": None, "missing": True}]
    assert "missing" in invoke("bookmark", "list").stdout
    assert invoke("--facts-dir", str(pack), "bookmark", "list", "--json").exit_code == 0


def test_path_honours_mila_data_dir_and_xdg(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("bookmark", "path").stdout == f"{data_dir / 'bookmarks.json'}\n"
    monkeypatch.delenv("MILA_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert invoke("bookmark", "path").stdout == f"{tmp_path / 'xdg' / 'mila' / 'bookmarks.json'}\n"


def test_other_commands_never_touch_the_data_dir(data_dir: Path) -> None:
    for args in (
        ["facts"],
        ["show", "iclr"],
        ["history"],
        ["areas"],
        ["areas", "nlp"],
        ["people"],
        ["people", "bengio"],
        ["search", "lisa"],
        ["completion", "bash"],
        ["bookmark", "path"],
    ):
        assert invoke(*args).exit_code == 0
    assert not data_dir.exists()


# Never lose a bookmark ------------------------------------------------------


@pytest.mark.slow
def test_forty_writers_at_once_leave_forty_bookmarks(data_dir: Path) -> None:
    ids = [f["id"] for f in bundled_facts()][:40]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "mila_cli", "bookmark", "add", i, "--note", f"n{i}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in ids
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    items = _list()
    assert sorted(b["id"] for b in items) == sorted(ids)  # type: ignore[type-var]
    assert all(b["note"] == f"n{b['id']}" for b in items)


_SLOW_WRITER = """
import os, sys, time
from mila_cli import bookmarks
real_replace = os.replace
def stall(src, dst):
    print("written", flush=True)   # the temporary file is complete, the lock is held
    time.sleep(60)
bookmarks.os.replace = stall
bookmarks.BookmarkStore().add(sys.argv[1], None)
"""


@pytest.mark.slow
def test_writer_killed_holding_the_lock_loses_nothing(data_dir: Path) -> None:
    invoke("bookmark", "add", "iclr")
    before = (data_dir / "bookmarks.json").read_bytes()
    child = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, "theano"], stdout=subprocess.PIPE)
    assert child.stdout is not None
    assert child.stdout.readline() == b"written\n"
    assert list(data_dir.glob(".bookmarks.json.*.tmp"))  # it was mid-write
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert (data_dir / "bookmarks.json").read_bytes() == before  # the old file, whole
    started = time.monotonic()
    done = run("bookmark", "add", "gans")
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 10  # no stale lock held it up
    assert [b["id"] for b in _list()] == ["iclr", "gans"]
    assert not list(data_dir.glob(".bookmarks.json.*.tmp"))  # the orphan was swept


@pytest.mark.slow
def test_writers_killed_at_random_moments_leave_a_valid_file(data_dir: Path) -> None:
    ids = [f["id"] for f in bundled_facts()]
    rng = random.Random(7)
    for i in range(25):
        child = subprocess.Popen(
            [sys.executable, "-m", "mila_cli", "bookmark", "add", ids[i]],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        path = data_dir / "bookmarks.json"
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            assert data["version"] == 1 and all(b["id"] in ids for b in data["bookmarks"])
    done = run("bookmark", "add", "iclr", timeout=20)
    assert done.returncode == 0, done.stderr
    assert "iclr" in [b["id"] for b in _list()]


def test_corrupt_file_read_exits_3_and_write_backs_it_up(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    path = data_dir / "bookmarks.json"
    path.write_bytes(b'{"version": 1, "bookmarks": [')
    result = invoke("bookmark", "list")
    assert result.exit_code == 3 and result.stdout == ""
    assert str(path) in result.stderr and "corrupt" in result.stderr and "backup" in result.stderr
    assert result.stderr.count("\n") == 1
    result = invoke("bookmark", "add", "iclr")
    assert result.exit_code == 0
    (backup,) = data_dir.glob("bookmarks.json.corrupt-*")
    assert backup.read_bytes() == b'{"version": 1, "bookmarks": ['
    assert str(backup) in result.stderr
    assert [b["id"] for b in _list()] == ["iclr"]


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe", b"[]", b'{"bookmarks": []}', b'{"version": 1, "bookmarks": [{"id": 3}]}', b""],
)
def test_every_kind_of_corruption_is_caught(data_dir: Path, content: bytes) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "bookmarks.json").write_bytes(content)
    assert invoke("bookmark", "list").exit_code == 3
    assert invoke("bookmark", "remove", "iclr").exit_code == 1  # after moving it aside
    assert len(list(data_dir.glob("bookmarks.json.corrupt-*"))) == 1


def test_newer_format_is_never_overwritten(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    newer = b'{"version": 2, "bookmarks": [], "folders": {}}'
    (data_dir / "bookmarks.json").write_bytes(newer)
    for args in (["list"], ["add", "iclr"], ["clear", "--yes"]):
        result = invoke("bookmark", *args)
        assert result.exit_code == 3 and "upgrade mila" in result.stderr
    assert (data_dir / "bookmarks.json").read_bytes() == newer


def test_impossible_data_dir_fails_bookmarks_only(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    env = {"MILA_DATA_DIR": str(blocker / "mila")}
    for args in (["add", "iclr"], ["list"], ["remove", "iclr"], ["clear", "--yes"]):
        done = run("bookmark", *args, env=env)
        assert done.returncode == 3, (args, done.stderr)
        assert done.stderr.count(b"\n") == 1 and str(blocker).encode() in done.stderr
        assert b"Traceback" not in done.stderr
    assert run("facts", env=env).returncode == 0
    assert run("search", "lisa", env=env).returncode == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through directory permissions")
def test_read_only_data_dir(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    data_dir.chmod(0o500)
    try:
        result = invoke("bookmark", "add", "iclr")
        assert result.exit_code == 3 and "cannot write bookmarks" in result.stderr
    finally:
        data_dir.chmod(0o700)


def test_store_serialises_in_process_too(data_dir: Path) -> None:
    store = BookmarkStore(data_dir)
    assert store.add("iclr", None) is True
    assert store.add("iclr", "x") is False
    assert store.remove("iclr") is True and store.remove("iclr") is False
    assert store.clear() == 0
