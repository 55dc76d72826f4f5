"""Hostile packs, broken streams and slow inputs: one line and a documented exit code, never
a traceback, a hang or a lie."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SOURCE, invoke, run

MILA = f"{shlex.quote(sys.executable)} -m mila_cli"
PERSON = {"id": "ada", "category": "people", "name": "Ada", "roles": ["r"], "text": "Ada wrote.", "source": SOURCE}


def _pack(folder: Path, facts: Any, name: str = "pack.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(facts if isinstance(facts, str) else json.dumps(facts), encoding="utf-8")
    return folder


def _fails_with_data_error(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 3, result.stderr
    assert result.stdout == "" and result.stderr.startswith("mila: ") and result.stderr.count("\n") == 1
    return result.stderr


# Packs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('[{"id": "x", "category": "notes", "text": "t", "source": "encyclopedia", "w": NaN}]', "NaN is not a number"),
        ('[{"id": "x", "category": "notes", "text": "t", "source": "encyclopedia", "w": -Infinity}]', "-Infinity"),
        ('[{"id": "x", "category": "notes", "text": "t", "source": "encyclopedia", "w": 1e400}]', "out of range"),
        (
            '[{"id": "x", "category": "notes", "text": "t", "source": "encyclopedia", "w": 1' + "0" * 5000 + "}]",
            "digits",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_numbers_json_cannot_print_back_and_deep_nesting_are_refused(tmp_path: Path, raw: str, message: str) -> None:
    pack = _pack(tmp_path / "p", raw)
    assert message in _fails_with_data_error("--facts-dir", str(pack), "facts", "--json")


def test_a_field_nested_too_deep_is_refused_at_load_not_a_crash_in_show(tmp_path: Path) -> None:
    value: Any = "x"
    for _ in range(400):
        value = {"k": value}
    pack = _pack(tmp_path / "p", [{**PERSON, "source": "encyclopedia", "deep": value}])
    assert "field 'deep': nests lists and objects more than 16 levels deep" in _fails_with_data_error(
        "--facts-dir", str(pack), "show", "ada"
    )


@pytest.mark.parametrize("name", ["\x1b]52;c;SEVMTE8=\x1b\\", "\x1b[2J"])
def test_a_field_name_that_drives_the_terminal_is_refused(tmp_path: Path, name: str) -> None:
    pack = _pack(tmp_path / "p", [{**PERSON, "source": "encyclopedia", name: "x"}])
    err = _fails_with_data_error("--facts-dir", str(pack), "show", "ada")
    assert "\x1b" not in err and "must be lowercase ASCII words joined by '_' or '-'" in err


def test_labels_are_made_safe_when_drawn(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Loading refuses such names; the view does not rely on it.
    from mila_cli import facts, render

    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR")
    fact_set = facts.load()
    fact = {**fact_set.facts[0], "\x1b[2J": "x"}
    render.RichOutput().fact(fact, fact_set)
    out = capsys.readouterr().out
    assert "\x1b[2J" not in out and "\\x1b" in out


def test_the_same_pack_named_twice_is_loaded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = _pack(tmp_path / "p", [{**PERSON, "source": "encyclopedia"}])
    monkeypatch.setenv("MILA_FACTS_PATH", str(pack))
    result = invoke("--facts-dir", f"{pack}/", "show", "ada", "--facts-dir", str(pack))
    assert result.exit_code == 0, result.stderr


def test_hidden_files_and_dangling_links_in_a_pack_are_not_facts(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [{**PERSON, "source": "encyclopedia"}], name="lab.json")
    (pack / ".lab.json").write_text((pack / "lab.json").read_text())  # an editor's hidden copy
    (pack / ".#lab.json").symlink_to("root@host.1234:1700000000")  # Emacs' lock link, dangling
    (pack / "gone.json").symlink_to(tmp_path / "nowhere.json")
    assert invoke("--facts-dir", str(pack), "show", "ada").exit_code == 0


def test_device_and_pipe_files_are_not_read(tmp_path: Path) -> None:
    from mila_cli import facts
    from mila_cli.errors import DataError

    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path in (str(fifo), "/dev/zero"):
        started = time.monotonic()
        with pytest.raises(DataError, match="not a regular file"):
            facts.read_bytes(path, "a fact file")
        assert time.monotonic() - started < 5
    pack = _pack(tmp_path / "p", [{**PERSON, "source": "encyclopedia"}])
    (pack / "zero.json").symlink_to("/dev/zero")
    os.mkfifo(pack / "sources.json")
    done = run("--facts-dir", str(pack), "show", "ada", timeout=30)
    assert done.returncode == 0, done.stderr


def test_what_is_read_is_bounded_not_what_stat_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mila_cli import facts
    from mila_cli.errors import DataError

    monkeypatch.setattr(facts, "MAX_FILE_BYTES", 10)
    big = tmp_path / "big.json"
    big.write_text("[" + " " * 20 + "]")
    with pytest.raises(DataError, match="over the 0 MiB limit"):
        facts.read_bytes(str(big), "a fact file")


# Streams ------------------------------------------------------------------------


def _shell(command: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **env},
    )


@pytest.mark.slow
@pytest.mark.parametrize("args", ["facts", "facts --json", "--version"])
def test_a_full_disk_is_an_output_error(args: str) -> None:
    done = _shell(f"{MILA} {args} > /dev/full")
    assert done.returncode == 4
    assert done.stderr == "mila: cannot write the output: No space left on device\n"


_LEAVE = "import sys; from mila_cli import program; sys.stdout.write('left behind'); program._leave({code})"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("code", "redirect", "expected"),
    [
        ("3", "", (3, "left behind", "")),  # what a command left in the buffer still arrives
        ("None", "", (0, "left behind", "")),
        ("'a message'", "", (1, "left behind", "a message\n")),  # as SystemExit('a message') ends
        ("0", "> /dev/full", (4, "", "mila: cannot write the output: No space left on device\n")),
        ("1", "> /dev/full", (1, "", "mila: cannot write the output: No space left on device\n")),
        ("0", "| true", (0, "", "")),  # the reader left: not an error
    ],
)
def test_the_end_of_a_run_flushes_what_was_left(code: str, redirect: str, expected: tuple[int, str, str]) -> None:
    """mila ends with os._exit, skipping the interpreter's teardown (program._leave)."""
    script = _LEAVE.format(code=code)
    done = subprocess.run(
        ["bash", "-c", f"{shlex.quote(sys.executable)} -c {shlex.quote(script)} {redirect}; exit ${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},  # the output stays in the buffer
    )
    assert (done.returncode, done.stdout, done.stderr) == expected


@pytest.mark.slow
def test_a_closed_stdout_is_an_output_error_unless_nothing_is_written_there() -> None:
    done = _shell(f"{MILA} facts >&-")
    assert (done.returncode, done.stderr) == (4, "mila: cannot write the output: standard output is closed\n")
    done = _shell(f"{MILA} bookmark add iclr >&-")  # its message goes to stderr
    assert (done.returncode, done.stderr) == (0, "bookmarked iclr\n")


@pytest.mark.slow
def test_a_closed_stdin_is_an_answer_not_a_traceback() -> None:
    done = _shell(f"{MILA} bookmark clear <&-")
    assert done.returncode == 1 and "Traceback" not in done.stderr and done.stderr.endswith("Aborted.\n")
    done = _shell(f"{MILA} search - <&-")
    assert done.returncode == 2 and "the query was to be read from standard input, which is closed" in done.stderr


@pytest.mark.slow
def test_a_non_blocking_pipe_gets_every_byte(tmp_path: Path) -> None:
    facts = [{**PERSON, "id": f"p{i}", "source": "encyclopedia", "text": "x" * 200} for i in range(3000)]
    pack = _pack(tmp_path / "p", facts)
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)  # as some parents leave it
    process = subprocess.Popen(
        [sys.executable, "-m", "mila_cli", "--facts-dir", str(pack), "facts", "--json"], stdout=write_end
    )
    os.close(write_end)
    time.sleep(0.5)  # let the writer fill the pipe and meet EAGAIN
    with os.fdopen(read_end, "rb") as reader:
        data = reader.read()
    assert process.wait(timeout=60) == 0
    assert len(json.loads(data)) == len(facts) + 81  # every byte: the JSON parses whole


# One line per error ---------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["show", "x\nmila: fake"],
        ["--facts-dir", "nope\nmila: fake", "facts"],
        ["facts", "--category", "x\nmila: fake"],
        ["people", "x\nmila: fake"],
    ],
)
def test_a_newline_typed_does_not_start_a_line_of_its_own(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code in (1, 2, 3)
    assert not any(line.startswith("mila: fake") for line in result.stderr.splitlines())


def test_a_newline_in_the_data_dir_stays_on_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("MILA_DATA_DIR", str(tmp_path / "file" / "x\nmila: fake"))
    result = invoke("bookmark", "add", "iclr")
    assert result.exit_code == 3 and result.stderr.count("\n") == 1


# Slow inputs ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["people", "areas"])
def test_a_name_longer_than_a_name_is_a_usage_error(command: str) -> None:
    result = invoke(command, *[f"word{i}" for i in range(33)])
    assert result.exit_code == 2 and "name is at most 32 words and 1,000 characters" in result.stderr
    assert invoke(command, "x" * 1001).exit_code == 2


def test_an_area_with_thousands_of_aliases_is_answered_quickly(tmp_path: Path) -> None:
    area = {
        "id": "quux",
        "category": "areas",
        "group": "research topic",
        "name": "Quux",
        "text": "Quux.",
        "source": "encyclopedia",
        "aliases": [f"alias{i} word{i}" for i in range(3000)],
    }
    filler = [
        {**PERSON, "id": f"p{i}", "source": "encyclopedia", "text": f"alias{i} word{i} here"} for i in range(2000)
    ]
    pack = _pack(tmp_path / "p", [area, *filler])
    started = time.monotonic()
    shown = json.loads(invoke("--facts-dir", str(pack), "areas", "quux", "--json").stdout)
    assert time.monotonic() - started < 10
    # Its first 50 names are looked for: the facts naming alias0-alias49 mention it.
    assert [f["id"] for f in shown["mentioned_in"]] == [f"p{i}" for i in range(49)]


@pytest.mark.parametrize("columns", ["100000000", "99999999999999999999", "0", "²", "-3"])
def test_any_columns_value_draws_in_bounded_width(columns: str) -> None:
    result = invoke("show", "lisa-founded", env={"COLUMNS": columns, "FORCE_COLOR": "1", "NO_COLOR": None})
    assert result.exit_code == 0
    widths = {len(line) for line in result.stdout.splitlines()}
    assert widths and max(widths) < 2000


def test_a_list_past_2000_rows_is_plain_lines_on_a_terminal(tmp_path: Path) -> None:
    facts = [{**PERSON, "id": f"p{i}", "source": "encyclopedia"} for i in range(2100)]
    pack = _pack(tmp_path / "p", facts)
    result = invoke("--facts-dir", str(pack), "people", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert result.exit_code == 0
    assert "p2099\tAda\tr" in result.stdout
    assert "rows are printed as plain lines (tables stop at 2,000)" in result.stderr
    small = invoke("people", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert "\t" not in small.stdout and small.stderr == ""


@pytest.mark.slow
@pytest.mark.parametrize("redirect", ["2>/dev/full", "2>&-"])
def test_an_error_with_nowhere_to_go_still_ends_with_its_code(redirect: str) -> None:
    done = _shell(f"{MILA} show nope {redirect}")
    assert done.returncode == 1 and done.stdout == ""


def test_an_area_on_a_terminal_lists_what_mentions_it() -> None:
    result = invoke("areas", "nlp", env={"FORCE_COLOR": "1", "NO_COLOR": None, "COLUMNS": "120"})
    assert result.exit_code == 0 and "Mentioned in" in result.stdout


def test_nesting_inside_degrees_is_bounded_too(tmp_path: Path) -> None:
    value: Any = "x"
    for _ in range(400):
        value = [value]
    degrees = [{"degree": "PhD", "x": value}]
    pack = _pack(tmp_path / "p", [{**PERSON, "source": "encyclopedia", "degrees": degrees}])
    assert "field 'degrees': nests lists and objects more than 16 levels deep" in _fails_with_data_error(
        "--facts-dir", str(pack), "people", "ada"
    )


@pytest.mark.parametrize("name", ["score", "conflicts", "mentioned_in"])
def test_a_field_named_as_json_output_names_its_own_is_refused(tmp_path: Path, name: str) -> None:
    pack = _pack(tmp_path / "p", [{**PERSON, "source": "encyclopedia", name: "x"}])
    assert f"field '{name}': is a name mila's JSON output gives a field of its own" in _fails_with_data_error(
        "--facts-dir", str(pack), "show", "ada", "--json"
    )
