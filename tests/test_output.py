"""Output as real processes see it: pipes closed early, locales, encodings, terminals."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, bundled_facts, run

from mila_cli import jsonout
from mila_cli.text import escape_json_text, safe, unsafe_pattern

MILA = f"{shlex.quote(sys.executable)} -m mila_cli"


def _shell(command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [
        f"{MILA} facts | head -1",
        f"{MILA} facts --json | head -c 10",
        f"{MILA} history | head -1",
        f"{MILA} people | head -c 1",
        f"{MILA} search learning | head -1",
    ],
)
def test_closing_the_pipe_early_is_quiet(command: str) -> None:
    done = _shell(command)
    assert done.stderr == b""
    assert done.returncode == 0
    assert done.stdout


@pytest.mark.slow
def test_pipe_closed_early_with_a_large_pack(tmp_path: Path) -> None:
    # Big enough that mila is still writing when head has gone.
    pack = tmp_path / "pack"
    pack.mkdir()
    many = [
        {"id": f"n-{i}", "category": "bulk", "text": f"Fact number {i}.", "source": "encyclopedia"}
        for i in range(20000)
    ]
    (pack / "bulk.json").write_text(json.dumps(many), encoding="utf-8")
    done = _shell(f"{MILA} --facts-dir {shlex.quote(str(pack))} facts | head -1")
    assert done.stderr == b"" and done.returncode == 0


@pytest.mark.parametrize("locale", ["C", "POSIX"])
def test_c_locale(locale: str) -> None:
    done = run("people", env={"LC_ALL": locale, "LANG": locale})
    assert done.returncode == 0, done.stderr
    assert "Joëlle Pineau".encode() in done.stdout
    done = run("people", "joelle", "--json", env={"LC_ALL": locale})
    assert json.loads(done.stdout)["name"] == "Joëlle Pineau"


def test_ascii_output_encoding_replaces_instead_of_crashing() -> None:
    done = run("people", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0 and done.stderr == b""
    assert b"Jo?lle Pineau" in done.stdout
    # JSON stays exact UTF-8 whatever the locale says.
    done = run("show", "joelle-pineau", "--json", env={"PYTHONIOENCODING": "ascii"})
    assert json.loads(done.stdout.decode("utf-8"))["name"] == "Joëlle Pineau"


def test_pipe_output_has_no_escape_codes_even_with_colour_wishes() -> None:
    done = run("people", env={"TERM": "xterm-256color"})
    assert b"\x1b" not in done.stdout
    done = run("facts", "--json", env={"FORCE_COLOR": "1"})
    assert json.loads(done.stdout) == bundled_facts()  # JSON never goes through rich


def test_force_color_draws_rich_in_a_pipe() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    done = subprocess.run(
        [sys.executable, "-m", "mila_cli", "people"],
        capture_output=True,
        check=False,
        env={**env, "FORCE_COLOR": "1", "COLUMNS": "100"},
    )
    assert b"\x1b[" in done.stdout and "─".encode() in done.stdout


def _tty(command: str, env: dict[str, str]) -> str:
    """Run a command on a real pseudo-terminal with script(1); what the screen got."""
    if shutil.which("script") is None:
        pytest.skip("script(1) is not installed")
    done = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        capture_output=True,
        env={**os.environ, **env, "COLUMNS": "100", "LINES": "40"},
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    return done.stdout.decode("utf-8", "replace")


@pytest.mark.slow
def test_terminal_gets_tables_and_colour() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    screen = _tty(f"env -u NO_COLOR TERM=xterm-256color {MILA} people", env)
    assert "\x1b[" in screen and "noted for" in screen and "Joëlle Pineau" in screen


@pytest.mark.slow
def test_no_color_on_a_terminal_keeps_tables_without_colour() -> None:
    screen = _tty(f"env NO_COLOR=1 TERM=xterm-256color {MILA} people", {})
    assert "noted for" in screen and "Joëlle Pineau" in screen
    # NO_COLOR removes colour, not emphasis: no foreground or background codes.
    assert not re.search(r"\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|38;|48;)", screen)


@pytest.mark.slow
def test_terminal_history_is_a_timeline() -> None:
    screen = _tty(f"env TERM=dumb {MILA} history", {})
    assert "1993" in screen and "●" in screen and "│" in screen


@pytest.mark.slow
def test_terminal_json_is_pretty_and_exact() -> None:
    screen = _tty(f"{MILA} show joelle-pineau --json", {})
    assert '\n  "id": "joelle-pineau"' in screen.replace("\r\n", "\n")


# The JSON and screen escaping themselves ----------------------------------

NASTY = "a\x1b[2Jb\x07c\x9bd\u202ee\u2028f\ud800g\U000e0041h\x7fi"


def test_json_escapes_every_control_and_format_character() -> None:
    text = jsonout.dumps({"t": NASTY, "n": "Joëlle"})
    assert json.loads(text) == {"t": NASTY, "n": "Joëlle"}
    assert not unsafe_pattern().search(text.rstrip("\n"))
    assert "\\u001b" in text and "\\u202e" in text and "\\udb40\\udc41" in text and "Joëlle" in text
    text.encode("utf-8")  # a lone surrogate, escaped, encodes


def test_screen_text_shows_controls_as_escapes() -> None:
    shown = safe(NASTY + "\nnext\tcol")
    assert "\x1b" not in shown and "\\x1b[2J" in shown and "\\u202e" in shown
    assert "\nnext\tcol" in shown


def test_unsafe_class_covers_this_pythons_unicode() -> None:
    import unicodedata

    for code in range(0x110000):
        ch = chr(code)
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            assert unsafe_pattern().match(ch), f"U+{code:04X} is missing from text._UNSAFE_CLASS"


def test_escape_json_text_leaves_json_structure_alone() -> None:
    assert escape_json_text('[\n  "x"\n]') == '[\n  "x"\n]'


def test_runs_as_module_from_the_checkout() -> None:
    done = run("--version", cwd=ROOT)
    assert done.returncode == 0 and done.stdout.startswith(b"mila ")


def _drawn(*args: str, width: int) -> str:
    from conftest import invoke

    result = invoke(*args, env={"FORCE_COLOR": "1", "NO_COLOR": "1", "COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("args", [["facts"], ["search", "learning", "-n", "50"], ["history"]])
def test_tables_wrap_but_never_crop(args: list[str], width: int) -> None:
    from conftest import invoke

    shown = set(_drawn(*args, width=width).split())
    listed = json.loads(invoke(*args, "--json").stdout)
    assert listed
    for fact in listed:
        assert set(fact["text"].split()) <= shown, fact["id"]
        if width >= 120:
            assert fact["id"] in shown  # wide enough that no id folds


@pytest.mark.parametrize("width", [44, 60, 100])
def test_people_keep_every_name_role_and_id(width: int) -> None:
    drawn = _drawn("people", width=width)
    assert "Yoshua Bengio" in drawn and "• Turing award winner" in drawn
    assert "yoshua-bengio" in drawn.split() and "jackie-chi-kit-cheung" in drawn.split()
    assert ("noted for" in drawn) == (width >= 100)  # a table only where it fits


# One output per run, one rule for empty lists ---------------------------------------


@pytest.mark.parametrize("method", ["facts", "history", "people", "bookmarks"])
def test_an_empty_list_is_nothing_for_people_and_an_empty_array_for_scripts(
    method: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from mila_cli.jsonout import JsonOutput
    from mila_cli.plain import PlainOutput
    from mila_cli.render import RichOutput

    for output in (PlainOutput(), RichOutput("always")):
        getattr(output, method)([])
        drawn = capsys.readouterr()
        assert drawn.out == ""
        assert drawn.err == ("no bookmarks yet; add one with 'mila bookmark add ID'\n" if method == "bookmarks" else "")
    getattr(JsonOutput(), method)([])
    assert capsys.readouterr().out == "[]\n"


def test_empty_areas_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    from mila_cli.jsonout import JsonOutput
    from mila_cli.plain import PlainOutput

    PlainOutput().areas([("research topic", [])])
    PlainOutput().sources([])
    assert capsys.readouterr().out == ""
    JsonOutput().areas([])
    JsonOutput().sources([])
    assert capsys.readouterr().out == "[]\n[]\n"


def test_no_search_result_on_a_terminal_draws_no_table() -> None:
    from conftest import invoke

    result = invoke("search", "quantum gardening", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert result.exit_code == 1 and result.stdout == "" and result.stderr.startswith("mila: ")


def test_color_never_on_a_terminal_keeps_the_layout_without_colour(capsys: pytest.CaptureFixture[str]) -> None:
    from mila_cli import facts
    from mila_cli.render import RichOutput

    fact_set = facts.load()
    RichOutput("never").people(fact_set.people())
    out = capsys.readouterr().out
    assert "• Turing award winner" in out and not re.search(r"\x1b\[[0-9;]*(3[0-9]|9[0-7])m", out)


@pytest.mark.slow
def test_closing_the_pipe_while_rich_draws_is_quiet() -> None:
    done = _shell(f"{MILA} facts | head -1", env={"FORCE_COLOR": "1"})
    assert (done.returncode, done.stderr) == (0, b"")
    assert b"\x1b[" in done.stdout  # it was rich that drew


@pytest.mark.slow
@pytest.mark.usefixtures("ctrl_c_reaches_children")
def test_ctrl_c_in_a_command_exits_130_with_one_line(tmp_path: Path) -> None:
    import signal
    import time

    pack = tmp_path / "pack"
    pack.mkdir()
    many = [{"id": f"n-{i}", "category": "bulk", "text": f"Fact {i}.", "source": "encyclopedia"} for i in range(90000)]
    for k in range(0, len(many), 2000):  # files under a mebibyte: read at every run, not indexed, so slow
        (pack / f"bulk-{k:05}.json").write_text(json.dumps(many[k : k + 2000]), encoding="utf-8")
    command = [sys.executable, "-m", "mila_cli", "--facts-dir", str(pack), "search", "fact"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}  # a steady pace
    subprocess.run(command, capture_output=True, check=False, timeout=120, env=env)  # warm: the page cache
    started = time.monotonic()
    subprocess.run(command, capture_output=True, check=False, timeout=120, env=env)
    took = time.monotonic() - started  # a run as the interrupted ones will go
    outcomes = []
    for share in (0.7, 0.5, 0.3, 0.6, 0.4):  # past start-up: loading or searching the pack
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        time.sleep(took * share)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        outcomes.append((share, process.returncode, err[-200:]))
        if process.returncode in (0, 1) and b"Interrupted" not in err and b"Traceback" not in err:
            continue  # it finished before the signal, on a busy machine's uneven pace
        # click starts a new line first, after the ^C the terminal echoed.
        assert (process.returncode, err.strip()) == (130, b"Interrupted."), f"at {share:.0%} of {took:.2f}s"
    assert any(code == 130 for _, code, _ in outcomes), f"{took:.2f}s: {outcomes}"


def test_ctrl_c_while_importing_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import mila_cli
    from mila_cli import program

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(program, "main", interrupted)
    with pytest.raises(SystemExit) as ended:
        mila_cli.main()
    assert ended.value.code == 130 and capsys.readouterr().err == "Interrupted.\n"


# Plain columns and JSON lines, as scripts read them ---------------------------------


def test_plain_columns_scripts_rely_on() -> None:
    from conftest import invoke

    history = invoke("history").stdout.splitlines()
    assert all(re.fullmatch(r"\d{4}(-\d{2})?\t[a-z0-9-]+\t[^\t]+", line) for line in history)
    assert any(re.match(r"\d{4}-\d{2}\t", line) for line in history)  # a month, as 2020-12
    people = invoke("people").stdout.splitlines()
    assert "yoshua-bengio\tYoshua Bengio\t" in "\n".join(people)
    assert all(len(line.split("\t")) == 3 for line in people)
    area = invoke("areas", "nlp").stdout.splitlines()
    assert area[0].startswith("id:\t") and any(line.startswith("mentioned in:\t") for line in area)
    assert all(len(line.split("\t")) == 3 for line in area if line.startswith("mentioned in:"))


@pytest.mark.parametrize("args", [["facts"], ["show", "lisa"], ["search", "lisa"], ["people", "bengio"], ["sources"]])
def test_json_in_a_pipe_is_one_line(args: list[str]) -> None:
    from conftest import invoke

    out = invoke(*args, "--json").stdout
    assert out.endswith("\n") and out.count("\n") == 1 and json.loads(out)


def test_describe_puts_facts_into_words() -> None:
    from mila_cli import describe

    assert describe.value_text({"a": [1, 2], "b": "x"}) == "a: 1; 2, b: x"
    counted = {"count": 1200, "count_qualifier": "more than", "count_of": "researchers", "as_of": "2021"}
    assert describe.count_text(counted) == "more than 1,200 researchers in 2021"
    assert describe.count_text({"count": 5}) == "5"
    degrees = {"degrees": [{"degree": "PhD", "year": 1991, "lab": "McGill"}, {"degree": "MSc"}]}
    assert describe._degree_years(degrees) == "PhD 1991"
    assert describe._degree_labs(degrees) == "McGill (PhD)"
