"""A pack read through its index answers exactly as the same pack read into memory:
the same facts in the same order, the same lookups, and the same search results
(ids, scores, order, unknown words, answers) for every kind of question."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import SOURCE, invoke

from mila_cli import facts, packindex
from mila_cli.facts import FactSet
from mila_cli.search import SearchIndex, index_for

_WORDS = (
    "deep learning reinforcement network networks montreal turing award founded founders co-founded "
    "students graduate research researchers health climate vision language robots robotics lab labs "
    "apprentissage réseaux neurones santé recherche étudiants fondé université mcgill polytechnique "
    "rl-lab auto-encoders covid-19 1,200 800 2017 1993 2001 generative models theano"
).split()
_SYLLABLES = "ba ke lo mi nu ra se ti vo za dre gla pri stu quo len mar tor vin sel".split()


def _made_up(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def _facts(rng: random.Random, prefix: str, n: int, vocabulary: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(n):
        words = rng.choices(vocabulary, k=rng.randint(6, 18))
        fact: dict[str, Any] = {
            "id": f"{prefix}-{i}",
            "category": rng.choice(["people", "history", "areas", "notes", "organizations", "labs"]),
            # "zorblat" twice in every fact: a word too common to pick facts by.
            "text": " ".join(words).capitalize() + ", said zorblat's zorblat.",
            "source": SOURCE,
        }
        if fact["category"] == "people":
            fact["name"] = f"{_made_up(rng).title()} {rng.choice(['Bengio', 'Pineau', _made_up(rng).title()])}"
            fact["roles"] = [rng.choice(["founder", "director", "professor", _made_up(rng)])]
        elif fact["category"] == "areas":
            fact["name"] = rng.choice(["Deep Learning", "Computer Vision", _made_up(rng).title()])
            fact["group"] = "research topic"
        elif fact["category"] == "history":
            fact["year"] = rng.choice([1993, 2001, 2017, 2019, 1990 + i % 30])
        elif fact["category"] == "organizations":
            fact["name"] = _made_up(rng).title() + " Institute"
        if i % 7 == 0:
            fact["tags"] = rng.sample(vocabulary, 2)
        if i % 11 == 0:
            fact["aliases"] = [_made_up(rng).upper()]
        if i % 13 == 0:
            fact["count"] = rng.choice([800, 1200, 42])
            fact["count_of"] = rng.choice(["researchers", "students", "papers"])
        out.append(fact)
    return out


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four files: small, large, small, large (so facts in memory and in the index
    interleave), with conflict links across them both ways."""
    rng = random.Random(7)
    vocabulary = _WORDS + [_made_up(rng) for _ in range(600)]
    folder = tmp_path_factory.mktemp("pack")
    files = {
        "a-small.json": _facts(rng, "a", 25, vocabulary),
        "b-large.json": _facts(rng, "b", 1700, vocabulary),
        "c-small.json": _facts(rng, "c", 25, vocabulary),
        "d-large.json": _facts(rng, "d", 1700, vocabulary),
    }
    files["a-small.json"][0]["conflicts_with"] = ["b-13"]
    files["b-large.json"][26]["conflicts_with"] = ["d-39", "c-0", "researchers-1200"]
    files["d-large.json"][0]["conflicts_with"] = ["b-13"]
    for name, items in files.items():
        (folder / name).write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return folder


SMALL_LARGE = 50_000  # bytes: the small files are under it, the large ones over


def _load(pack: Path, indexed: bool, monkeypatch: pytest.MonkeyPatch) -> FactSet:
    monkeypatch.setattr(packindex, "MIN_BYTES", SMALL_LARGE if indexed else 1 << 40)
    monkeypatch.setattr(packindex, "_CHUNK", 700)  # words gathered in parts, within and across files
    loaded = facts.load([str(pack)])
    assert (loaded.store is not None) is indexed
    return loaded


@pytest.fixture
def both(pack: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[FactSet, FactSet]:
    sizes = {p.name: p.stat().st_size for p in pack.iterdir()}
    small, large = ("a-small.json", "c-small.json"), ("b-large.json", "d-large.json")
    assert max(sizes[n] for n in small) < SMALL_LARGE < min(sizes[n] for n in large)
    return _load(pack, False, monkeypatch), _load(pack, True, monkeypatch)


def test_the_same_facts_in_the_same_order(both: tuple[FactSet, FactSet]) -> None:
    memory, indexed = both
    assert len(indexed.facts) == len(memory.facts) > 3000
    assert list(indexed.facts) == list(memory.facts)
    assert [indexed.facts[i] for i in range(0, len(memory.facts), 97)] == list(memory.facts)[::97]
    assert indexed.facts[-1] == memory.facts[-1] and indexed.facts[100:103] == memory.facts[100:103]
    assert list(indexed.ids()) == list(memory.ids())
    assert indexed.categories() == memory.categories()
    for category in [*memory.categories(), "nothing"]:
        assert indexed.in_category(category) == memory.in_category(category)
    assert indexed.dated(1995, 2010) == memory.dated(1995, 2010)
    assert indexed.citing(SOURCE) == memory.citing(SOURCE)
    assert indexed.area_groups() == memory.area_groups()


def test_the_same_lookups_and_links(both: tuple[FactSet, FactSet]) -> None:
    memory, indexed = both
    for fact_id in ["a-0", "b-13", "b-26", "c-0", "d-0", "d-39", "researchers-1200", "lisa-founded", "d-1699"]:
        fact = memory.get(fact_id)
        assert fact is not None and indexed.get(fact_id) == fact
        assert indexed.place(fact_id) == memory.place(fact_id)
        assert [f["id"] for f in indexed.conflicts(fact)] == [f["id"] for f in memory.conflicts(fact)]
    assert [f["id"] for f in indexed.conflicts(indexed.facts[indexed.place("b-13") or 0])] == ["a-0", "d-0"]
    assert indexed.get("b-1700") is None and indexed.place("nothing") is None


@pytest.mark.slow
def test_tab_offers_the_same(both: tuple[FactSet, FactSet]) -> None:
    from mila_cli.completion import matching

    memory, indexed = both
    assert indexed.category_counts() == memory.category_counts()
    names = [f["name"] for f in memory.facts if "name" in f][::250]
    typed = ["", "b", "b-1", "b-16", "a-", "c-2", "d-169", "lisa", "BENG", "Pin", "zz", *(n[:3] for n in names)]
    typed += [n.split()[-1][:4].upper() for n in names if " " in n] + [n.lower()[:8] for n in names]
    offered = 0
    for text in typed:
        for category in (None, "people", "areas", "labs"):
            for most in (5, 100_000):
                expected = matching(memory, text, category, most)
                assert matching(indexed, text, category, most) == expected, (text, category, most)
                offered += bool(expected)
    assert offered > 40


def _queries(memory: FactSet) -> list[str]:
    """Questions of every kind the search reads, from the pack's own words."""
    rng = random.Random(3)
    named = [f for f in memory.facts if "name" in f]
    texts = [f["text"].rstrip(".").lower().split() for f in memory.facts]
    queries = [
        "turing award",
        "deep learning",
        "who founded the rl-lab",
        "when was mila founded",
        "how many researchers",
        "how many students",
        "qui a fondé Mila",
        "combien de chercheurs",
        "what is theano",
        "rllab",
        "co founded",
        "robots in 2017",
        "research in the 90s",
        "les années 90",
        "where is the lab",
        "besides bengio who founded",
        "1,200",
        "covid19 health",
        "autoencoders",
        "what does mila stand for",
        "deep learning lab at mcgill",
        "zzzqqq",
        "zorblat",
        "zorblat turing",
        "lerning",
        "reinforcment learning",
        "montreal and quebec",
        "Theano or Myia",
    ]
    for _ in range(40):
        words = rng.choice(texts)
        queries.append(" ".join(rng.sample(words, min(len(words), rng.randint(1, 3)))))
    for _ in range(15):
        word = rng.choice(rng.choice(texts))
        cut = rng.randrange(len(word))
        queries.append(word[:cut] + word[cut + 1 :] + " " + rng.choice(_WORDS))  # a typo
    for _ in range(15):
        fact = rng.choice(named)
        queries.append(rng.choice(["who is ", "what is ", "when did ", "where is ", ""]) + fact["name"])
    queries += [f"what is {f['id'].replace('-', ' ')}" for f in rng.sample(list(memory.facts), 5)]
    return queries


def _answers(index: SearchIndex, query: str, category: str | None) -> Any:
    outcome = index.search(query, category=category, limit=10)
    results = [(r.fact["id"], r.score, r.fits, r.spans) for r in outcome.results]
    return results, outcome.unknown, outcome.common, outcome.reason, [f["id"] for f in index.answer(outcome)]


def test_search_ranks_the_same_top_ten(both: tuple[FactSet, FactSet]) -> None:
    memory, indexed = both
    in_memory, through_index = index_for(memory), index_for(indexed)
    answered = common = 0
    for number, query in enumerate(_queries(memory)):
        category = ["people", "history", None][number % 3] if number % 4 == 0 else None
        expected = _answers(in_memory, query, category)
        assert _answers(through_index, query, category) == expected, query
        answered += bool(expected[0])
        common += bool(expected[2])
    assert answered > 60  # the queries find things: an empty list on both sides proves nothing
    assert common  # and some words are too common to pick facts by, on both sides


def test_the_commands_say_the_same(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = [
        ["search", "turing award", "--json"],
        ["search", "how many researchers", "--json"],
        ["show", "b-26", "--json"],
        ["people", "--json"],
        ["history", "--since", "2000", "--json"],
        ["facts", "--category", "labs", "--json"],
        ["sources", "--json"],
        ["show", "b-999999"],
    ]

    def said() -> list[tuple[int, str, str]]:
        out = []
        for command in commands:
            result = invoke("--facts-dir", str(pack), *command)
            out.append((result.exit_code, result.stdout, result.stderr))
        return out

    monkeypatch.setattr(packindex, "MIN_BYTES", 1 << 40)
    without = said()
    monkeypatch.setattr(packindex, "MIN_BYTES", SMALL_LARGE)
    assert said() == without  # making the index
    assert said() == without  # reading it


def test_a_word_in_too_many_facts_is_said_to_be_so(tmp_path: Path) -> None:
    items = [
        {"id": f"n-{i}", "category": "notes", "text": f"Learning learning note {i}.", "source": SOURCE}
        for i in range(3100)
    ]
    (tmp_path / "pack.json").write_text(json.dumps(items), encoding="utf-8")
    result = invoke("--facts-dir", str(tmp_path), "search", "Learning")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("mila: 'Learning' is in too many facts to pick any by; add a rarer word;")
    found = invoke("--facts-dir", str(tmp_path), "search", "learning note 1234", "--json")
    assert found.exit_code == 0 and '"n-1234"' in found.stdout  # a rarer word picks, the common one still counts


def test_the_facts_that_mention_a_subject_are_the_same(both: tuple[FactSet, FactSet]) -> None:
    from mila_cli.names import mention_words, mentions

    memory, indexed = both
    subjects = [f for f in memory.facts if "name" in f or "aliases" in f][::40] + memory.areas()[:20]
    found = 0
    for subject in subjects:
        expected = mentions(subject, memory.facts)
        assert mentions(subject, indexed.holding(mention_words(subject))) == expected, subject["id"]
        found += bool(expected)
    assert found > 5


def test_did_you_mean_among_thousands_of_alike_ids_is_quick_and_near() -> None:
    """Every id of a generated pack shares the part 'bench': the suggestion is the id nearest
    the whole typed one, found without comparing each match with every other (which took
    minutes at 300,000 ids)."""
    from mila_cli.names import closest

    ids = [f"bench-{i}" for i in range(20_000)]
    assert closest("bench-20000", ids) == ["bench-2000", "bench-10000", "bench-12000"]
    assert closest("benhc-12", ids)[0] == "bench-12"
    assert closest("lisa-fonded", ["lisa-founded", "lisa", "bench-1"]) == ["lisa-founded", "lisa"]


def test_small_files_that_hold_enough_together_are_indexed(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pack split into many small files is read through the index too (TOTAL_BYTES)."""
    monkeypatch.setattr(packindex, "MIN_BYTES", 1 << 40)  # no file is large by itself
    memory = facts.load([str(pack)])
    assert memory.store is None
    total = sum(p.stat().st_size for p in pack.glob("*.json"))
    monkeypatch.setattr(packindex, "TOTAL_BYTES", total + 1)
    assert facts.load([str(pack)]).store is None
    monkeypatch.setattr(packindex, "TOTAL_BYTES", total)
    indexed = facts.load([str(pack)])
    assert indexed.store is not None
    assert len(list(indexed.facts.in_memory())) == indexed.bundled_count  # every pack fact is in the index
    assert list(indexed.facts) == list(memory.facts)
    found = [r.fact["id"] for r in index_for(memory).search("learning robots").results]
    assert found and [r.fact["id"] for r in index_for(indexed).search("learning robots").results] == found
