"""The cache of large pack files: used while the file is the same, never needed, never
stale, never shared with other users."""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import SOURCE, invoke, need, run

from mila_cli import facts, packindex
from mila_cli.app import DIRS_KEY, App
from mila_cli.errors import DataError

PERSON = {"id": "ada", "category": "people", "name": "Ada", "roles": ["r"], "text": "Ada wrote.", "source": SOURCE}


@pytest.fixture
def cached(monkeypatch: pytest.MonkeyPatch, isolated: Path) -> Path:
    """Every pack file counts as large; the cache folder, under the test's own home."""
    monkeypatch.setattr(packindex, "MIN_BYTES", 0)
    return isolated / "cache" / "mila"  # XDG_CACHE_HOME/mila


def _pack(folder: Path, items: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.json").write_text(json.dumps(items), encoding="utf-8")
    return folder


def _ids(pack: Path) -> list[str]:
    result = invoke("--facts-dir", str(pack), "people", "--json")
    assert result.exit_code == 0, result.stderr
    return [f["id"] for f in json.loads(result.stdout)]


def test_a_pack_is_read_once_then_from_the_cache(cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = _pack(tmp_path / "p", [PERSON])
    assert "ada" in _ids(pack)
    (kept,) = cached.glob("*.sqlite")
    assert stat.S_IMODE(cached.stat().st_mode) == 0o700 and stat.S_IMODE(kept.stat().st_mode) == 0o600

    real = facts.read_file
    read: list[str] = []

    def spy(path: str, **options: Any) -> list[Any]:
        read.append(str(path))
        return real(path, **options)

    class Reader(facts.FileReader):
        def __init__(self, path: str) -> None:
            read.append(str(path))
            super().__init__(path)

    monkeypatch.setattr(facts, "read_file", spy)
    monkeypatch.setattr(facts, "FileReader", Reader)
    assert "ada" in _ids(pack)
    assert str(pack / "pack.json") not in read  # the bundled files are read; the pack is not
    (kept,) = cached.glob("*.sqlite")
    kept.unlink()
    assert "ada" in _ids(pack)
    assert str(pack / "pack.json") in read  # read again to make the index again


def test_a_changed_file_is_read_again(cached: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [PERSON])
    assert "ada" in _ids(pack)
    _pack(pack, [PERSON, {**PERSON, "id": "bob", "name": "Bob"}])
    assert {"ada", "bob"} <= set(_ids(pack))


def test_a_corrupt_cache_is_read_past_and_replaced(cached: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [PERSON])
    _ids(pack)
    (kept,) = cached.glob("*.sqlite")
    kept.write_bytes(b"\x00not sqlite at all")
    assert "ada" in _ids(pack)
    assert kept.read_bytes() != b"\x00not sqlite at all"


def test_no_cache_folder_only_costs_time(cached: Path, tmp_path: Path) -> None:
    cached.parent.mkdir(parents=True)
    cached.write_text("a file where the folder should be")
    pack = _pack(tmp_path / "p", [PERSON])
    assert "ada" in _ids(pack) and "ada" in _ids(pack)


def test_a_broken_pack_is_never_cached(cached: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [{**PERSON, "roles": []}])
    for _ in range(2):
        result = invoke("--facts-dir", str(pack), "facts")
        assert result.exit_code == 3 and "roles" in result.stderr
    assert not cached.exists() or not list(cached.iterdir())


def test_small_files_are_not_cached(isolated: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [PERSON])  # far under a mebibyte
    _ids(pack)
    assert not (isolated / "cache" / "mila").exists()


def test_mila_cache_dir_names_the_folder(cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILA_CACHE_DIR", str(tmp_path / "elsewhere"))
    _ids(_pack(tmp_path / "p", [PERSON]))
    assert len(list((tmp_path / "elsewhere").glob("*.sqlite"))) == 1 and not cached.exists()


def test_searches_are_the_same_with_and_without_the_cache(
    cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = ["turing", "award", "deep", "learning", "lab", "montreal", "vision", "robots", "language", "health"]
    items = [
        {
            "id": f"f-{i}",
            "category": "notes",
            "source": SOURCE,
            "text": " ".join(words[(i * j) % 10] for j in range(1, 8)),
        }
        for i in range(400)
    ]
    pack = _pack(tmp_path / "p", items)
    queries = ["turing award", "deep learning lab", "who works on robots", "vision and language", "health"]

    def answers() -> list[str]:
        return [invoke("--facts-dir", str(pack), "search", q, "--json").stdout for q in queries]

    monkeypatch.setattr(packindex, "MIN_BYTES", 1 << 40)
    without = answers()
    monkeypatch.setattr(packindex, "MIN_BYTES", 0)
    assert answers() == without  # building the cache
    assert list(cached.iterdir())
    assert answers() == without  # read from it


def test_the_folder_is_in_the_help() -> None:
    assert "cache" in invoke("--help").stdout


_GOOD = json.dumps(PERSON)
_FILES = [
    f"[{_GOOD}]",
    f" \n[ {_GOOD} , {json.dumps({**PERSON, 'id': 'bob'})} ]\n ",
    "[]",
    "\ufeff[]",
    "{}",
    "",
    "   ",
    "[",
    f"[{_GOOD},]",
    f"[{_GOOD} {_GOOD}]",
    f"[{_GOOD}] x",
    f"[{_GOOD}]]",
    '[{"id": NaN}]',
    "[1e400]",
    "[" * 100_000 + "]" * 100_000,
    f"[{json.dumps({**PERSON, 'roles': []})}]",
    f"[{_GOOD}, 3]",
    f"[{json.dumps({**PERSON, 'year': 2000.0, 'category': 'history'})}]",
]


@pytest.mark.parametrize("content", _FILES, ids=range(len(_FILES)))
def test_a_file_read_fact_by_fact_says_what_read_file_says(tmp_path: Path, content: str) -> None:
    """The index reads large files one fact at a time (so a file's facts are never all in
    memory): the same facts, and for a broken file the same one-line error."""
    path = tmp_path / "pack.json"
    path.write_bytes(content.encode("utf-8"))

    def outcome(read: Any) -> Any:
        try:
            return read()
        except DataError as error:
            return str(error)

    expected = outcome(lambda: facts.read_file(str(path)))
    assert outcome(lambda: list(facts.FileReader(str(path)))) == expected


def test_non_utf8_is_refused_alike(tmp_path: Path) -> None:
    path = tmp_path / "pack.json"
    path.write_bytes(b"[\xff]")
    with pytest.raises(DataError) as first:
        facts.read_file(str(path))
    with pytest.raises(DataError) as second:
        facts.FileReader(str(path))
    assert str(first.value) == str(second.value)


def test_a_cache_folder_named_with_odd_characters(
    cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is opened as an SQLite URI: ?, #, % and spaces in its folder are escaped."""
    odd = tmp_path / "my cache?x=1#top%20é"
    monkeypatch.setenv("MILA_CACHE_DIR", str(odd))
    pack = _pack(tmp_path / "p", [PERSON])
    assert "ada" in _ids(pack)
    assert len(list(odd.glob("*.sqlite"))) == 1
    monkeypatch.setattr(facts, "FileReader", None)  # reading the pack again would fail
    assert "ada" in _ids(pack)


def _big_pack(folder: Path) -> Path:
    """A pack file just over the size that gets an index (packindex.MIN_BYTES)."""
    text = "Ada wrote about deep learning and reinforcement learning at the lab in Montréal. " * 3
    items = [{**PERSON, "id": f"ada-{i}", "text": f"Note zq{i}x. {text}"} for i in range(4000)]
    _pack(folder, items)
    assert (folder / "pack.json").stat().st_size > packindex.MIN_BYTES
    return folder


@pytest.mark.slow
def test_the_first_run_shows_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    need("script")
    pack = _big_pack(tmp_path / "p")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM") and not k.startswith("COV")}
    env.update({"TERM": "xterm-256color", "COLUMNS": "100", "MILA_CACHE_DIR": str(tmp_path / "on-tty")})
    command = f"{shlex.quote(sys.executable)} -m mila_cli --facts-dir {shlex.quote(str(pack))} show ada-7 --json"
    screen = subprocess.run(
        ["script", "-qec", command, "/dev/null"], capture_output=True, env=env, timeout=120, check=False
    ).stdout.decode("utf-8", "replace")
    assert "indexing the pack for fast search" in screen and '"id": "ada-7"' in screen
    again = subprocess.run(
        ["script", "-qec", command, "/dev/null"], capture_output=True, env=env, timeout=120, check=False
    ).stdout.decode("utf-8", "replace")
    assert "indexing" not in again and '"id": "ada-7"' in again  # made once

    piped = run("--facts-dir", str(pack), "show", "ada-7", "--json", env={"MILA_CACHE_DIR": str(tmp_path / "piped")})
    assert piped.returncode == 0 and piped.stderr == b""  # nothing in a pipe
    assert list((tmp_path / "piped").glob("*.sqlite"))  # though the index was made


@pytest.mark.slow
def test_two_first_runs_at_once_both_answer_and_leave_one_whole_index(tmp_path: Path) -> None:
    pack = _big_pack(tmp_path / "p")
    env = {**os.environ, "MILA_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "mila_cli", "--facts-dir", str(pack), "search", "zq17x", "--json"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(3)]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert all(r.returncode == 0 and err == b"" for r, (_, err) in zip(runs, outputs, strict=True))
    assert len({out for out, _ in outputs}) == 1 and b'"ada-17"' in outputs[0][0]
    # One index, and the record a fast TAB reads; no temporary file left.
    assert sorted(p.suffix for p in (tmp_path / "cache").iterdir()) == [".sqlite", ".tab"]
    again = subprocess.run(command, capture_output=True, env=env, timeout=60, check=False)
    assert again.stdout == outputs[0][0]


# What a review found ------------------------------------------------------------------


def test_the_same_pack_named_another_way_reads_the_same_index(
    cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = _pack(tmp_path / "p", [PERSON, {**PERSON, "id": "bob", "name": "Bob"}])
    (tmp_path / "link").symlink_to(pack)
    monkeypatch.chdir(tmp_path)
    for name in ("p", "./p", str(pack), "link", "p/"):
        assert _ids(Path(name))[-2:] == ["ada", "bob"], name
    assert len(list(cached.glob("*.sqlite"))) == 1
    result = invoke("--facts-dir", "./p", "show", "nobody-here")
    assert result.exit_code == 1 and "Traceback" not in result.stderr


def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packindex, "MIN_BYTES", 0)
    monkeypatch.setenv("MILA_CACHE_DIR", "/proc/self")  # a folder, where no file can be made
    assert "ada" in _ids(_pack(tmp_path / "p", [PERSON]))


def _error(pack: Path) -> str:
    result = invoke("--facts-dir", str(pack), "facts")
    assert result.exit_code == 3 and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


_BIG = 4500  # facts: more than one batch of the index's writes


@pytest.mark.parametrize(
    "layout",
    [
        "repeat-in-a-later-batch",
        "repeat-across-large-files",
        "repeat-in-small-after-large",
        "missing-sources-small-after-large",
        "bad-fact-then-bad-json",
        "link-to-nothing",
    ],
)
def test_broken_packs_get_the_same_error_with_and_without_the_index(
    layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = [{**PERSON, "id": f"p-{i}"} for i in range(_BIG)]
    pack = tmp_path / "p"
    pack.mkdir()
    files: dict[str, Any] = {"b-large.json": many, "c-large.json": [{**PERSON, "id": f"q-{i}"} for i in range(_BIG)]}
    if layout == "repeat-in-a-later-batch":
        files["b-large.json"] = [*many, {**PERSON, "id": "p-10"}]
    elif layout == "repeat-across-large-files":
        files["c-large.json"] = [*files["c-large.json"][:3000], {**PERSON, "id": "p-77"}]
    elif layout == "repeat-in-small-after-large":
        files["z.json"] = [{**PERSON, "id": "q-77"}, {**PERSON, "id": "p-5"}]
    elif layout == "missing-sources-small-after-large":
        files["c-large.json"][4000]["source"] = "nowhere"
        files["z.json"] = [{**PERSON, "id": "zz", "source": "elsewhere"}]
    elif layout == "bad-fact-then-bad-json":
        files["b-large.json"] = json.dumps([*many[:4], {"id": "x"}, *many[5:]])[:-1] + ",]"
    else:
        files["c-large.json"][10]["conflicts_with"] = ["p-1", "nothing-here"]
    for name, items in files.items():
        (pack / name).write_text(items if isinstance(items, str) else json.dumps(items), encoding="utf-8")
    monkeypatch.setattr(packindex, "MIN_BYTES", 1 << 40)
    without = _error(pack)
    monkeypatch.setattr(packindex, "MIN_BYTES", 100_000)  # the large files, not z.json
    assert _error(pack) == without


def test_a_damaged_index_is_made_again(cached: Path, tmp_path: Path) -> None:
    import sqlite3

    pack = _pack(tmp_path / "p", [PERSON])
    _ids(pack)
    (kept,) = cached.glob("*.sqlite")
    with sqlite3.connect(kept) as db:  # its record of the files, no longer JSON
        db.execute("UPDATE meta SET value = '[' WHERE key = 'stamps'")
    assert "ada" in _ids(pack)  # made again
    with sqlite3.connect(kept) as db:  # a fact's row, no longer JSON
        db.execute("UPDATE facts SET data = '{' WHERE id = 'ada'")
    result = invoke("--facts-dir", str(pack), "people", "--json")
    assert result.exit_code == 3 and "was damaged" in result.stderr and "removed" in result.stderr
    assert result.stderr.count("\n") == 1 and not kept.exists()
    assert "ada" in _ids(pack)  # and the next run makes it again


def test_what_a_cut_short_build_left_is_swept_away(cached: Path, tmp_path: Path) -> None:
    cached.mkdir(parents=True)
    old, fresh = cached / ".old.tmp", cached / ".fresh.tmp"
    old.write_text("half an index")
    fresh.write_text("an index being made")
    os.utime(old, (1, 1))
    _ids(_pack(tmp_path / "p", [PERSON]))
    assert not old.exists() and fresh.exists()


def test_an_edit_in_place_that_keeps_size_and_time_is_seen(cached: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [PERSON])
    assert "ada" in _ids(pack)
    path = pack / "pack.json"
    before = path.stat()
    path.write_text(path.read_text().replace('"ada"', '"eve"'), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert "eve" in _ids(pack) and "ada" not in _ids(pack)


# The index's other paths, in process -------------------------------------------------


def _store(tmp_path: Path, items: list[dict[str, Any]]) -> Any:
    pack = _pack(tmp_path / "p", items)
    loaded = facts.load([str(pack)])
    assert loaded.store is not None
    return loaded


def test_the_progress_of_a_build_rises_to_the_whole(cached: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [{**PERSON, "id": f"a-{i}"} for i in range(5000)])
    heard: list[tuple[int, int]] = []
    store = packindex.open_store(
        [str(pack / "pack.json")], facts.FileReader, lambda done, total: heard.append((done, total))
    )
    assert store is not None and heard[0][0] == 0 and heard[-1][0] == heard[-1][1]
    assert [d for d, _ in heard] == sorted(d for d, _ in heard) and len(heard) > 3


def test_a_typo_is_mended_from_an_indexed_pack(cached: Path, tmp_path: Path) -> None:
    items = [{**PERSON, "id": f"a-{i}", "text": f"Ada wrote {i} poems."} for i in range(3100)]
    items.append({**PERSON, "id": "zed", "text": "Zed studied quasicrystals."})
    result = invoke("--facts-dir", str(_pack(tmp_path / "p", items)), "search", "quasicrystal", "--json")
    assert result.exit_code == 0 and '"zed"' in result.stdout
    mended = invoke("--facts-dir", str(tmp_path / "p"), "search", "quasicrystls", "--json")
    assert mended.exit_code == 0 and '"zed"' in mended.stdout


def test_a_range_reads_like_a_list(cached: Path, tmp_path: Path) -> None:
    loaded = _store(tmp_path, [PERSON, {**PERSON, "id": "bob"}, {**PERSON, "id": "cy"}])
    (_, part) = loaded.facts.indexed()[0]
    assert [f["id"] for f in part[1:3]] == ["bob", "cy"] and part[0]["id"] == "ada"
    with pytest.raises(IndexError):
        part[3]
    with pytest.raises(IndexError):
        loaded.facts[len(loaded.facts)]
    assert loaded.facts[-1]["id"] == "cy"


@pytest.mark.parametrize("damage", ["UPDATE facts SET data = '[1]'", "DELETE FROM facts"])
def test_rows_damaged_otherwise_are_told_and_removed(cached: Path, tmp_path: Path, damage: str) -> None:
    import sqlite3

    loaded = _store(tmp_path, [PERSON, {**PERSON, "id": "bob"}])
    (kept,) = cached.glob("*.sqlite")
    with sqlite3.connect(kept) as db:
        db.execute(damage)
    with pytest.raises(DataError, match="was damaged"):
        loaded.facts[len(loaded.facts) - 1]  # not read yet: from the index
    assert not kept.exists()


def test_no_index_when_a_file_is_gone_or_no_folder_can_be_named(
    cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert packindex.open_store([str(tmp_path / "gone.json")], facts.FileReader) is None

    def no_home() -> str:
        raise RuntimeError("no home")

    monkeypatch.setattr(packindex, "folder", no_home)
    assert "ada" in _ids(_pack(tmp_path / "p", [PERSON]))


def test_a_file_changed_while_it_is_indexed_is_not_kept(cached: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [PERSON])

    class Changing(facts.FileReader):
        def __init__(self, path: str) -> None:
            super().__init__(path)
            os.utime(path, ns=(1, 1))  # after it was read: the index would be of another file

    assert packindex.open_store([str(pack / "pack.json")], Changing) is None
    assert not list(cached.glob("*.sqlite")) and not list(cached.glob(".*.tmp"))


def test_a_tab_does_not_wait_for_a_long_index(cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A TAB on a pack whose index is not made yet and would take long offers what it can
    without the pack's large files, at once; a command makes the index, and TAB uses it."""
    pack = _pack(tmp_path / "p", [PERSON, {**PERSON, "id": "adam", "name": "Adam"}])
    monkeypatch.setattr(packindex, "TAB_BUILD_BYTES", 10)  # every file counts as long to index
    monkeypatch.setenv("_MILA_COMPLETE", "bash_complete")
    offered = {f["id"] for f in App({DIRS_KEY: [str(pack)]}).fact_set.people()}
    assert "yoshua-bengio" in offered and not {"ada", "adam"} & offered  # the pack's large file left out
    assert not cached.exists() or not list(cached.glob("*.sqlite"))
    monkeypatch.delenv("_MILA_COMPLETE")
    assert {"ada", "adam"} <= set(_ids(pack))  # a command waits, and makes it
    monkeypatch.setenv("_MILA_COMPLETE", "bash_complete")
    assert {"ada", "adam"} <= {f["id"] for f in App({DIRS_KEY: [str(pack)]}).fact_set.people()}
    monkeypatch.setattr(packindex, "TAB_BUILD_BYTES", 1 << 30)  # short to make: a TAB makes it itself
    (pack / "more.json").write_text(json.dumps([{**PERSON, "id": "ava"}] * 1), encoding="utf-8")
    assert "ava" in {f["id"] for f in App({DIRS_KEY: [str(pack)]}).fact_set.people()}
