"""Search: the newcomers' cases by kind, what a question means, "no answer", and the command's contract."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import click
import pytest
from conftest import REPORT, ROOT, bundled_facts, invoke

from mila_cli import facts, vocabulary
from mila_cli.query import decade_years, parse, read
from mila_cli.search import DEFAULT_MIN_SCORE, LONG_QUESTION_FLOOR, SearchIndex, least_score

CASES = json.loads((ROOT / "tests" / "search_cases.json").read_text(encoding="utf-8"))
KINDS = ("question", "paraphrase", "typo", "keyword", "french", "unanswerable")
FACT_SET = facts.load()
VOCABULARY = vocabulary.load(FACT_SET.vocabularies)
INDEX = SearchIndex(FACT_SET.facts, VOCABULARY, FACT_SET.conflicts)
RECALL_FLOOR = 0.95  # recall@3 for every answerable kind
REFUSAL_FLOOR = 0.90  # share of unanswerable questions that get no answer


def _ids(query: str, **kw: Any) -> list[str]:
    return [r.fact["id"] for r in INDEX.search(query, **kw).results]


def _json(*args: str) -> Any:
    return json.loads(invoke(*args, "--json").stdout)


# The cases -------------------------------------------------------------------


def test_cases_are_many_labelled_and_cover_every_fact() -> None:
    ids = {f["id"] for f in bundled_facts()}
    assert len(CASES) >= 200
    by_kind: dict[str, int] = defaultdict(int)
    for case in CASES:
        assert case["kind"] in KINDS, case
        assert set(case["expect"]) <= ids, case
        assert bool(case["expect"]) == (case["kind"] != "unanswerable"), case
        by_kind[case["kind"]] += 1
    assert set(by_kind) == set(KINDS) and by_kind["unanswerable"] >= 20
    assert {i for c in CASES for i in c["expect"]} == ids  # every fact is some answer


def test_recall_at_3_per_kind_and_refusals() -> None:
    hits: dict[str, list[bool]] = defaultdict(list)
    misses = []
    for case in CASES:
        found = _ids(case["query"])
        ok = any(e in found[:3] for e in case["expect"]) if case["expect"] else not found
        hits[case["kind"]].append(ok)
        if not ok:
            misses.append(f"[{case['kind']}] {case['query']!r}: want {case['expect'][:3]}, got {found[:3]}")
    shares = {kind: sum(v) / len(v) for kind, v in hits.items()}
    for kind in KINDS:
        label = "refused" if kind == "unanswerable" else "recall@3"
        REPORT[f"search {label}, {kind}"] = f"{shares[kind]:.1%} of {len(hits[kind])}"
    low = [k for k in KINDS if shares[k] < (REFUSAL_FLOOR if k == "unanswerable" else RECALL_FLOOR)]
    assert not low, f"below the floor: {low}\n" + "\n".join(misses)


@pytest.mark.slow  # a report of 1,551 searches, not a gate
def test_more_cases_are_well_formed_and_reported() -> None:
    """More cases written the same way, by other helpers, later: reported with no floor.
    The vocabulary was extended while looking at some of them, so they are not a blind
    estimate (the README gives the one measured on a set before it was ever looked at)."""
    more = json.loads((ROOT / "tests" / "search_more.json").read_text(encoding="utf-8"))
    ids = {f["id"] for f in bundled_facts()}
    floored = {c["query"].casefold() for c in CASES}
    hits: dict[str, list[bool]] = defaultdict(list)
    for case in more:
        assert case["kind"] in KINDS and set(case["expect"]) <= ids, case
        assert bool(case["expect"]) == (case["kind"] != "unanswerable"), case
        assert case["query"].casefold() not in floored, case  # each case is counted once
        found = _ids(case["query"])
        hits[case["kind"]].append(any(e in found[:3] for e in case["expect"]) if case["expect"] else not found)
    assert len(more) >= 800
    REPORT["more cases (no floor)"] = ", ".join(
        f"{kind} {sum(v) / len(v):.1%} of {len(v)}" for kind, v in sorted(hits.items())
    )


# What a query means -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "intent"),
    [
        ("who founded LISA", "who"),
        ("qui a fondé Mila", "who"),
        ("when was mila established", "when"),
        ("en quelle année le RL-Lab a-t-il été fondé", "when"),
        ("how many researchers", "count"),
        ("combien de chercheurs", "count"),
        ("number of researchers", "count"),
        ("where is mila", "where"),
        ("où se trouve Mila", "where"),
        ("what is ICLR", "what"),
        ("what does mila stand for", "expand"),
        ("que veut dire ICLR", "expand"),
        ("how long does a PhD take", "duration"),
        ("which is older, LISA or the RL-Lab", "when"),
        ("lequel est le plus ancien, LISA ou le RL-Lab", "when"),
        ("deep learning", None),
        # A question word that joins clauses is not a question.
        ("models that still work when the data changes", None),
        ("des machines qui comprennent le langage", None),
    ],
)
def test_intent(query: str, intent: str | None) -> None:
    assert read(query, VOCABULARY, INDEX).intent == intent


def test_vocabulary_phrases_become_one_term_with_synonyms_in_both_languages() -> None:
    query = parse(["apprentissage", "par", "renforcement"], VOCABULARY)
    (term,) = query.terms
    assert ("reinforc", "learn") in term.forms  # the English phrase, as stems
    warming = parse(["global", "warming"], VOCABULARY).terms[0]
    assert ("climat", "chang") in warming.forms


def test_stems_join_word_forms_but_not_meanings() -> None:
    assert _ids("founders of LISA")[:2] == _ids("founded LISA")[:2]
    assert set(_ids("chercheurs")) & {"researchers-1200", "researchers-2021"}
    # Snowball joins these; here they mean different things.
    assert not set(_ids("how do I apply")) & {"robotics", "medical-imaging", "drug-discovery"}
    assert "mila-location" not in _ids("researchers", limit=50, min_score=0)


def test_typos_are_mended_but_real_words_are_not_turned_into_others() -> None:
    # reinforcment already stems like reinforcement; lerning needs mending.
    assert read("reinforcment lerning", VOCABULARY, INDEX).corrected == {"lerning": "learning"}
    assert _ids("reinforcment lerning")[0] in {"reinforcement-learning", "topic-reinforcement-learning"}
    assert read("yoshua benjio", VOCABULARY, INDEX).corrected == {"benjio": "bengio"}
    assert "started" not in read("who started mila", VOCABULARY, INDEX).corrected
    assert _ids("who started mila")[0] != "human-intelligence-gap"
    for word in ("cope", "fund", "grow"):  # real words one letter away from a fact's word
        assert word not in read(f"{word} mila", VOCABULARY, INDEX).corrected


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Yoshua Bengio", "yoshua-bengio"),
        ("benjio", "yoshua-bengio"),
        ("goodfelow", "ian-goodfellow"),
        ("joelle", "joelle-pineau"),
        ("Doina Precup", "doina-precup"),
        ("LISA", "lisa"),
        ("mila", "mila-name"),
        ("what is ICLR", "iclr"),
        ("what does mila stand for", "mila-name"),
        ("what's the full name behind the mila acronym", "mila-name"),  # one term names it
        ("where is mila", "mila-location"),
        ("who founded LISA", "lisa-founded"),  # who: a fact that names who did it
        ("who does mila collaborate with", "collaborations"),  # who: organizations too
        ("avec qui Mila collabore-t-elle", "collaborations"),
        ("when was LISA founded", "lisa-founded"),
    ],
)
def test_what_comes_first(query: str, first: str) -> None:
    assert _ids(query)[0] == first


def test_a_role_asked_of_mila_is_not_one_held_of_something_else() -> None:
    # The RL-Lab's co-directors direct a lab at McGill; Bengio founded LISA. Neither
    # answers a question about Mila's director or founders.
    for query in (
        "who is the director of mila",
        "who is mila's director",
        "qui est le directeur de Mila",
        "qui est le directeur scientifique de mila",
        "who is Mila's scientific director",
    ):
        assert _ids(query) == [], query
        assert not {"rl-lab-co-directors", "joelle-pineau", "doina-precup"} & set(_ids(query, min_score=0)), query
    assert _ids("director of the RL-Lab")[0] == "rl-lab-co-directors"
    assert "joelle-pineau" in _ids("qui dirige le RL-Lab")
    assert _ids("who founded mila")[0] == "mila-established"
    assert "yoshua-bengio" not in _ids("who founded mila", min_score=0)
    # Mila co-founded Climate Change AI: what Mila did, not who founded Mila.
    assert "climate-change-ai" not in _ids("who founded mila")
    assert "climate-change-ai" in _ids("who co-founded Climate Change AI")
    assert "hugo-larochelle" in _ids("who are some famous graduates of mila")  # "a Mila graduate"
    assert "yoshua-bengio" in _ids("who founded LISA")
    # The RL-Lab's fact names McGill as its owner, not as who founded it: no answer is
    # claimed, though the fact may be listed.
    for query in ("who founded the RL-Lab at McGill", "qui a fondé le labo RL de mcgill"):
        outcome = INDEX.search(query)
        assert "rl-lab-founded" not in [f["id"] for f in INDEX.answer(outcome)], query


def test_names_joined_by_and_or_are_each_an_answer() -> None:
    assert set(_ids("what are Theano and Myia")[:2]) == {"theano", "myia"}
    assert set(_ids("which is older, LISA or the RL-Lab?")[:2]) == {"lisa-founded", "rl-lab-founded"}
    assert set(_ids("Théano et Myia")[:2]) == {"theano", "myia"}
    # Only names of facts: what no fact names is still asked about.
    assert _ids("compare mila and the vector institute") == []
    # A fact that names both comes first.
    assert _ids("LISA and Yoshua Bengio")[0] in {"lisa-founded", "yoshua-bengio"}


def test_what_is_said_by_the_way_does_not_sink_a_question() -> None:
    # An example or what askers say of themselves may hold words no fact holds; the
    # same words said as the subject still mean there is no answer.
    assert _ids("reinforcement learning, like zorblax agents")
    assert _ids("reinforcement learning zorblax agents") == []
    assert _ids("I'm a zorblax and I want to know about GANs")[0] == "gans"
    assert _ids("zorblax GANs") == []
    # Before the question word: the question is still a question, about LISA, not students.
    assert read("je suis zorblax, qui a fondé LISA", VOCABULARY, INDEX).intent == "who"
    assert _ids("I'm a student, when was LISA founded")[0] == "lisa-founded"
    # Said by the way is a matter of where a word is, after its typo is mended too.
    assert _ids("I'm a student here since 2019, who founded LISA")[0] == "lisa-founded"  # no condition
    assert read("I'm a student who just founded a club, when was LISA founded", VOCABULARY, INDEX).intent == "when"
    assert _ids("i'm a jornalist studying robotcs, who founded LISA")[0] == "lisa-founded"
    assert INDEX.search("I'm a student, what is LISA").results[0].score == 100  # named, by what is asked
    outcome = INDEX.search("I'm a big fan of GANs, who created them")
    assert outcome.reason != "attribute"  # nothing asked of fans
    # A query that opens with "like" or "say" gives no example; "like how many" is a question.
    assert read("Like who founded LISA", VOCABULARY, INDEX).intent == "who"
    assert read("Say when was LISA founded", VOCABULARY, INDEX).intent == "when"
    assert read("how big is it, like how many people work there", VOCABULARY, INDEX).intent == "count"
    # Who told them is by the way too; and a question word inside an aside asks nothing.
    assert _ids("a friend told me GANs were a Mila thing")[0] == "gans"
    assert _ids("friend gans mila thing") == []  # the same words, one no fact holds
    assert read("I'm starting a zorblax next year, is Mila a research institute", VOCABULARY, INDEX).intent is None


def test_only_a_question_start_is_read_as_a_mistyped_question_word() -> None:
    assert read("wen was mila founded", VOCABULARY, INDEX).intent == "when"
    assert read("where is mila locatd", VOCABULARY, INDEX).corrected == {
        "locatd": "located"
    }  # a question phrase's word
    assert read("robots quad", VOCABULARY, INDEX).intent is None


def test_a_decade_is_its_years_and_a_condition() -> None:
    assert not decade_years("1000s") and not decade_years("90") and list(decade_years("1990s"))[-1] == 1999
    assert "2010s" not in [t.label for t in read("l'année 2010", VOCABULARY, INDEX).terms]  # a year, not a decade
    for query in (
        "what happened in the 90s",
        "mila in the 1990s",
        "les années 90",
        "qu'est-ce qui s'est passé dans les années 1990",
    ):
        found = [r.fact for r in INDEX.search(query).results]
        assert "lisa-founded" in [f["id"] for f in found[:2]], query
        assert all(re.search(r"\b199[0-9]\b", f["text"]) for f in found), query
    assert _ids("papers in the 1980s") == []


def test_a_long_question_may_leave_a_few_words_unmatched() -> None:
    long = "neural networks that learn by cleaning up corrupted input, any link to the institute?"
    assert least_score(read(long, VOCABULARY, INDEX)) < DEFAULT_MIN_SCORE
    assert "denoising-autoencoders" in _ids(long)
    assert _ids(long, min_score=DEFAULT_MIN_SCORE) == []  # an explicit --min-score is kept
    # A short one must match nearly all it says.
    assert least_score(read("mila budget", VOCABULARY, INDEX)) == DEFAULT_MIN_SCORE
    many = "zorblax quintessa brumwick falderal snickle pomfrey galumph"  # seven terms
    assert least_score(read(many, VOCABULARY, INDEX)) == LONG_QUESTION_FLOOR


def test_what_a_question_leaves_out_is_not_an_answer() -> None:
    for query in (
        "Besides Yoshua Bengio, who are Mila's faculty members?",
        "who are mila's faculty members other than Bengio",
        "c qui les profs au Mila à part Bengio?",
    ):
        found = _ids(query)
        assert "yoshua-bengio" not in found and {"joelle-pineau", "doina-precup"} <= set(found), query
    # "a part of", "a part in" are English, not "à part".
    assert read("is mila a part of mcgill", VOCABULARY, INDEX).terms[-1].left_out is False


def test_how_many_gives_every_count_when_sources_disagree() -> None:
    for query in ("how many researchers", "how many people work at mila", "combien de chercheurs", "mila head count"):
        assert set(_ids(query)[:2]) == {"researchers-1200", "researchers-2021"}, query
    # Even when only one figure matches the words, the other side comes with it.
    assert set(_ids("how many researchers lend their skills", limit=2)) == {"researchers-1200", "researchers-2021"}


def test_a_when_question_is_answered_by_a_date_or_not_at_all() -> None:
    assert all("year" in r.fact for r in INDEX.search("when did mila start").results)
    assert _ids("when was ICML founded") == []


# No answer ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "what is mila's budget",
        "who is the CEO of mila",
        "mila address",
        "how much is tuition at mila",
        "how many GPUs does mila have",
        "is mila nonprofit",
        "who runs mila",
        "is Theano still maintained",
        "Est-ce que Yoshua Bengio est encore le directeur scientifique de Mila?",
        "quel est le budget de Mila",
    ],
)
def test_questions_no_fact_covers_get_nothing(query: str) -> None:
    assert _ids(query, min_score=0) == []


def test_matching_only_mila_or_a_question_word_is_never_an_answer() -> None:
    # Only the fact Mila names itself in answers "mila" alone, whatever the question word.
    for query in ("who is mila", "mila", "what is mila", "qui est Mila"):
        assert _ids(query, min_score=0) == ["mila-name"], query
    assert _ids("who what when", min_score=0) == []
    assert _ids("mila budget", min_score=0, limit=100) == []


def test_no_answer_says_which_words_no_fact_contains_and_what_to_do() -> None:
    result = invoke("search", "how many GPUs does mila have")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "no fact mentions 'GPUs'" in result.stderr and "mila facts" in result.stderr
    result = invoke("search", "how many GPUs does mila have", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout) == []
    # An attribute that no fact gives, of something that facts do describe.
    result = invoke("search", "what is mila's budget")
    assert result.exit_code == 1 and "no fact gives 'budget'" in result.stderr
    result = invoke("search", "price of the deep learning textbook")
    assert result.exit_code == 1 and "no fact gives 'price'" in result.stderr
    # What is true today: the documents are undated.
    result = invoke("search", "where does Ian Goodfellow work now")
    assert result.exit_code == 1 and "undated" in result.stderr
    result = invoke("search", "how long does a PhD at mila take")
    assert result.exit_code == 1 and "how long" in result.stderr
    result = invoke("search", "what does NeurIPS stand for")
    assert result.exit_code == 1 and "no fact says what 'NeurIPS' stands for" in result.stderr


def test_close_words_are_real_words_near_the_unknown_one() -> None:
    # Never "close words: a, d" for "heads": a suggestion is a word worth searching for.
    assert "neurips" in invoke("search", "neurons").stderr.split("close words: ")[1]
    for query in ("who runs mila", "who heads mila", "gpus", "bengoi's cat"):
        stderr = invoke("search", query).stderr
        near = re.search(r"close words: ([^;]*)", stderr)
        words = near.group(1).split(", ") if near else []
        assert all(len(w) >= 4 and w not in VOCABULARY.stopwords for w in words), (query, stderr)


@pytest.mark.parametrize("score", ["nan", "NaN", "-1", "101", "high"])
def test_min_score_must_be_a_number_from_0_to_100(score: str) -> None:
    result = invoke("search", "lisa", "--min-score", score)
    assert result.exit_code == 2 and result.stdout == ""


def test_a_category_name_is_not_a_wildcard() -> None:
    people = {f["id"] for f in bundled_facts() if f["category"] == "people"}
    assert len(set(_ids("people who studied reinforcement learning", limit=50)) & people) < len(people)


# The command -----------------------------------------------------------------


def test_json_is_array_of_stored_facts_with_score_and_conflicts() -> None:
    result = invoke("search", "reinforcment", "lerning", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    by_id = {f["id"]: f for f in bundled_facts()}
    assert data[0]["id"] in {"reinforcement-learning", "topic-reinforcement-learning"}
    for row in data:
        score = row.pop("score")
        assert 0 <= score <= 100
        row.pop("conflicts", None)
        assert row == by_id[row["id"]]
    assert [r["id"] for r in data] == _ids("reinforcment lerning")
    counts = {row["id"]: row for row in _json("search", "how many researchers")[:2]}
    assert counts["researchers-1200"]["conflicts"] == [by_id["researchers-2021"]]
    assert counts["researchers-2021"]["conflicts"] == [by_id["researchers-1200"]]


def test_limit_category_and_min_score() -> None:
    assert len(_json("search", "learning", "--limit", "2")) == 2
    rows = _json("search", "learning", "-c", "areas")
    assert rows and all(r["category"] == "areas" for r in rows)
    rows = _json("search", "benjio", "--min-score", "90")
    assert [r["id"] for r in rows] == ["yoshua-bengio"]


def test_the_commands_defaults_are_searchs() -> None:
    # The click layer states them without importing search (TAB must stay light).
    from mila_cli.cli import cli
    from mila_cli.search import DEFAULT_LIMIT, LONG_QUESTION_STEP

    command = cli.get_command(click.Context(cli), "search")
    assert command is not None
    options = {p.name: p for p in command.params}
    assert options["limit"].default == DEFAULT_LIMIT
    hint = str(getattr(options["min_score"], "help", ""))
    assert f"default: {DEFAULT_MIN_SCORE:g}" in hint and f"{LONG_QUESTION_STEP:g} less" in hint
    assert f"down to {LONG_QUESTION_FLOOR:g}" in hint


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
        "who " * 5000,
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
        "1,200,000,000,000 researchers",
        "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p",
    ],
)
def test_hostile_queries_are_answered(query: str) -> None:
    result = invoke("search", query, "--json")
    assert result.exit_code in (0, 1)
    assert isinstance(json.loads(result.stdout), list)
    human = invoke("search", query, env={"FORCE_COLOR": "1"})
    assert human.exit_code in (0, 1)
    assert "\x1b[2J" not in human.stdout + human.stderr and "\x00" not in human.stderr
    assert human.stderr.count("\n") <= 1


def test_plain_output_is_one_result_per_line() -> None:
    lines = invoke("search", "LISA").stdout.splitlines()
    first = lines[0].split("\t")
    assert len(first) == 4 and first[1] == "lisa" and float(first[0]) == 100
    counted = {
        line.split("\t")[1]: line.split("\t") for line in invoke("search", "how many researchers").stdout.splitlines()
    }
    fields = counted["researchers-1200"]
    assert len(fields) == 5 and fields[4].startswith("disagrees: about 800 researchers in 2021")


def test_terminal_output_leads_with_the_answer_and_highlights_matches() -> None:
    result = invoke("search", "Montreal", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert "\x1b[1;33mMontreal\x1b[0m" in result.stdout
    shown = _screen("how many researchers")
    answer = shown.split("#", 1)[0]
    assert "more than 1,200 researchers" in answer and "Core Expertise" in answer
    assert "about 800 researchers in 2021" in answer and "encyclopedia article" in answer
    assert "1993" in _screen("when was LISA founded").split("#", 1)[0]
    assert "Yoshua Bengio" in _screen("qui a fondé LISA").split("#", 1)[0]
    assert "Montreal, Quebec" in _screen("where is mila").split("#", 1)[0]
    assert "Read as: benjio → bengio" in _screen("benjio")


def _screen(query: str) -> str:
    import re

    result = invoke("search", query, env={"FORCE_COLOR": "1", "COLUMNS": "120"})
    assert result.exit_code == 0, result.stderr
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)


def test_a_pack_brings_its_own_vocabulary(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    club = {"id": "quantum-club", "category": "clubs", "text": "The qubit reading club meets weekly.", "source": "lab"}
    (pack / "lab.json").write_text(json.dumps([club]), encoding="utf-8")
    (pack / "sources.json").write_text(json.dumps([{"id": "lab", "title": "Lab wiki"}]), encoding="utf-8")
    assert invoke("--facts-dir", str(pack), "search", "Quantenrechner").exit_code == 1
    words = {"groups": [{"id": "quantum", "en": ["qubit", "quantum computing"], "fr": ["Quantenrechner"]}]}
    (pack / "vocabulary.json").write_text(json.dumps(words), encoding="utf-8")
    found = json.loads(invoke("--facts-dir", str(pack), "search", "Quantenrechner", "--json").stdout)
    assert found[0]["id"] == "quantum-club"
    (pack / "vocabulary.json").write_text(json.dumps({"groups": [{"id": "found", "en": ["x"]}]}), encoding="utf-8")
    result = invoke("--facts-dir", str(pack), "search", "qubit")
    assert result.exit_code == 3 and "duplicate vocabulary group 'found'" in result.stderr
    (pack / "vocabulary.json").write_text('{"groups": [{"id": "x", "en": ["two", 2]}]}', encoding="utf-8")
    result = invoke("--facts-dir", str(pack), "search", "qubit")
    assert result.exit_code == 3 and "vocabulary.json" in result.stderr and "group #1 'x'" in result.stderr


def test_name_lookups_understand_the_vocabulary_too() -> None:
    assert _json("areas", "apprentissage profond")["id"] == "deep-learning"
    assert _json("people", "turing award winner")["id"] == "yoshua-bengio"
