"""Search: the newcomer's cases at 100% recall@3, ranking rules, and the command's contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import REPORT, ROOT, bundled_facts, invoke

from mila_cli import facts
from mila_cli.search import SearchIndex

CASES = json.loads((ROOT / "tests" / "search_cases.json").read_text(encoding="utf-8"))
INDEX = SearchIndex(facts.load().facts)


def _ids(query: str, **kw: Any) -> list[str]:
    return [r.fact["id"] for r in INDEX.search(query, **kw)]


def test_cases_are_many_and_cover_every_category() -> None:
    by_id = {f["id"]: f for f in bundled_facts()}
    assert len(CASES) >= 40
    assert {by_id[c["expect"]]["category"] for c in CASES} == {f["category"] for f in bundled_facts()}


def test_recall_at_3_is_total() -> None:
    misses, reciprocal = [], 0.0
    for case in CASES:
        ids = _ids(case["query"])
        rank = ids.index(case["expect"]) + 1 if case["expect"] in ids else 0
        reciprocal += 1 / rank if rank else 0.0
        if not 1 <= rank <= 3:
            misses.append(f"{case['query']!r} -> {case['expect']} at {rank or 'none'}: {ids[:3]}")
    recall = 1 - len(misses) / len(CASES)
    REPORT["search recall@3"] = f"{recall:.1%} of {len(CASES)} cases"
    REPORT["search mean reciprocal rank"] = f"{reciprocal / len(CASES):.3f}"
    assert not misses, "\n".join(misses)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Yoshua Bengio", "yoshua-bengio"),
        ("benjio", "yoshua-bengio"),
        ("goodfelow", "ian-goodfellow"),
        ("joelle", "joelle-pineau"),
        ("Doina Precup", "doina-precup"),
        ("who founded LISA", "lisa-founded"),
        ("LISA", "lisa"),
        ("MILA", "mila-name"),
    ],
)
def test_names_and_exact_matches_come_first(query: str, first: str) -> None:
    assert _ids(query)[0] == first


def test_whole_words_beat_partial_ones() -> None:
    results = INDEX.search("theano")
    assert results[0].fact["id"] == "theano"
    # "the" is only a prefix of "theano" and a stop word: it finds nothing by itself.
    assert INDEX.search("the") == []


def test_stop_words_do_not_drown_content_words() -> None:
    assert _ids("when was mila established")[0] == "mila-established"
    assert _ids("mila established") == _ids("when was mila established")


@pytest.mark.parametrize("query", ["zzzzqqq", "a", "x", "who what when"])
def test_noise_finds_nothing(query: str) -> None:
    assert INDEX.search(query) == []


def test_scores_are_0_to_100_and_ordered() -> None:
    results = INDEX.search("deep learning", limit=50, min_score=0)
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 100 for s in scores)


def test_highlight_spans_point_at_matched_words() -> None:
    (result, *_) = INDEX.search("Montreal")
    text = result.fact["text"]
    assert [text[a:b] for a, b in result.spans] == ["Montreal"]
    accented = INDEX.search("universite", category="organizations")[0]
    assert "Université" in [accented.fact["text"][a:b] for a, b in accented.spans]


# The command ----------------------------------------------------------------


def test_json_is_array_of_facts_with_score_in_rank_order() -> None:
    result = invoke("search", "reinforcment", "lerning", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    by_id = {f["id"]: f for f in bundled_facts()}
    assert data[0]["id"] in {"reinforcement-learning", "topic-reinforcement-learning"}
    for row in data:
        score = row.pop("score")
        assert 0 <= score <= 100
        assert row == by_id[row["id"]]
    assert [r["id"] for r in data] == _ids("reinforcment lerning")


def test_limit_category_and_min_score() -> None:
    assert len(json.loads(invoke("search", "learning", "--limit", "2", "--json").stdout)) == 2
    rows = json.loads(invoke("search", "learning", "-c", "areas", "--json").stdout)
    assert rows and all(r["category"] == "areas" for r in rows)
    rows = json.loads(invoke("search", "benjio", "--min-score", "70", "--json").stdout)
    assert [r["id"] for r in rows] == ["yoshua-bengio"]


def test_no_result_is_exit_1_with_empty_array() -> None:
    result = invoke("search", "zzzzqqq", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout) == []
    result = invoke("search", "zzzzqqq")
    assert result.exit_code == 1 and result.stdout == "" and "nothing matches" in result.stderr


@pytest.mark.parametrize("args", [[""], ["   "], []])
def test_empty_query_is_usage_error(args: list[str]) -> None:
    result = invoke("search", *args)
    assert result.exit_code == 2 and result.stdout == ""


@pytest.mark.parametrize(
    "args", [["--limit", "0"], ["--min-score", "101"], ["--min-score", "x"], ["--category", "nope"]]
)
def test_bad_options_are_usage_errors(args: list[str]) -> None:
    assert invoke("search", "lisa", *args).exit_code == 2


@pytest.mark.parametrize(
    "query",
    [
        "x" * 20000,
        "lisa " * 4000,
        "[bold]",
        "[/]",
        "[bold red]mila[/bold red]",
        "\x1b[2J\x07",
        "\x00\x01",
        "'; DROP TABLE facts; --",
        "蒙特利尔 学习算法",
        "Монреаль",
        "مونتريال",
        "\u202emila",
        "\ud800",
        "🙂🙂",
    ],
)
def test_hostile_queries_are_answered(query: str) -> None:
    result = invoke("search", query, "--json")
    assert result.exit_code in (0, 1)
    assert isinstance(json.loads(result.stdout), list)
    human = invoke("search", query)
    assert human.exit_code in (0, 1)
    assert "\x1b" not in human.stderr and "\x00" not in human.stderr


def test_plain_output_is_one_result_per_line() -> None:
    lines = invoke("search", "LISA").stdout.splitlines()
    first = lines[0].split("\t")
    assert len(first) == 4 and first[1] == "lisa" and float(first[0]) == 100


def test_terminal_output_highlights_matches() -> None:
    result = invoke("search", "Montreal", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert "\x1b[1;33mMontreal\x1b[0m" in result.stdout
