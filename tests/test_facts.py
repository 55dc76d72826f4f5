"""The fact base: schema validity, ids, required fields, sources, and the loader's errors."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import FACTS_DIR, bundled_facts, invoke

from mila_cli import facts

SCHEMA = json.loads((FACTS_DIR / "schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
SOURCE_FILES = {"000_2f1fe0727137873a.txt", "001_c8d6cd5dc19df680.txt"}
FACT_FILES = sorted(p for p in FACTS_DIR.glob("*.json") if p.name != "schema.json")


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", FACT_FILES, ids=lambda p: p.name)
def test_every_bundled_file_matches_the_schema(path: Path) -> None:
    VALIDATOR.validate(json.loads(path.read_text(encoding="utf-8")))


def test_ids_are_unique_readable_slugs() -> None:
    ids = [f["id"] for f in bundled_facts()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) and i.isascii() for i in ids)


def test_every_fact_names_one_of_the_two_documents() -> None:
    for fact in bundled_facts():
        assert fact["source"]["file"] in SOURCE_FILES, fact["id"]
        assert fact["source"]["title"].strip(), fact["id"]
    used = {f["source"]["file"] for f in bundled_facts()}
    assert used == SOURCE_FILES


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
    assert by_id["researchers-1200"]["count"] == 1200
    assert by_id["researchers-1200"]["source"]["file"].startswith("000_")
    assert (by_id["researchers-2021"]["count"], by_id["researchers-2021"]["as_of"]) == (800, "2021")
    assert by_id["researchers-2021"]["source"]["file"].startswith("001_")
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
    assert loaded.facts == bundled_facts()
    assert facts.bundled_dir().resolve() == FACTS_DIR.resolve()


# The runtime validator mirrors schema.json: both must give the same verdict.
GOOD: dict[str, Any] = {
    "id": "x-fact",
    "category": "people",
    "text": "Someone.",
    "name": "Someone",
    "roles": ["a role"],
    "source": {"title": "A document"},
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
    ("source", "doc"),
    ("source", {}),
    ("source", {"title": ""}),
    ("source", {"title": "t", "file": ""}),
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


@pytest.mark.parametrize(("field", "value"), MUTATIONS)
def test_runtime_validator_agrees_with_schema(field: str, value: Any) -> None:
    fact = copy.deepcopy(GOOD)
    if value is None:
        del fact[field]
    else:
        fact[field] = value
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


def test_runtime_is_stricter_than_schema_about_whole_numbers() -> None:
    # JSON Schema counts 1993.0 as an integer; mila refuses it, so a year always
    # prints back as 1993.
    fact = {**GOOD, "year": 1993.0}
    assert _schema_ok(fact)
    assert facts.check_fact(fact) == ("year", "must be a whole number from 1 to 9999")


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
    monkeypatch.setattr(facts, "bundled_dir", lambda: broken)
    result = invoke("facts")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "a.json" in result.stderr and "'x-fact'" in result.stderr and "'year'" in result.stderr
