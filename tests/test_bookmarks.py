"""Bookmarks: the contract, and that no bookmark is ever lost to races, kills or corruption."""

from __future__ import annotations

import errno
import json
import os
import random
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import bundled_facts, invoke, run

from mila_cli import bookmarks
from mila_cli.bookmarks import BookmarkStore
from mila_cli.errors import DataError


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


@pytest.mark.parametrize("given", ["./d", "d//", ".", "d/./e", "d/", "a/b/../c", "/tmp//x/./y/"])
def test_the_path_is_shown_as_pathlib_shows_it(given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MILA_DATA_DIR", given)
    assert invoke("bookmark", "path").stdout == f"{Path(given) / 'bookmarks.json'}\n"
    if not given.startswith("/"):
        assert invoke("bookmark", "add", "iclr").exit_code == 0 and invoke("bookmark", "add", "gans").exit_code == 0
        assert [b["id"] for b in json.loads((Path(given) / "bookmarks.json").read_text())["bookmarks"]] == [
            "iclr",
            "gans",
        ]


def test_a_folder_that_cannot_be_listed_can_still_be_written(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A folder of mode 0300 (write and enter, not list): only sweeping orphans lists it.
    listing = os.scandir

    def refuse(path: str) -> Any:
        if Path(path) == data_dir:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return listing(path)

    monkeypatch.setattr(os, "scandir", refuse)
    assert invoke("bookmark", "add", "iclr").exit_code == 0
    assert [b["id"] for b in _list()] == ["iclr"]


def test_a_link_through_a_file_is_a_read_error(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "bookmarks.json").symlink_to(tmp_path / "afile" / "bm.json")
    result = invoke("bookmark", "add", "iclr")
    assert result.exit_code == 3
    assert result.stderr == f"mila: cannot read bookmarks file {data_dir / 'bookmarks.json'}: Not a directory\n"


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


def test_a_write_sweeps_only_its_own_temporary_files(data_dir: Path) -> None:
    invoke("bookmark", "add", "iclr")
    left = [".bookmarks.json.k2j4x9.tmp", ".bookmarks.json..tmp"]  # mkstemp's names, as a killed writer leaves them
    kept = [".bookmarks.json.tmp", "bookmarks.json.k2j4x9.tmp", ".other.json.k2j4x9.tmp", ".bookmarks.json.k2j4x9"]
    for name in left + kept:
        (data_dir / name).write_text("x", encoding="utf-8")
    assert invoke("bookmark", "add", "gans").exit_code == 0
    assert sorted(
        p.name for p in data_dir.iterdir() if p.name not in ("bookmarks.json", "bookmarks.json.lock")
    ) == sorted(kept)


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
    # Removing reads first: a corrupt file is reported, and left where it is.
    assert invoke("bookmark", "remove", "iclr").exit_code == 3
    assert (data_dir / "bookmarks.json").read_bytes() == content
    # Adding (or clearing) keeps it as a backup and starts a new file.
    assert invoke("bookmark", "add", "iclr").exit_code == 0
    assert len(list(data_dir.glob("bookmarks.json.corrupt-*"))) == 1


def test_newer_format_is_never_overwritten(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    newer = b'{"version": 2, "bookmarks": [], "folders": {}}'
    (data_dir / "bookmarks.json").write_bytes(newer)
    for args in (["list"], ["add", "iclr"], ["clear", "--yes"]):
        result = invoke("bookmark", *args)
        assert result.exit_code == 3 and "upgrade mila" in result.stderr
    assert (data_dir / "bookmarks.json").read_bytes() == newer


@pytest.mark.slow
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


# Safe to share, hard to break -----------------------------------------------

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes, FIFOs and flock")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _file(*items: dict[str, object], **others: object) -> bytes:
    return json.dumps({"version": 1, "bookmarks": list(items), **others}).encode()


def _bookmark(fact_id: object = "iclr", added: object = "2024-05-01T12:00:00Z") -> dict[str, object]:
    return {"id": fact_id, "note": None, "added": added}


def _assert_corrupt(data_dir: Path, content: bytes) -> None:
    """Reading says the file is corrupt, in one line; a write keeps it as a backup."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "bookmarks.json").write_bytes(content)
    result = invoke("bookmark", "list")
    assert result.exit_code == 3 and "corrupt" in result.stderr and result.stderr.count("\n") == 1
    result = invoke("bookmark", "add", "iclr")
    assert result.exit_code == 0, result.stderr
    (backup,) = data_dir.glob("bookmarks.json.corrupt-*")
    assert backup.read_bytes() == content and str(backup) in result.stderr
    assert [b["id"] for b in _list()] == ["iclr"]


_BOUNDED = """
import resource, runpy, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a runaway read ends in MemoryError, not swap
sys.argv = ["mila", *sys.argv[1:]]
runpy.run_module("mila_cli", run_name="__main__")
"""


def _run_bounded(*args: str) -> subprocess.CompletedProcess[bytes]:
    """mila in a child that can neither hang the test run nor eat the machine's memory."""
    return subprocess.run([sys.executable, "-c", _BOUNDED, *args], capture_output=True, timeout=30, check=False)


@posix_only
def test_what_mila_creates_is_private_even_under_umask_000(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    where = tmp_path / "new" / "mila"
    monkeypatch.setenv("MILA_DATA_DIR", str(where))
    old = os.umask(0)
    try:
        assert invoke("bookmark", "add", "iclr").exit_code == 0
    finally:
        os.umask(old)
    assert _mode(where) == _mode(where.parent) == 0o700
    assert _mode(where / "bookmarks.json") == _mode(where / "bookmarks.json.lock") == 0o600


@posix_only
def test_an_existing_data_dir_keeps_its_mode_and_an_old_lock_file_is_tightened(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    data_dir.chmod(0o755)
    lock = data_dir / "bookmarks.json.lock"
    lock.touch()
    lock.chmod(0o644)
    assert invoke("bookmark", "add", "iclr").exit_code == 0
    assert _mode(data_dir) == 0o755
    assert _mode(lock) == _mode(data_dir / "bookmarks.json") == 0o600


def test_a_lock_held_too_long_is_a_data_error(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fcntl = pytest.importorskip("fcntl")
    data_dir.mkdir(parents=True)
    monkeypatch.setattr(bookmarks, "LOCK_TIMEOUT", 0.2)
    lock = data_dir / "bookmarks.json.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a separate open file: filelock contends with it, even in this process
        with pytest.raises(DataError) as caught:
            BookmarkStore(data_dir).add("iclr", None)
    finally:
        os.close(fd)
    message = caught.value.message
    assert f"lock file {lock} has been held for 0.2s by another process; try again" in message
    assert "mila" not in message.replace(str(data_dir), "")
    assert not (data_dir / "bookmarks.json").exists()


@pytest.mark.parametrize("fact_id", ["a\x1b[31mb", "a\nb", "*", "ICLR", "", "a b", "x" * 81, 7, None])
def test_ids_that_are_not_fact_ids_are_corrupt(data_dir: Path, fact_id: object) -> None:
    _assert_corrupt(data_dir, _file(_bookmark(fact_id)))


@posix_only
@pytest.mark.parametrize("command", [["list"], ["add", "iclr"]])
def test_a_fifo_named_bookmarks_json_is_refused_at_once(data_dir: Path, command: list[str]) -> None:
    data_dir.mkdir(parents=True)
    path = data_dir / "bookmarks.json"
    os.mkfifo(path)
    done = _run_bounded("bookmark", *command)
    assert done.returncode == 3, done.stderr
    assert done.stderr == f"mila: bookmarks file {path} is not a regular file; move it away\n".encode()
    assert stat.S_ISFIFO(path.stat().st_mode)  # left where it was


@posix_only
def test_a_symlink_to_dev_zero_is_refused(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "bookmarks.json").symlink_to("/dev/zero")
    done = _run_bounded("bookmark", "list")
    assert done.returncode == 3 and b"is not a regular file" in done.stderr, done.stderr


def test_a_directory_or_an_oversized_file_is_refused(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = data_dir / "bookmarks.json"
    path.mkdir(parents=True)
    result = invoke("bookmark", "list")
    assert result.exit_code == 3 and f"{path} is not a regular file" in result.stderr
    path.rmdir()
    path.write_bytes(_file(_bookmark(), padding="x" * 200))
    monkeypatch.setattr(bookmarks, "MAX_FILE_BYTES", 100)
    for args in (["list"], ["add", "theano"]):
        result = invoke("bookmark", *args)
        assert result.exit_code == 3 and f"{path} is over the 0 MiB limit" in result.stderr
    assert b"padding" in path.read_bytes()


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000,
        b'{"version": 1, "bookmarks": [], "deep": ' + b"[" * 200 + b"]" * 200 + b"}",
        b'{"version": 1, "bookmarks": [], "n": ' + b"9" * 5000 + b"}",
        b'{"version": 1, "bookmarks": [], "n": NaN}',
        b'{"version": 1, "bookmarks": [], "n": Infinity}',
        b'{"version": 1, "bookmarks": [], "n": -Infinity}',
        b'{"version": 1, "bookmarks": [], "n": 1e999}',
    ],
    ids=["deep", "deep-extra", "long-int", "nan", "infinity", "-infinity", "1e999"],
)
def test_deep_nesting_huge_numbers_and_nan_are_corrupt(data_dir: Path, content: bytes) -> None:
    _assert_corrupt(data_dir, content)


def test_a_failed_write_leaves_a_corrupt_file_in_place(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir.mkdir(parents=True)
    path = data_dir / "bookmarks.json"
    corrupt = b'{"version": 1, "bookmarks": ['
    path.write_bytes(corrupt)

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(BookmarkStore, "_write", disk_full)
        result = invoke("bookmark", "add", "iclr")
    assert result.exit_code == 3 and os.strerror(errno.ENOSPC) in result.stderr
    assert path.read_bytes() == corrupt
    assert sorted(p.name for p in data_dir.iterdir()) == ["bookmarks.json", "bookmarks.json.lock"]
    assert invoke("bookmark", "list").exit_code == 3  # still said to be corrupt, not "no bookmarks yet"
    result = invoke("bookmark", "add", "iclr")
    assert result.exit_code == 0
    (backup,) = data_dir.glob("bookmarks.json.corrupt-*")
    assert backup.read_bytes() == corrupt and f"kept it as {backup}" in result.stderr


def test_unknown_top_level_keys_are_kept(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    path = data_dir / "bookmarks.json"
    path.write_bytes(b'{"version": 1, "bookmarks": [], "extra": {"x": 1}}')
    assert invoke("bookmark", "add", "iclr").exit_code == 0
    assert invoke("bookmark", "remove", "iclr").exit_code == 0
    assert json.loads(path.read_bytes()) == {"version": 1, "bookmarks": [], "extra": {"x": 1}}


@posix_only
def test_a_symlinked_file_is_written_through(data_dir: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "real.json"
    real.write_bytes(_file())
    data_dir.mkdir(parents=True)
    link = data_dir / "bookmarks.json"
    link.symlink_to(real)
    assert invoke("bookmark", "add", "iclr").exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert [b["id"] for b in json.loads(real.read_bytes())["bookmarks"]] == ["iclr"]
    assert sorted(p.name for p in dotfiles.iterdir()) == ["real.json"]  # no temporary file, no lock
    assert (data_dir / "bookmarks.json.lock").exists()
    # A corrupt target is kept as a backup beside the link, and the link still stands.
    real.write_bytes(b"{")
    result = invoke("bookmark", "add", "theano")
    assert result.exit_code == 0 and "kept it as" in result.stderr
    assert link.is_symlink() and [b["id"] for b in json.loads(real.read_bytes())["bookmarks"]] == ["theano"]
    (backup,) = data_dir.glob("bookmarks.json.corrupt-*")
    assert backup.read_bytes() == b"{"


@posix_only
def test_a_dangling_symlink_is_written_through_if_its_directory_exists(data_dir: Path, tmp_path: Path) -> None:
    data_dir.mkdir(parents=True)
    link = data_dir / "bookmarks.json"
    link.symlink_to(tmp_path / "new.json")
    assert invoke("bookmark", "list").exit_code == 0
    assert invoke("bookmark", "add", "iclr").exit_code == 0
    assert link.is_symlink() and [b["id"] for b in json.loads((tmp_path / "new.json").read_bytes())["bookmarks"]] == [
        "iclr"
    ]
    link.unlink()
    link.symlink_to(tmp_path / "gone" / "new.json")
    result = invoke("bookmark", "add", "iclr")
    assert result.exit_code == 3 and "whose directory does not exist" in result.stderr
    assert not (tmp_path / "gone").exists()


def test_notes_with_lone_surrogates_are_stored_as_utf8(data_dir: Path) -> None:
    store = BookmarkStore(data_dir)
    store.add("iclr", "caf\udce9")  # what Python makes of "café" typed in Latin-1
    raw = (data_dir / "bookmarks.json").read_bytes()
    assert json.loads(raw.decode("utf-8"))["bookmarks"][0]["note"] == "caf\ufffd"
    # One written as a JSON escape is replaced on reading and on the next write.
    (data_dir / "bookmarks.json").write_bytes(_file({**_bookmark(), "note": "x\udce9"}))
    assert store.read()[0]["note"] == "x\ufffd"
    store.add("theano", None)
    assert json.loads((data_dir / "bookmarks.json").read_bytes().decode("utf-8"))["bookmarks"][0]["note"] == "x\ufffd"


def test_a_utf8_bom_is_accepted(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "bookmarks.json").write_bytes(b"\xef\xbb\xbf" + _file(_bookmark()))
    assert [b["id"] for b in _list()] == ["iclr"]
    assert invoke("bookmark", "add", "theano").exit_code == 0
    assert not list(data_dir.glob("bookmarks.json.corrupt-*"))
    assert [b["id"] for b in _list()] == ["iclr", "theano"]


@pytest.mark.parametrize(
    "content",
    [
        _file(_bookmark()).replace(b'"version": 1', b'"version": 0'),
        _file(_bookmark()).replace(b'"version": 1', b'"version": -5'),
        _file(_bookmark()).replace(b'"version": 1', b'"version": true'),
        _file(_bookmark(added="yesterday")),
        _file(_bookmark(added="2024-05-01T12:00:00")),
        _file(_bookmark(added="2024-05-01 12:00:00Z")),
        _file(_bookmark(added="2024-13-01T12:00:00Z")),
        _file(_bookmark(added="2024-02-30T12:00:00Z")),
        _file(_bookmark(added="2024-05-01T12:00:00+25:00")),
        _file(_bookmark(added="\uff12024-05-01T12:00:00Z")),
        _file(_bookmark(added=20240501)),
    ],
    ids=[
        "version-0",
        "version-negative",
        "version-bool",
        "words",
        "no-zone",
        "space",
        "month-13",
        "feb-30",
        "offset-25h",
        "fullwidth-digit",
        "number",
    ],
)
def test_version_and_added_time_are_checked(data_dir: Path, content: bytes) -> None:
    _assert_corrupt(data_dir, content)


@pytest.mark.parametrize("added", ["2024-05-01T12:00:00Z", "2024-05-01T12:00:00.25Z", "2024-05-01T12:00:00+02:00"])
def test_added_times_we_accept(data_dir: Path, added: str) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "bookmarks.json").write_bytes(_file(_bookmark(added=added)))
    assert _list()[0]["added"] == added


def test_a_data_dir_with_an_unknown_users_home_is_a_data_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILA_DATA_DIR", "~mila-no-such-user/x")
    for args in (["path"], ["list"], ["add", "iclr"]):
        result = invoke("bookmark", *args)
        assert result.exit_code == 3, result.stderr
        assert result.stderr == ("mila: MILA_DATA_DIR '~mila-no-such-user/x': no such user's home to expand '~' in\n")


# What else makes a file corrupt, and the backup's own failures ----------------------


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"version": 1, "bookmarks": {}}, "not a mila bookmarks file"),
        ({"version": 1, "bookmarks": [1]}, "bookmark 1 is not an object"),
        ({"version": 1, "bookmarks": [{"id": "iclr", "note": 5, "added": "2024-01-01T00:00:00Z"}]}, "note"),
    ],
)
def test_more_shapes_that_are_corrupt(tmp_path: Path, document: object, reason: str) -> None:
    store = BookmarkStore(tmp_path)
    Path(store.path).write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DataError, match=reason):
        store.read()


def _corrupt_store(tmp_path: Path) -> BookmarkStore:
    store = BookmarkStore(tmp_path)
    Path(store.path).write_bytes(b"{broken")
    return store


def test_a_backup_is_a_copy_where_links_are_not_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(*args: object) -> None:
        raise OSError(errno.EPERM, "links not allowed")

    monkeypatch.setattr(os, "link", no_links)
    store = _corrupt_store(tmp_path)
    store.add("iclr", None)
    (backup,) = tmp_path.glob("bookmarks.json.corrupt-*")
    assert backup.read_bytes() == b"{broken" and [b["id"] for b in store.read()] == ["iclr"]


def test_a_backup_that_cannot_be_made_leaves_everything_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "link", fail)
    monkeypatch.setattr("shutil.copy2", fail)
    store = _corrupt_store(tmp_path)
    with pytest.raises(DataError, match="No space left on device"):
        store.add("iclr", None)
    assert Path(store.path).read_bytes() == b"{broken" and not list(tmp_path.glob("bookmarks.json.corrupt-*"))


def test_backups_made_in_the_same_second_get_their_own_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "gmtime", lambda *args: time.struct_time((2026, 1, 2, 3, 4, 5, 4, 2, 0)))
    for _ in range(3):
        _corrupt_store(tmp_path).add("iclr", None)
    names = sorted(p.name for p in tmp_path.glob("bookmarks.json.corrupt-*"))
    assert names == [
        "bookmarks.json.corrupt-20260102T030405Z",
        "bookmarks.json.corrupt-20260102T030405Z-2",
        "bookmarks.json.corrupt-20260102T030405Z-3",
    ]


def test_a_rename_that_fails_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = BookmarkStore(tmp_path)
    store.add("iclr", None)

    def fail(*args: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(DataError, match="Input/output error"):
        store.add("gans", None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bookmarks.json", "bookmarks.json.lock"]
    assert [b["id"] for b in store.read()] == ["iclr"]


def test_a_remove_that_removes_nothing_writes_nothing(data_dir: Path) -> None:
    assert invoke("bookmark", "remove", "iclr").exit_code == 1
    assert not data_dir.exists()  # no folder, file or lock made for nothing


def test_a_bookmark_without_a_note_key_has_no_note(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "bookmarks.json").write_text(
        '{"version": 1, "bookmarks": [{"id": "iclr", "added": "2024-05-01T12:00:00Z"}]}', encoding="utf-8"
    )
    listed = json.loads(invoke("bookmark", "list", "--json").stdout)
    assert listed[0]["id"] == "iclr" and listed[0]["note"] is None
    for args in (["add", "lisa"], ["remove", "iclr"], ["clear", "--yes"]):
        assert invoke("bookmark", *args).exit_code == 0, args
