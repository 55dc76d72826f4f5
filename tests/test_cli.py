"""Contracts of facts, show, history, areas and people: JSON shapes and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import click
import pytest
from conftest import bundled_facts, bundled_sources, invoke

from mila_cli import __version__
from mila_cli.cli import cli


def _json(*args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None and command.name == name  # made under the name it was registered by
        out.append((*prefix, name))
        if isinstance(command, click.Group):
            out.extend(_commands(command, (*prefix, name)))
    return out


@pytest.mark.parametrize(
    ("typed", "name", "meant"), [(["serch", "x"], "serch", "search"), (["bookmark", "lst"], "lst", "list")]
)
def test_a_mistyped_command_gets_a_suggestion(typed: list[str], name: str, meant: str) -> None:
    # A fresh process: in this one, earlier tests have made every command already.
    done = subprocess.run(
        [sys.executable, "-m", "mila_cli", *typed], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stderr.endswith(f"Error: No such command '{name}'. Did you mean '{meant}'?\n")


def test_a_run_makes_only_the_command_it_runs() -> None:
    """Commands are made when click looks them up (program.MilaGroup.lazy)."""
    probe = (
        "import sys; from mila_cli.cli import cli; sys.argv = ['mila', 'show', 'iclr', '--json']\n"
        "try:\n    cli.main(prog_name='mila')\n"
        "except SystemExit:\n    print(sorted(cli.commands), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert done.stderr == "['show']\n" and '"id": "iclr"' in done.stdout


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout == f"mila {__version__}\n"


def test_help_lists_every_command_with_a_summary_and_an_example() -> None:
    text = invoke("--help").stdout
    context = click.Context(cli)
    names = cli.list_commands(context)
    assert len(names) == 9
    for name in names:
        command = cli.get_command(context, name)
        assert command is not None
        assert name in text
        assert command.get_short_help_str(200).strip()
        assert f"mila {name}" in text  # the examples in the epilog


@pytest.mark.parametrize("path", _commands(cli), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and f"mila {' '.join(path)}" in result.stdout


# facts ----------------------------------------------------------------------


def test_facts_json_is_every_fact_as_stored() -> None:
    assert _json("facts") == bundled_facts()


def test_facts_category_filters() -> None:
    people = _json("facts", "--category", "people")
    assert people and all(f["category"] == "people" for f in people)


def test_facts_unknown_category_is_a_usage_error() -> None:
    result = invoke("facts", "--category", "nope")
    assert result.exit_code == 2 and "unknown category 'nope'" in result.stderr and result.stdout == ""


def test_facts_plain_is_one_record_per_line() -> None:
    lines = invoke("facts").stdout.splitlines()
    assert len(lines) == len(bundled_facts())
    assert all(len(line.split("\t")) == 3 for line in lines)


def test_facts_json_saved_is_a_valid_fact_file(tmp_path: Any) -> None:
    from mila_cli.facts import read_file

    path = tmp_path / "all.json"
    path.write_text(invoke("facts", "--json").stdout, encoding="utf-8")
    assert read_file(path) == bundled_facts()


# show -----------------------------------------------------------------------


def test_show_json_is_the_stored_fact() -> None:
    fact = _json("show", "lisa-founded")
    assert fact == next(f for f in bundled_facts() if f["id"] == "lisa-founded")
    assert fact["year"] == 1993 and fact["source"] == "encyclopedia"


def test_show_names_its_source_by_title_in_every_human_view() -> None:
    out = invoke("show", "yoshua-bengio").stdout
    assert "Yoshua Bengio" in out
    assert "source:\tMila (research institute) — encyclopedia article (001_c8d6cd5dc19df680.txt)" in out
    drawn = invoke("show", "leading-ai-institute", env={"FORCE_COLOR": "1", "COLUMNS": "120"}).stdout
    assert "Core Expertise — Mila's own web page" in drawn


def test_show_makes_the_other_side_of_a_disagreement_visible() -> None:
    by_id = {f["id"]: f for f in bundled_facts()}
    data = _json("show", "researchers-1200")
    assert data["conflicts"] == [by_id["researchers-2021"]]
    assert {k: v for k, v in data.items() if k != "conflicts"} == by_id["researchers-1200"]
    assert "conflicts" not in _json("show", "lisa-founded")
    lines = invoke("show", "researchers-2021").stdout.splitlines()
    assert (
        "disagrees:\tresearchers-1200\t" + by_id["researchers-1200"]["text"] + "\tCore Expertise — Mila's own web page"
        in lines
    )
    drawn = invoke("show", "researchers-2021", env={"FORCE_COLOR": "1", "COLUMNS": "120"}).stdout
    assert "disagrees" in drawn and "more than 1,200 researchers" in drawn and "Core Expertise" in drawn


# sources --------------------------------------------------------------------


def test_sources_json_lists_each_document_with_its_fact_count() -> None:
    rows = _json("sources")
    assert [r["id"] for r in rows] == [s["id"] for s in bundled_sources()]
    for row in rows:
        assert {"id", "title", "facts"} <= set(row)
        assert row["facts"] == sum(1 for f in bundled_facts() if f["source"] == row["id"])
    assert sum(r["facts"] for r in rows) == len(bundled_facts())


def test_sources_human_output_names_titles() -> None:
    lines = invoke("sources").stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["core-expertise", "Core Expertise", "Mila's own web page"]
    drawn = invoke("sources", env={"FORCE_COLOR": "1", "COLUMNS": "100"}).stdout
    assert "Mila (research institute)" in drawn and "encyclopedia article" in drawn


def test_facts_source_filters_and_an_unknown_source_is_a_usage_error() -> None:
    rows = _json("facts", "--source", "core-expertise")
    assert rows and all(f["source"] == "core-expertise" for f in rows)
    assert len(rows) + len(_json("facts", "--source", "encyclopedia")) == len(bundled_facts())
    assert _json("facts", "--source", "encyclopedia", "--category", "people")
    result = invoke("facts", "--source", "wiki")
    assert result.exit_code == 2 and "unknown source 'wiki'" in result.stderr and "core-expertise" in result.stderr


def test_show_unknown_id_suggests_closest_on_stderr_only() -> None:
    result = invoke("show", "lisa-fonded")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "did you mean lisa-founded" in result.stderr
    # An id is as near as its nearest part, not near because it shares a letter.
    assert invoke("show", "bengio").stderr.endswith("; did you mean yoshua-bengio?\n")


def test_ids_and_source_ids_forgive_case() -> None:
    assert _json("show", "Yoshua-Bengio")["id"] == "yoshua-bengio"
    assert _json("facts", "--source", "Encyclopedia") == _json("facts", "--source", "encyclopedia")


@pytest.mark.parametrize(
    "args", [["show", ""], ["show", "  "], ["people", ""], ["areas", " "], ["bookmark", "add", ""]]
)
def test_an_empty_id_or_name_is_a_usage_error(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2 and result.stdout == "" and "is empty" in result.stderr


def test_what_was_typed_is_quoted_short_in_errors() -> None:
    long = "x" * 500
    for args in (["show", long], ["people", long], ["search", long], ["facts", "--source", long]):
        result = invoke(*args)
        assert result.exit_code in (1, 2) and "x" * 60 not in result.stderr and "…" in result.stderr, args


# history --------------------------------------------------------------------


def test_history_json_sorted_with_integer_years() -> None:
    events = _json("history")
    years = [e["year"] for e in events]
    assert years == sorted(years) and all(isinstance(y, int) for y in years)
    assert events[0]["id"] == "lisa-founded"
    assert all(e["text"] for e in events)
    assert {"rl-lab-founded", "mila-established", "ibm-collaboration", "researchers-2021"} <= {e["id"] for e in events}


def test_history_since_until() -> None:
    assert {e["year"] for e in _json("history", "--since", "2017", "--until", "2020")} == {2017, 2020}


def test_history_month_orders_within_a_year() -> None:
    events = list(_json("history", "--since", "2020", "--until", "2020"))
    assert events[-1]["id"] == "ibm-collaboration"


@pytest.mark.parametrize("bad", ["soon", "20.5", ""])
def test_history_non_integer_year_is_usage_error(bad: str) -> None:
    result = invoke("history", "--since", bad)
    assert result.exit_code == 2 and result.stdout == ""


def test_history_since_after_until_is_a_usage_error() -> None:
    result = invoke("history", "--since", "2020", "--until", "2000")
    assert result.exit_code == 2 and "--since 2020 is after --until 2000" in result.stderr


def test_history_empty_range_is_not_found() -> None:
    result = invoke("history", "--since", "3000", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout) == []


# areas ----------------------------------------------------------------------


def test_areas_json_is_array_with_name_and_group() -> None:
    areas = _json("areas")
    assert areas and all(a["name"] and a["group"] for a in areas)
    groups = [a["group"] for a in areas]
    assert groups == sorted(groups, key=["key research area", "research topic", "expertise", "application"].index)


def test_areas_plain_grouped_lines() -> None:
    lines = invoke("areas").stdout.splitlines()
    assert lines[0].split("\t") == ["key research area", "deep-learning", "Deep Learning"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("nlp", "applied-natural-language-processing"),  # the page says NLP only there
        ("reinforcment lerning", "reinforcement-learning"),
        ("Out of distribution", "out-of-distribution-generalization"),
        ("topic-meta-learning", "topic-meta-learning"),
        ("neuroai", "neuroai"),
    ],
)
def test_areas_name_finds_best_match_and_mentions(name: str, expected: str) -> None:
    area = _json("areas", name)
    assert isinstance(area, dict) and area["id"] == expected
    assert expected not in {m["id"] for m in area["mentioned_in"]}  # never itself


def test_area_mentions_are_facts_that_name_it() -> None:
    area = _json("areas", "Natural Language Processing")
    assert "topic-natural-language-processing" in {m["id"] for m in area["mentioned_in"]}
    assert "self-attention" in {m["id"] for m in _json("areas", "NLP")["mentioned_in"]}


def test_areas_unknown_name() -> None:
    result = invoke("areas", "astrology")
    assert result.exit_code == 1 and result.stdout == "" and "no area matches 'astrology'" in result.stderr


def test_a_name_may_be_several_words_but_must_name_the_area() -> None:
    assert _json("areas", "apprentissage", "profond")["id"] == "deep-learning"
    assert _json("people", "yoshua", "bengio")["id"] == "yoshua-bengio"
    # Search finds Environment for "founding" (its text tells of co-founding Climate
    # Change AI), but a name lookup wants an area called by what was asked.
    assert "environment" in [f["id"] for f in _json("search", "founding", "--category", "areas")]
    result = invoke("areas", "founding")
    assert result.exit_code == 1 and "no area matches 'founding'" in result.stderr


# people ---------------------------------------------------------------------


def test_people_json_is_array_of_people_with_names() -> None:
    people = _json("people")
    assert len(people) == 8 and all(p["name"] and p["roles"] for p in people)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bengio", "yoshua-bengio"),
        ("joelle", "joelle-pineau"),
        ("Joelle Pineau", "joelle-pineau"),
        ("JOËLLE", "joelle-pineau"),
        ("benjio", "yoshua-bengio"),
        ("goodfelow", "ian-goodfellow"),
        ("Doina Precup", "doina-precup"),
        ("yoshua-bengio", "yoshua-bengio"),
        ("larochele", "hugo-larochelle"),
        ("jackie cheung", "jackie-chi-kit-cheung"),
    ],
)
def test_people_name_finds_the_person(name: str, expected: str) -> None:
    person = _json("people", name)
    assert isinstance(person, dict) and person["id"] == expected


def test_people_keeps_accents_in_json() -> None:
    result = invoke("people", "joelle", "--json")
    assert "Joëlle" in result.stdout and "\\u00eb" not in result.stdout


def test_people_unknown_suggests_names() -> None:
    result = invoke("people", "Yoshua Bengion Smith-Jones")
    assert result.exit_code == 1 and result.stdout == ""
    assert "did you mean" in result.stderr and "Yoshua Bengio" in result.stderr


@pytest.mark.parametrize(("command", "name"), [("areas", "a"), ("areas", "the"), ("people", "la")])
def test_a_letter_or_an_article_names_nothing(command: str, name: str) -> None:
    assert invoke(command, name).exit_code == 1


def test_a_name_may_be_begun_as_tab_offers_it() -> None:
    assert _json("people", "jo")["id"] == "joelle-pineau"


def test_people_not_found_at_all() -> None:
    result = invoke("people", "qqqqqq")
    assert result.exit_code == 1 and result.stderr == "mila: no person matches 'qqqqqq'\n"


def test_unknown_command_is_usage_error() -> None:
    result = invoke("nope")
    assert result.exit_code == 2


# Conventions from git, gh and ripgrep -------------------------------------------


@pytest.mark.parametrize("typed", ["PEOPLE", "People", " people "])
def test_category_forgives_case(typed: str) -> None:
    assert {f["category"] for f in _json("facts", "--category", typed)} == {"people"}
    assert {f["category"] for f in _json("search", "bengio", "--category", typed)} == {"people"}


def test_search_dash_reads_the_query_from_stdin() -> None:
    result = invoke("search", "-", "--json", "--limit", "1", input="qui a fondé\n  Mila ?\n")
    assert result.exit_code == 0, result.stderr
    assert [r["id"] for r in json.loads(result.stdout)] == [
        r["id"] for r in _json("search", "qui a fondé Mila ?", "--limit", "1")
    ]


@pytest.mark.parametrize("given", ["", "  \n\n"])
def test_search_dash_with_nothing_on_stdin_is_a_usage_error(given: str) -> None:
    result = invoke("search", "-", input=given)
    assert result.exit_code == 2 and "the search query is empty" in result.stderr


def test_search_dash_reads_a_bounded_query() -> None:
    result = invoke("search", "-", input="bengio " * 20_000)
    assert result.exit_code == 2 and "longer than 100,000 characters" in result.stderr


def test_search_word_dash_among_others_is_a_word() -> None:
    # Only a lone '-' means stdin; 'deep - learning' is three words.
    assert invoke("search", "--json", "deep", "-", "learning").exit_code == 0


_ANSI = "\x1b["


@pytest.mark.parametrize("args", [["--color", "always", "people", "yoshua"], ["people", "yoshua", "--color=ALWAYS"]])
def test_color_always_colours_a_pipe_whatever_no_color_says(args: list[str]) -> None:
    result = invoke(*args)  # NO_COLOR=1 is set for every test
    assert result.exit_code == 0 and _ANSI in result.stdout and "Yoshua Bengio" in result.stdout


def test_color_never_wins_over_force_color() -> None:
    result = invoke("--color", "never", "people", "yoshua", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert result.exit_code == 0 and _ANSI not in result.stdout
    forced = invoke("people", "yoshua", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert _ANSI in forced.stdout  # without --color never, FORCE_COLOR colours


def test_color_auto_in_a_pipe_is_plain_lines() -> None:
    result = invoke("--color", "auto", "people", "yoshua")
    assert result.stdout.startswith("id:\tyoshua-bengio\n")


def test_color_takes_only_its_three_values() -> None:
    result = invoke("--color", "sometimes", "facts")
    assert result.exit_code == 2 and "'sometimes' is not one of 'auto', 'always', 'never'" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["bookmark", "--no-pager", "path"],
        ["bookmark", "path", "--color", "never"],
        ["completion", "bash", "--no-pager"],
        ["completion", "--color", "never", "zsh"],
    ],
)
def test_shared_options_after_every_command(args: list[str]) -> None:
    assert invoke(*args).exit_code == 0


def test_a_usage_error_the_core_finds_looks_like_clicks() -> None:
    result = invoke("show", "  ")
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: ") and " show [OPTIONS] ID\n" in result.stderr
    assert result.stderr.endswith("Error: the fact id is empty\n")


def test_a_name_that_fits_several_says_what_else_it_names() -> None:
    result = invoke("areas", "computer", "vision", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == "topic-computer-vision"
    assert result.stderr == "mila: 'computer vision' also names: applied-computer-vision\n"
    assert invoke("people", "bengio").stderr == ""  # one person is called that
