"""The fact base: schema validity, ids, required fields, sources, conflict links, and the loader's errors.

These tests pin the facts without the source documents (which the project never
needs): that every source resolves, that links are symmetric, that the schemas and
the runtime validators agree. What the facts say is audited by hand against the
documents (README, "The facts").
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import FACTS_DIR, SCHEMA_DIR, bundled_facts, bundled_sources, fact_files, invoke
from hypothesis import given
from hypothesis import strategies as st

from mila_cli import facts, layout, vocabulary

SCHEMA = json.loads((SCHEMA_DIR / "facts.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
SOURCES_VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((SCHEMA_DIR / "sources.schema.json").read_text(encoding="utf-8"))
)
VOCABULARY_VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((SCHEMA_DIR / "vocabulary.schema.json").read_text(encoding="utf-8"))
)
SOURCE_FILES = {"000_2f1fe0727137873a.txt", "001_c8d6cd5dc19df680.txt"}
FACT_FILES = fact_files()


@pytest.mark.parametrize("validator", [VALIDATOR, SOURCES_VALIDATOR, VOCABULARY_VALIDATOR])
def test_schemas_are_valid_json_schemas(validator: Any) -> None:
    jsonschema.Draft202012Validator.check_schema(validator.schema)


def test_bundled_sources_and_vocabulary_match_their_schemas() -> None:
    SOURCES_VALIDATOR.validate(bundled_sources())
    vocabulary_data = json.loads((FACTS_DIR / "vocabulary.json").read_text(encoding="utf-8"))
    VOCABULARY_VALIDATOR.validate(vocabulary_data)
    assert vocabulary.check(vocabulary_data) is None


@pytest.mark.parametrize("path", FACT_FILES, ids=lambda p: p.name)
def test_every_bundled_file_matches_the_schema(path: Path) -> None:
    VALIDATOR.validate(json.loads(path.read_text(encoding="utf-8")))


def test_ids_are_unique_readable_slugs() -> None:
    ids = [f["id"] for f in bundled_facts()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) and i.isascii() for i in ids)


def test_the_two_documents_are_described_as_sources() -> None:
    sources = bundled_sources()
    assert {s["file"] for s in sources} == SOURCE_FILES
    for source in sources:
        assert source["id"] and source["title"].strip() and source["kind"].strip()
    by_file = {s["file"]: s for s in sources}
    assert by_file["000_2f1fe0727137873a.txt"]["title"] == "Core Expertise"
    assert by_file["001_c8d6cd5dc19df680.txt"]["title"] == "Mila (research institute)"
    assert by_file["001_c8d6cd5dc19df680.txt"]["kind"] == "encyclopedia article"


def test_every_fact_cites_a_source_that_resolves_and_both_are_used() -> None:
    ids = {s["id"] for s in bundled_sources()}
    for fact in bundled_facts():
        assert fact["source"] in ids, fact["id"]
    assert {f["source"] for f in bundled_facts()} == ids


def test_conflict_links_resolve_and_are_symmetric() -> None:
    by_id = {f["id"]: f for f in bundled_facts()}
    links = {(f["id"], other) for f in bundled_facts() for other in f.get("conflicts_with", [])}
    assert links, "the two head counts disagree and must say so"
    for a, b in links:
        assert b in by_id and (b, a) in links, (a, b)
        assert by_id[a]["source"] != by_id[b]["source"], "a disagreement is between sources"
    assert ("researchers-1200", "researchers-2021") in links


def test_texts_are_single_sentences_that_read_alone() -> None:
    for fact in bundled_facts():
        text = fact["text"]
        assert text[0].isupper() and text.endswith("."), fact["id"]
        assert "\n" not in text and not any(ord(c) < 32 for c in text), fact["id"]


def test_required_fields_per_category() -> None:
    by_cat: dict[str, list[dict[str, Any]]] = {}
    for fact in bundled_facts():
        by_cat.setdefault(fact["category"], []).append(fact)
    assert {"people", "history", "areas"} <= set(by_cat)
    for person in by_cat["people"]:
        assert person["name"] and person["roles"]
    for event in by_cat["history"]:
        assert isinstance(event["year"], int)
    for area in by_cat["areas"]:
        assert area["name"] and area["group"] in facts.AREA_GROUPS
    assert {a["group"] for a in by_cat["areas"]} == set(facts.AREA_GROUPS)


def test_the_fact_base_is_complete() -> None:
    """Spot checks that each kind of statement in the documents is here."""
    by_id = {f["id"]: f for f in bundled_facts()}
    assert by_id["joelle-pineau"]["name"] == "Joëlle Pineau"
    assert by_id["lisa-founded"]["year"] == 1993
    assert by_id["rl-lab-founded"]["year"] == 2001
    assert by_id["mila-established"]["year"] == 2017
    assert (by_id["ibm-collaboration"]["year"], by_id["ibm-collaboration"]["month"]) == (2020, 12)
    assert by_id["deep-learning-textbook"]["year"] == 2016
    # Both sizes, each with its own source and date where the document gives one.
    sources = {s["id"]: s for s in bundled_sources()}
    assert by_id["researchers-1200"]["count"] == 1200
    assert sources[by_id["researchers-1200"]["source"]]["file"].startswith("000_")
    assert (by_id["researchers-2021"]["count"], by_id["researchers-2021"]["as_of"]) == (800, "2021")
    assert sources[by_id["researchers-2021"]["source"]]["file"].startswith("001_")
    # The page calls Mila a leading AI research institute; that claim is a fact too.
    assert sources[by_id["leading-ai-institute"]["source"]]["file"].startswith("000_")
    key_areas = {f["name"] for f in bundled_facts() if f.get("group") == "key research area"}
    assert len(key_areas) == 9
    topics = {f["name"] for f in bundled_facts() if f.get("group") == "research topic"}
    assert len(topics) == 5
    people = {f["name"] for f in bundled_facts() if f["category"] == "people"}
    assert people == {
        "Yoshua Bengio",
        "Joëlle Pineau",
        "Doina Precup",
        "Prakash Panangaden",
        "Jackie Chi Kit Cheung",
        "Marc Bellemare",
        "Hugo Larochelle",
        "Ian Goodfellow",
    }
    for fact_id in (
        "theano",
        "myia",
        "baby-ai",
        "orion",
        "iclr",
        "gans",
        "self-attention",
        "word-embeddings",
        "denoising-autoencoders",
        "relu-deep-nets",
        "climate-change-ai",
        "hec-montreal",
        "polytechnique-montreal",
        "postdoc-and-internships",
        "private-partnerships",
    ):
        assert fact_id in by_id


def test_the_loader_reads_every_bundled_fact_in_order() -> None:
    loaded = facts.load()
    assert list(loaded.facts) == bundled_facts()
    assert loaded.sources == bundled_sources()
    assert [Path(p).name for p in loaded.vocabularies] == ["vocabulary.json"]
    assert Path(layout.bundled_dir()).resolve() == FACTS_DIR.resolve()


def test_facts_keep_no_aliases_or_tags_that_only_search_needs() -> None:
    """Ways of asking live in the vocabulary, not in the facts (the audit's examples)."""
    values = {v.casefold() for f in bundled_facts() for k in ("aliases", "tags") for v in f.get(k, [])}
    for outside in ("rl", "udem", "babyai", "wmla", "ai for science", "alumni", "how many", "medicine", "founder"):
        assert outside not in values
    gans = next(f for f in bundled_facts() if f["id"] == "gans")
    assert "adversarial" not in gans["text"]


# The runtime validator mirrors schema.json: both must give the same verdict.
GOOD: dict[str, Any] = {
    "id": "x-fact",
    "category": "people",
    "text": "Someone.",
    "name": "Someone",
    "roles": ["a role"],
    "source": "a-document",
}
MUTATIONS: list[tuple[str, Any]] = [
    ("id", None),
    ("id", "Bad Id"),
    ("id", "a--b"),
    ("id", "é"),
    ("id", 5),
    ("id", "x" * 81),
    ("category", "People"),
    ("category", ""),
    ("text", ""),
    ("text", "   "),
    ("text", 3),
    ("text", "x" * 10001),
    ("source", {"title": "an inline source"}),
    ("source", "Not A Slug"),
    ("source", ""),
    ("source", 5),
    ("place", ""),
    ("count_of", "researchers"),
    ("conflicts_with", []),
    ("conflicts_with", "other-fact"),
    ("conflicts_with", ["Other"]),
    ("conflicts_with", ["other-fact", "other-fact"]),
    ("name", ""),
    ("name", 1),
    ("roles", []),
    ("roles", "founder"),
    ("roles", [""]),
    ("roles", [1]),
    ("aliases", "x"),
    ("aliases", [""]),
    ("tags", [None]),
    ("year", "1993"),
    ("year", True),
    ("year", 0),
    ("year", 10000),
    ("month", 13),
    ("as_of", "2021-1"),
    ("as_of", 2021),
    ("count", -1),
    ("count", "800"),
    ("count_qualifier", "about"),
    ("group", "other"),
    ("degrees", [{"year": 2009}]),
    ("degrees", [{"degree": "PhD", "year": "2009"}]),
    ("degrees", {}),
    ("url", ""),
]


def _schema_ok(fact: Any) -> bool:
    return bool(VALIDATOR.is_valid([fact]))


def test_good_fact_passes_both() -> None:
    assert _schema_ok(GOOD) and facts.check_fact(GOOD) is None


def _mutated(good: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """A copy of a good record with one field set to value, or removed when value is None."""
    changed = copy.deepcopy(good)
    if value is None:
        del changed[field]
    else:
        changed[field] = value
    return changed


@pytest.mark.parametrize(("field", "value"), MUTATIONS)
def test_runtime_validator_agrees_with_schema(field: str, value: Any) -> None:
    fact = _mutated(GOOD, field, value)
    problem = facts.check_fact(fact)
    assert not _schema_ok(fact)
    assert problem is not None and problem[0] == field


@pytest.mark.parametrize(
    ("category", "missing"), [("people", "name"), ("people", "roles"), ("areas", "group"), ("history", "year")]
)
def test_category_requirements_agree(category: str, missing: str) -> None:
    fact = {**GOOD, "category": category, "group": "research topic", "year": 2000}
    del fact[missing]
    assert not _schema_ok(fact)
    assert facts.check_fact(fact) == (missing, f"is required for a fact in category '{category}'")


def test_runtime_refuses_a_fact_that_conflicts_with_itself() -> None:
    # JSON Schema cannot compare an array item with another field; mila can.
    fact = {**GOOD, "conflicts_with": ["x-fact"]}
    assert _schema_ok(fact)
    assert facts.check_fact(fact) == ("conflicts_with", "must name each other fact once, and not the fact itself")


GOOD_SOURCE: dict[str, Any] = {"id": "a-doc", "title": "A document", "kind": "wiki", "url": "https://x", "note": "n"}
SOURCE_MUTATIONS: list[tuple[str, Any]] = [
    ("id", None),
    ("id", "Bad Id"),
    ("title", None),
    ("title", ""),
    ("title", 3),
    ("kind", ""),
    ("url", " "),
    ("note", ["x"]),
]


@pytest.mark.parametrize(("field", "value"), SOURCE_MUTATIONS)
def test_source_validator_agrees_with_schema(field: str, value: Any) -> None:
    source = _mutated(GOOD_SOURCE, field, value)
    assert SOURCES_VALIDATOR.is_valid([GOOD_SOURCE]) and facts.check_source(GOOD_SOURCE) is None
    assert not SOURCES_VALIDATOR.is_valid([source])
    problem = facts.check_source(source)
    assert problem is not None and problem[0] == field


GOOD_VOCABULARY: dict[str, Any] = {
    "stopwords": {"en": ["the"], "fr": ["le"]},
    "questions": {"when": {"en": ["what year"], "fr": ["quand"]}},
    "groups": [{"id": "lab", "en": ["lab", "research group"], "fr": ["labo"]}],
}
VOCABULARY_MUTATIONS: list[tuple[str, Any]] = [
    ("top", []),
    ("extra", {"group": []}),
    ("stopwords", {"de": ["der"]}),
    ("stopwords", {"en": ["two words"]}),
    ("stopwords", {"en": "the"}),
    ("questions", {"why": {"en": ["why"]}}),
    ("questions", {"when": {"en": [""]}}),
    ("questions", {"when": ["when"]}),
    ("groups", {"id": "x"}),
    ("groups", [{"id": "Bad"}]),
    ("groups", [{"id": "x"}]),
    ("groups", [{"id": "x", "en": []}]),
    ("groups", [{"id": "x", "en": ["ok"], "de": ["nein"]}]),
    ("groups", [{"id": "x", "en": [3]}]),
    ("groups", [{"id": "x", "en": ["--"]}]),
]


@pytest.mark.parametrize(("field", "value"), VOCABULARY_MUTATIONS)
def test_vocabulary_validator_agrees_with_schema(field: str, value: Any) -> None:
    assert VOCABULARY_VALIDATOR.is_valid(GOOD_VOCABULARY) and vocabulary.check(GOOD_VOCABULARY) is None
    if field == "top":
        document: Any = value
    elif field == "extra":
        document = {**GOOD_VOCABULARY, **value}
    else:
        document = {**GOOD_VOCABULARY, field: value}
    assert not VOCABULARY_VALIDATOR.is_valid(document)
    assert vocabulary.check(document) is not None


def test_runtime_and_schema_agree_on_whole_numbers() -> None:
    # JSON Schema counts 1993.0 as an integer; so does mila, which keeps it as 1993.
    for field, value in (("year", 1993.0), ("count", 5.0)):
        fact = {**GOOD, field: value}
        assert _schema_ok(fact)
        assert facts.check_fact(fact) is None and fact[field] == int(value) and type(fact[field]) is int
    half = {**GOOD, "year": 1993.5}
    assert not _schema_ok(half) and facts.check_fact(half) == ("year", "must be a whole number from 1 to 9999")


# Ids and dates are checked with string methods (no pattern to compile at start-up); they
# must say what the schema's patterns say, on the hostile cases too: non-ASCII digits
# and letters, a trailing newline, empty words, upper case, a length past the limit.
_TRICKY = st.text(alphabet="az09-_ \nZé٣１", max_size=12) | st.text(alphabet="a-", min_size=78, max_size=82)


@given(_TRICKY)
def test_id_check_says_what_the_pattern_says(value: str) -> None:
    expected = len(value) <= facts.MAX_SLUG and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value) is not None
    assert facts.is_slug(value) is expected


@given(st.text(alphabet="0189-\n٣a", max_size=12))
def test_as_of_check_says_what_the_pattern_says(value: str) -> None:
    expected = re.fullmatch(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?", value) is not None
    assert (facts.check_fact({**GOOD, "as_of": value}) is None) is expected


@pytest.mark.parametrize(
    "name", ["\u001b[2J", "\u001b]52;c;SEVMTE8=\u001b\\", "Home Page", "homé", "a\nb", "-x", "x" * 81]
)
def test_field_names_must_be_safe_labels_in_both(name: str) -> None:
    fact = {**GOOD, name: "x"}
    assert not _schema_ok(fact)
    problem = facts.check_fact(fact)
    assert problem is not None and "must be lowercase ASCII words joined by '_' or '-'" in problem[1]
    assert "\x1b" not in problem[1] and "\n" not in problem[1]


@pytest.mark.parametrize("name", ["homepage", "home_page", "home-page", "x2"])
def test_field_names_that_are_labels_are_fine_in_both(name: str) -> None:
    fact = {**GOOD, name: "x"}
    assert _schema_ok(fact) and facts.check_fact(fact) is None


def test_extra_values_nest_at_most_16_levels() -> None:
    value: object = "x"
    for _ in range(15):
        value = [value]
    assert facts.check_fact({**GOOD, "deep": value}) is None
    problem = facts.check_fact({**GOOD, "deep": [value]})
    assert problem == ("deep", "nests lists and objects more than 16 levels deep")


def test_month_needs_year_in_both() -> None:
    fact = {**GOOD, "category": "news", "month": 3}
    assert not _schema_ok(fact) and facts.check_fact(fact) == ("month", "needs a 'year'")


def test_extra_fields_and_other_categories_are_allowed() -> None:
    fact = {**GOOD, "category": "lab-news", "homepage": "x", "year": 2024, "month": 2}
    assert _schema_ok(fact) and facts.check_fact(fact) is None


def test_broken_bundled_file_is_a_one_line_error_with_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "facts"
    broken.mkdir()
    (broken / "a.json").write_text(json.dumps([{**GOOD, "year": "x"}]), encoding="utf-8")
    (broken / "sources.json").write_text(json.dumps([GOOD_SOURCE]), encoding="utf-8")
    monkeypatch.setattr(facts, "bundled_dir", lambda: broken)
    result = invoke("facts")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "a.json" in result.stderr and "'x-fact'" in result.stderr and "'year'" in result.stderr
