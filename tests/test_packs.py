"""User fact packs, and data that cannot hurt the terminal."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.shell_completion import ShellComplete
from conftest import bundled_facts, invoke, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mila_cli.cli import cli

SOURCE = "my-notes"
SOURCES = [{"id": SOURCE, "title": "My lab's notes", "kind": "wiki", "url": "https://example.org/notes"}]
PERSON = {
    "id": "ada-lovelace",
    "category": "people",
    "text": "Ada Lovelace wrote the first program.",
    "name": "Ada Lovelace",
    "roles": ["first programmer"],
    "source": SOURCE,
}
EVENT = {"id": "lab-opened", "category": "history", "text": "Our lab opened in 1990.", "year": 1990, "source": SOURCE}
AREA = {
    "id": "quantum-ml",
    "category": "areas",
    "text": "Quantum machine learning is studied here.",
    "name": "Quantum ML",
    "group": "research topic",
    "source": SOURCE,
}


def _pack(folder: Path, facts: Any, name: str = "pack.json", sources: Any = SOURCES) -> Path:
    """A pack folder with one fact file and, unless sources is None, its sources.json."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    if sources is not None:
        (folder / "sources.json").write_text(json.dumps(sources, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return _pack(tmp_path / "pack", [PERSON, EVENT, AREA])


def _json(*args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# Every command sees pack facts ----------------------------------------------


def test_every_command_sees_the_pack(pack: Path) -> None:
    d = ["--facts-dir", str(pack)]
    assert PERSON in _json(*d, "facts")
    assert _json(*d, "show", "ada-lovelace") == PERSON
    assert _json(*d, "search", "lovelace")[0]["id"] == "ada-lovelace"
    assert _json(*d, "people", "ada")["id"] == "ada-lovelace"
    assert _json(*d, "areas", "quantum")["id"] == "quantum-ml"
    assert _json(*d, "history")[0]["id"] == "lab-opened"
    assert invoke(*d, "bookmark", "add", "ada-lovelace").exit_code == 0
    assert _json(*d, "bookmark", "list")[0]["fact"] == PERSON
    values = ShellComplete(cli, {}, "mila", "_MILA_COMPLETE").get_completions([*d, "people"], "ad")
    assert [v.value for v in values] == ["ada-lovelace"]


def test_mila_facts_path_and_repeated_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = _pack(tmp_path / "one", [PERSON])
    two = _pack(tmp_path / "two", [EVENT])
    three = _pack(tmp_path / "three", [AREA])
    monkeypatch.setenv("MILA_FACTS_PATH", f"{one}{os.pathsep}{os.pathsep}{two}")
    ids = {f["id"] for f in _json("--facts-dir", str(three), "facts")}
    assert {"ada-lovelace", "lab-opened", "quantum-ml"} <= ids
    assert len(ids) == len(bundled_facts()) + 3


def test_round_trip_of_facts_json_as_a_pack(tmp_path: Path) -> None:
    exported = _json("facts")
    for fact in exported:
        fact["id"] = "copy-" + fact["id"]
    pack = _pack(tmp_path / "copy", exported)
    loaded = _json("--facts-dir", str(pack), "facts")
    assert loaded == bundled_facts() + exported


def test_pack_may_use_its_own_categories(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [{"id": "x", "category": "lab-news", "text": "News.", "source": SOURCE}])
    assert [f["id"] for f in _json("--facts-dir", str(pack), "facts", "--category", "lab-news")] == ["x"]


# Bad packs: exit 3, one line, naming what is wrong ----------------------------


def _fails(*args: str) -> str:
    result = invoke(*args, "facts")
    assert result.exit_code == 3, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("mila: ")
    return result.stderr


def test_same_id_in_pack_and_bundled_names_both_files(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [{**PERSON, "id": "yoshua-bengio"}])
    err = _fails("--facts-dir", str(pack))
    assert "duplicate id 'yoshua-bengio'" in err and "people.json" in err and str(pack / "pack.json") in err


def test_same_id_in_two_packs_names_both_files(tmp_path: Path) -> None:
    one = _pack(tmp_path / "one", [PERSON])
    two = _pack(tmp_path / "two", [PERSON], name="again.json")
    err = _fails("--facts-dir", str(one), "--facts-dir", str(two))
    assert str(one / "pack.json") in err and str(two / "again.json") in err


def test_missing_pack_folder(tmp_path: Path) -> None:
    err = _fails("--facts-dir", str(tmp_path / "nowhere"))
    assert f"facts folder not found: {tmp_path / 'nowhere'}" in err


def test_pack_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("[]")
    assert "is not a folder" in _fails("--facts-dir", str(tmp_path / "f"))


def test_invalid_json_names_file_line_and_column(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "bad.json").write_text('[\n  {"id": "x",\n  oops}\n]', encoding="utf-8")
    err = _fails("--facts-dir", str(folder))
    assert f"{folder / 'bad.json'}: invalid JSON at line 3, column 3" in err


def test_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "bad.json").write_bytes(b'[{"id": "\xff"}]')
    assert "not UTF-8" in _fails("--facts-dir", str(folder))


@pytest.mark.parametrize(("bom", "byte"), [(b"", 9), (b"\xef\xbb\xbf", 12)])
def test_a_bom_is_ignored_and_a_bad_byte_is_counted_from_the_file_start(tmp_path: Path, bom: bytes, byte: int) -> None:
    folder = _pack(tmp_path / "p", [])
    (folder / "good.json").write_bytes(bom + json.dumps([PERSON]).encode())
    assert [f["id"] for f in _json("--facts-dir", str(folder), "facts", "--category", "people")][-1] == PERSON["id"]
    (folder / "good.json").write_bytes(bom + b'[{"id": "\xff"}]')
    assert f"not UTF-8 text (byte {byte})" in _fails("--facts-dir", str(folder))


@pytest.mark.parametrize(
    ("fact", "field"),
    [
        ({**PERSON, "roles": "x"}, "roles"),
        ({**EVENT, "year": "1990"}, "year"),
        ({**AREA, "group": "x"}, "group"),
        ({k: v for k, v in PERSON.items() if k != "source"}, "source"),
        ({**PERSON, "id": "Ada"}, "id"),
    ],
)
def test_schema_break_names_file_fact_and_field(tmp_path: Path, fact: dict[str, Any], field: str) -> None:
    pack = _pack(tmp_path / "p", [EVENT, fact] if fact["id"] != "lab-opened" else [fact])
    err = _fails("--facts-dir", str(pack))
    assert str(pack / "pack.json") in err and f"field '{field}'" in err and "fact #" in err


def test_top_level_must_be_an_array(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", PERSON)
    assert "must be a JSON array" in _fails("--facts-dir", str(pack))


def test_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    with (folder / "huge.json").open("wb") as handle:  # sparse: costs no disk
        handle.truncate(65 * 1024 * 1024)
    assert "over the 64 MiB limit" in _fails("--facts-dir", str(folder))


def test_bad_pack_gives_no_completions_and_no_noise(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", "not a list")
    values = ShellComplete(cli, {}, "mila", "_MILA_COMPLETE").get_completions(["--facts-dir", str(pack), "show"], "")
    assert values == []


def test_a_pack_file_named_schema_json_is_still_read(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [PERSON], name="schema.json")
    assert _json("--facts-dir", str(pack), "show", "ada-lovelace") == PERSON


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_or_folder_named_json_is_passed_over_not_waited_on(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [PERSON])
    os.mkfifo(pack / "pipe.json")  # reading it would wait for a writer forever
    (pack / "folder.json").mkdir()
    done = run("--facts-dir", str(pack), "show", "ada-lovelace", "--json", timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == PERSON


def test_packs_are_never_executed(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    _pack(folder, [PERSON])
    (folder / "evil.py").write_text("raise SystemExit('executed')")
    (folder / "evil.json.py").write_text("raise SystemExit('executed')")
    assert invoke("--facts-dir", str(folder), "facts").exit_code == 0


# Terminal safety --------------------------------------------------------------

HOSTILE_TEXT = "[bold red]boom[/] \x1b[2J\x1b]0;pwned\x07 \u202eevil \x9b31m [link=x]y[/link]."
HOSTILE_SOURCES = [*SOURCES, {"id": "hostile-source", "title": "\x1b]8;;http://x\x07t", "kind": "\x1b[5mk"}]
HOSTILE = {
    "id": "hostile",
    "category": "people",
    "text": HOSTILE_TEXT,
    "name": "[b]Eve\x1b[31m",
    "roles": ["\x1b[5mblink"],
    "aliases": ["\x07bell"],
    "source": "hostile-source",
}


def _escapes(text: str) -> set[str]:
    """Every escape sequence in text: CSI (ESC [ ... letter) and any other ESC pair."""
    return set(re.findall(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[^\[]", text))


def _tame(value: Any) -> Any:
    """The same data with every control, format or C1 character taken out."""
    if isinstance(value, str):
        return re.sub("[\x00-\x1f\x7f-\x9f\u202e]", "", value)
    if isinstance(value, list):
        return [_tame(v) for v in value]
    if isinstance(value, dict):
        return {k: _tame(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    "args",
    [
        ["facts"],
        ["show", "hostile"],
        ["people"],
        ["people", "eve"],
        ["search", "boom"],
        ["history"],
        ["areas"],
        ["bookmark", "list"],
    ],
)
def test_human_output_is_literal_and_inert(tmp_path: Path, args: list[str]) -> None:
    pack = _pack(
        tmp_path / "p",
        [HOSTILE, {**EVENT, "text": HOSTILE_TEXT}, {**AREA, "name": "[i]Q\x1b[7m"}],
        sources=HOSTILE_SOURCES,
    )
    invoke("--facts-dir", str(pack), "bookmark", "add", "hostile", "--note", "\x1b[2Jnote")
    # The same pack without the escapes: the sequences rich itself writes for this view.
    tame = _pack(
        tmp_path / "tame",
        [_tame(HOSTILE), {**EVENT, "text": _tame(HOSTILE_TEXT)}, {**AREA, "name": "[i]Q"}],
        sources=_tame(HOSTILE_SOURCES),
    )
    own = _escapes(invoke("--facts-dir", str(tame), *args, env={"FORCE_COLOR": "1", "NO_COLOR": None}).stdout)
    # The data's sequences are ones rich never writes here, so a leak cannot hide among rich's.
    assert not own & {"\x1b[31m", "\x1b[5m", "\x1b[7m", "\x1b[2J"}
    for env in ({"FORCE_COLOR": None}, {"FORCE_COLOR": "1", "NO_COLOR": None}):
        result = invoke("--facts-dir", str(pack), *args, env=env)
        assert result.exit_code == 0, result.stderr
        assert _escapes(result.stdout) <= own
        shown = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)  # rich's own styling, checked above
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", shown)
        assert "\x1b" not in result.stderr


def test_json_keeps_hostile_data_exact_but_escaped(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [HOSTILE], sources=HOSTILE_SOURCES)
    result = invoke("--facts-dir", str(pack), "show", "hostile", "--json")
    assert json.loads(result.stdout) == HOSTILE
    assert "\x1b" not in result.stdout and "\\u001b" in result.stdout and "\\u202e" in result.stdout


def test_error_messages_are_inert(tmp_path: Path) -> None:
    for args in (
        ["show", "\x1b[2J"],
        ["people", "\x1b]0;t\x07"],
        ["history", "--since", "\x1b[2J"],
        ["--facts-dir", str(tmp_path / "\x1b[2J"), "facts"],
    ):
        result = invoke(*args)
        assert result.exit_code in (1, 2, 3)
        assert "\x1b" not in result.stderr and "\x07" not in result.stderr


@pytest.mark.slow
def test_real_terminal_shows_markup_literally_and_no_escapes(tmp_path: Path) -> None:
    if shutil.which("script") is None:
        pytest.skip("script(1) is not installed")
    pack = _pack(tmp_path / "p", [HOSTILE], sources=HOSTILE_SOURCES)
    for args in ("facts", "show hostile", "search boom", "people"):
        command = f"{shlex.quote(sys.executable)} -m mila_cli --facts-dir {shlex.quote(str(pack))} {args}"
        done = subprocess.run(
            ["script", "-qec", command, "/dev/null"],
            capture_output=True,
            timeout=60,
            check=False,
            env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "200"},
            stdin=subprocess.DEVNULL,
        )
        screen = done.stdout.decode("utf-8", "replace")
        assert done.returncode == 0, screen
        assert "\x1b[2J" not in screen and "\x1b]" not in screen and "\x07" not in screen
        assert "\u202e" not in screen and "\x1b[5m" not in screen
        plain = re.sub(r"\x1b\[[0-9;]*m", "", screen)  # rich's own styling
        assert "[bold red]boom[/]" in plain or "[b]Eve" in plain


# Property: any text, name or query ------------------------------------------

_text = st.text(min_size=1, max_size=60).filter(lambda s: s.strip() != "")
_facts = st.lists(
    st.fixed_dictionaries(
        {
            "text": _text,
            "name": _text,
            "aliases": st.lists(_text, max_size=2),
            "tags": st.lists(_text, max_size=2),
            "category": st.sampled_from(["people", "areas", "history", "notes"]),
            "year": st.integers(1, 9999),
        }
    ),
    min_size=1,
    max_size=4,
)


def _as_facts(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, r in enumerate(raw):
        fact = {"id": f"gen-{i}", "source": "encyclopedia", **r}
        if r["category"] == "people":
            fact["roles"] = [r["text"]]
        if r["category"] == "areas":
            fact["group"] = "application"
        out.append(fact)
    return out


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=_facts, query=st.text(max_size=40))
def test_any_pack_any_query_never_raises_and_json_round_trips(raw: list[dict[str, Any]], query: str) -> None:
    generated = _as_facts(raw)
    with tempfile.TemporaryDirectory() as tmp:
        pack = _pack(Path(tmp), generated)
        d = ["--facts-dir", str(pack)]
        loaded = json.loads(invoke(*d, "facts", "--json").stdout)
        assert loaded[len(bundled_facts()) :] == generated
        assert json.loads(invoke(*d, "show", "gen-0", "--json").stdout) == generated[0]
        for args in (
            ["facts"],
            ["people"],
            ["areas"],
            ["history"],
            ["show", "gen-0"],
            ["people", "--", generated[0]["name"]],
            ["areas", "--", generated[0]["name"]],
        ):
            for env in ({"FORCE_COLOR": None}, {"FORCE_COLOR": "1", "NO_COLOR": None}):
                result = invoke(*d, *args, env=env)
                assert result.exit_code in (0, 1), result.stderr
        # '--' so that a generated query such as '-0' is a query, not an option.
        result = invoke(*d, "search", "--json", "--", query or "x")
        assert result.exit_code in (0, 1, 2)
        if result.exit_code != 2:
            for row in json.loads(result.stdout):
                assert row["id"] in {f["id"] for f in loaded}
        result = invoke(*d, "search", "--", query or "x", env={"FORCE_COLOR": "1", "NO_COLOR": None})
        assert result.exit_code in (0, 1, 2)


# Sources and disagreements in packs -------------------------------------------


def test_a_pack_cites_its_own_sources_and_the_bundled_ones(tmp_path: Path) -> None:
    cites_bundled = {**EVENT, "id": "lab-visit", "source": "encyclopedia"}
    pack = _pack(tmp_path / "p", [PERSON, cites_bundled])
    rows = {s["id"]: s for s in _json("--facts-dir", str(pack), "sources")}
    assert rows["my-notes"]["facts"] == 1 and rows["my-notes"]["title"] == "My lab's notes"
    assert rows["encyclopedia"]["facts"] == 1 + sum(1 for f in bundled_facts() if f["source"] == "encyclopedia")
    ids = [f["id"] for f in _json("--facts-dir", str(pack), "facts", "--source", "my-notes")]
    assert ids == ["ada-lovelace"]
    shown = invoke("--facts-dir", str(pack), "show", "ada-lovelace").stdout
    assert "source:\tMy lab's notes — wiki (https://example.org/notes)" in shown


def test_a_fact_citing_an_unknown_source_is_refused(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [{**PERSON, "source": "nowhere"}])
    err = _fails("--facts-dir", str(pack))
    assert str(pack / "pack.json") in err and "'ada-lovelace'" in err and "no source has the id 'nowhere'" in err


def test_the_old_inline_source_form_is_refused_with_a_pointer(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [{**PERSON, "source": {"title": "My notes"}}])
    err = _fails("--facts-dir", str(pack))
    assert "field 'source'" in err and "sources.json" in err


def test_sources_declared_twice_must_agree(tmp_path: Path) -> None:
    one = _pack(tmp_path / "one", [PERSON])
    two = _pack(tmp_path / "two", [EVENT])  # the same declaration again: fine
    assert invoke("--facts-dir", str(one), "--facts-dir", str(two), "facts").exit_code == 0
    three = _pack(tmp_path / "three", [AREA], sources=[{**SOURCES[0], "title": "Other notes"}])
    err = _fails("--facts-dir", str(one), "--facts-dir", str(three))
    assert "duplicate source id 'my-notes'" in err and str(three / "sources.json") in err


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ({"id": "x"}, "must be a JSON array"),
        ([{"title": "t"}], "field 'id': is required"),
        ([{"id": "Bad Id", "title": "t"}], "field 'id'"),
        ([{"id": "x", "title": ""}], "field 'title'"),
    ],
)
def test_a_broken_sources_file_names_what_is_wrong(tmp_path: Path, sources: Any, message: str) -> None:
    pack = _pack(tmp_path / "p", [], sources=sources)
    err = _fails("--facts-dir", str(pack))
    assert str(pack / "sources.json") in err and message in err


def test_a_pack_fact_can_disagree_with_a_bundled_one(tmp_path: Path) -> None:
    figure = {
        "id": "lab-headcount",
        "category": "institute",
        "text": "Our wiki counts 1,500 researchers at Mila.",
        "count": 1500,
        "count_qualifier": "approximately",
        "count_of": "researchers",
        "conflicts_with": ["researchers-1200"],
        "source": SOURCE,
    }
    pack = _pack(tmp_path / "p", [figure])
    d = ["--facts-dir", str(pack)]
    # The link counts both ways, though only the pack declares it.
    bundled_side = _json(*d, "show", "researchers-1200")
    assert {c["id"] for c in bundled_side["conflicts"]} == {"researchers-2021", "lab-headcount"}
    assert [c["id"] for c in _json(*d, "show", "lab-headcount")["conflicts"]] == ["researchers-1200"]
    rows = _json(*d, "search", "how many researchers")
    assert {"researchers-1200", "researchers-2021", "lab-headcount"} <= {r["id"] for r in rows}


def test_a_conflict_with_no_such_fact_is_refused(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "p", [{**PERSON, "conflicts_with": ["nobody"]}])
    err = _fails("--facts-dir", str(pack))
    assert "field 'conflicts_with': no fact has the id 'nobody'" in err


def test_stand_for_is_answered_by_a_fact_with_aliases_and_no_name(tmp_path: Path) -> None:
    meeting = {
        **EVENT,
        "id": "nips",
        "text": "We go to NIPS each year.",
        "aliases": ["NIPS", "Neural Information Processing Systems"],
    }
    pack = _pack(tmp_path / "p", [meeting])
    assert _json("--facts-dir", str(pack), "search", "what does NIPS stand for")[0]["id"] == "nips"


def test_a_word_that_folds_to_nothing_is_no_word(tmp_path: Path) -> None:
    # U+FF9E, a half-width voicing mark, is a word character that folds to nothing.
    odd = {**EVENT, "id": "odd-mark", "text": "The katakana mark \uff9e stands alone here in 1991.", "year": 1991}
    pack = _pack(tmp_path / "p", [odd])
    assert [f["id"] for f in _json("--facts-dir", str(pack), "search", "katakana mark")] == ["odd-mark"]


def _large_pack(folder: Path, extra: list[dict[str, Any]]) -> Path:
    """More facts than search scores in full (3,000): the candidate path."""
    filler = [
        {
            "id": f"note-{i}",
            "category": "notes",
            "text": f"Note {i} is about topic {i % 97} and nothing else.",
            "source": SOURCE,
        }
        for i in range(3500)
    ]
    return _pack(folder, [*filler, *extra])


def test_a_large_pack_answers_questions_and_brings_the_other_side_of_a_count(tmp_path: Path) -> None:
    widgets = {
        "id": "widgets-a",
        "category": "notes",
        "text": "The lab has 40 widgets.",
        "count": 40,
        "count_of": "widgets",
        "conflicts_with": ["gizmo-b"],
        "source": SOURCE,
    }
    gizmo = {
        "id": "gizmo-b",
        "category": "notes",
        "text": "An older list gives 30 gadgets.",
        "count": 30,
        "count_of": "gadgets",
        "source": SOURCE,
    }
    pack = _large_pack(tmp_path / "p", [widgets, gizmo, PERSON])
    d = ["--facts-dir", str(pack)]
    # The other figure matches no word of the question, and is not among the candidates.
    assert {f["id"] for f in _json(*d, "search", "how many widgets")[:2]} == {"widgets-a", "gizmo-b"}
    assert _json(*d, "search", "who wrote the first program")[0]["id"] == "ada-lovelace"
    assert _json(*d, "search", "lovelase")[0]["id"] == "ada-lovelace"  # a typo
    assert invoke(*d, "search", "zorblax quintessa").exit_code == 1


# --facts-dir after the command, as git and rg take their options ---------------


@pytest.mark.parametrize(
    "args",
    [
        ["people", "ada", "--facts-dir", "{pack}"],
        ["people", "--facts-dir={pack}", "ada"],
        ["show", "ada-lovelace", "--facts-dir", "{pack}"],
        ["search", "first", "program", "--facts-dir", "{pack}"],
        ["facts", "--category", "PEOPLE", "--facts-dir", "{pack}"],  # the pack is read before the category
    ],
)
def test_facts_dir_after_the_command(pack: Path, args: list[str]) -> None:
    found = _json(*(a.format(pack=pack) for a in args))
    assert "ada-lovelace" in [f["id"] for f in (found if isinstance(found, list) else [found])]


def test_facts_dir_before_and_after_both_count(pack: Path, tmp_path: Path) -> None:
    other = _pack(tmp_path / "other", [EVENT | {"id": "other-event"}])
    ids = {f["id"] for f in _json("--facts-dir", str(pack), "facts", "--facts-dir", str(other))}
    assert {"ada-lovelace", "other-event"} <= ids


def test_bookmark_add_after_the_command_sees_the_pack(pack: Path) -> None:
    assert invoke("bookmark", "add", "ada-lovelace", "--facts-dir", str(pack)).exit_code == 0
    listed = _json("bookmark", "list", "--facts-dir", str(pack))
    assert listed[0]["id"] == "ada-lovelace" and listed[0]["missing"] is False


@pytest.mark.parametrize("where", ["before", "after"])
def test_empty_facts_dir_is_a_usage_error(where: str) -> None:
    args = ["--facts-dir", "", "facts"] if where == "before" else ["facts", "--facts-dir", "  "]
    result = invoke(*args)
    assert result.exit_code == 2 and "the folder name is empty" in result.stderr and result.stdout == ""
