"""The search data prepared ahead of time: fresh, used only when it fits, and the same as working it out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FACTS_DIR

from mila_cli import facts, prepared, search, vocabulary

QUERIES = [
    "who founded LISA",
    "combien de chercheurs",
    "reinforcment lerning",
    "what does mila stand for",
    "global warming",
    "how many GPUs does mila have",
    "apprentissage par renforcement",
]


def test_the_committed_files_are_what_the_facts_and_vocabulary_make() -> None:
    data, words = prepared.texts()
    assert Path(prepared.PATH).read_text(encoding="utf-8") == data, "run: python -m mila_cli.prepared"
    assert Path(prepared.WORDS_PATH).read_text(encoding="utf-8") == words, "run: python -m mila_cli.prepared"


def test_prepared_and_worked_out_searches_agree() -> None:
    fact_set = facts.load()
    fast = search.index_for(fact_set)
    assert prepared.load() is not None  # the fast path is taken
    slow = search.SearchIndex(fact_set.facts, vocabulary.load(fact_set.vocabularies), fact_set.conflicts)
    for query in QUERIES:
        a, b = fast.search(query), slow.search(query)
        assert [(r.fact["id"], r.score) for r in a.results] == [(r.fact["id"], r.score) for r in b.results], query
        assert a.unknown == b.unknown and a.query.corrected == b.query.corrected, query


def test_a_stale_file_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    edited = tmp_path / "facts"
    edited.mkdir()
    for path in FACTS_DIR.glob("*.json"):
        (edited / path.name).write_bytes(path.read_bytes())
    history = json.loads((edited / "history.json").read_text(encoding="utf-8"))
    history[0]["text"] = "LISA, a lab for quantum gardening, was founded in 1993."
    (edited / "history.json").write_text(json.dumps(history), encoding="utf-8")
    monkeypatch.setattr(facts, "bundled_dir", lambda: str(edited))
    monkeypatch.setattr(vocabulary, "bundled_dir", lambda: str(edited))
    monkeypatch.setattr(prepared, "bundled_dir", lambda: str(edited))
    assert prepared.load() is None
    found = search.index_for(facts.load()).search("quantum gardening").results
    assert found and found[0].fact["id"] == "lisa-founded"


def test_a_broken_file_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "prepared.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(prepared, "PATH", str(broken))
    assert prepared.load() is None
    assert search.index_for(facts.load()).search("who founded LISA").results


def test_without_the_words_file_the_vocabulary_and_facts_are_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected = prepared._words(), prepared.corpus_words()
    assert all(expected[0]) and expected[1]
    monkeypatch.setattr(prepared, "WORDS_PATH", str(tmp_path / "missing.json"))
    prepared._read_words_file.cache_clear()
    try:
        assert (prepared._words(), prepared.corpus_words()) == expected
    finally:
        prepared._read_words_file.cache_clear()


def test_the_prepared_words_are_the_facts_words_only_without_packs(tmp_path: Path) -> None:
    """A typo is mended to words of the bundled facts, read ready made, or of a pack's too."""
    bundled = facts.load()
    assert search.index_for(bundled).words() == prepared.corpus_words()
    pack = tmp_path / "pack"
    pack.mkdir()
    fact = {"id": "zorblax", "category": "lab-news", "text": "Zorblax happened.", "source": "encyclopedia"}
    (pack / "pack.json").write_text(json.dumps([fact]), encoding="utf-8")
    words = search.index_for(facts.load([str(pack)])).words()
    assert "zorblax" in words and words > prepared.corpus_words()


def test_the_writer_writes_what_the_test_compares(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(prepared, "PATH", str(tmp_path / "prepared.json"))
    monkeypatch.setattr(prepared, "WORDS_PATH", str(tmp_path / "prepared-words.json"))
    prepared.main()
    made = (
        (tmp_path / "prepared.json").read_text(encoding="utf-8"),
        (tmp_path / "prepared-words.json").read_text(encoding="utf-8"),
    )
    assert made == prepared.texts()
    assert capsys.readouterr().out.count("wrote ") == 2


def test_a_packed_table_finds_what_the_table_holds_and_nothing_else() -> None:
    by_en, by_fr = vocabulary.load([vocabulary.bundled_path()]).tables()
    for table in (by_en, by_fr):
        packed = vocabulary.PackedTable(vocabulary.packed_table(table))
        assert all(packed.get(phrase) == groups for phrase, groups in table.items())
        for phrase in list(table)[:300]:
            others = [phrase[:-1], phrase[1:], f"{phrase} x", f"x {phrase}", f"{phrase}\t1", f"{phrase}\n"]
            for other in others:
                assert list(packed.get(other)) == table.get(other, []), other
    assert vocabulary.PackedTable(vocabulary.packed_table({"a b": [1, 20]})).get("") == ()
