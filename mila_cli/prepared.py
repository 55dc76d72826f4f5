"""Search data for the bundled facts and vocabulary, worked out ahead of time.

Stemming the vocabulary's six thousand terms and analysing the bundled facts costs
more than the rest of a search together, and it gives the same result every run.
So it is done once, when the facts or the vocabulary change, and kept beside this
module in prepared.json:

    python -m mila_cli.prepared        # rewrite mila_cli/prepared.json

A test fails when the file is stale. At run time the file is used only when it
matches: the bundled files' digest must be the one it was made from, and the
stemmer must still stem a few probe words the same way. Otherwise search works
the data out as it would without the file, only slower.
"""

from __future__ import annotations

import functools
import json
import os
import zlib
from typing import TYPE_CHECKING, Any

from mila_cli.layout import bundled_dir

if TYPE_CHECKING:
    from mila_cli.facts import FactSet
    from mila_cli.vocabulary import Vocabulary, WordLists

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prepared.json")
# The vocabulary's words, needed only to mend a typo: kept apart so that most
# searches need not read them.
WORDS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prepared-words.json")
# Words whose stems show which stemmer, and which of its versions, made the file.
_PROBES = ("founded", "researchers", "applying", "generalization", "universities", "chercheurs", "apprentissage")


def digest(folder: str | None = None) -> str:
    """A fingerprint of every JSON file directly in the bundled facts folder. A CRC and
    the total length are enough to notice an edit (this guards freshness, not secrets),
    and zlib, unlike hashlib, costs nothing to import."""
    folder = folder or bundled_dir()
    checksum, length = 0, 0
    for name in sorted(n for n in os.listdir(folder) if n.endswith(".json")):
        with open(os.path.join(folder, name), "rb") as handle:
            data = name.encode() + b"\0" + handle.read()
        checksum = zlib.crc32(data, checksum)
        length += len(data)
    return f"{checksum:08x}-{length}"


def _probe() -> dict[str, list[str]]:
    from mila_cli.language import stem_en, stem_fr

    return {w: [stem_en(w), stem_fr(w)] for w in _PROBES}


def compute(fact_set: FactSet) -> dict[str, Any]:
    """The prepared data, worked out from the bundled files alone."""
    from mila_cli import vocabulary
    from mila_cli.search import SearchIndex
    from mila_cli.vocabulary import packed_table

    vocab = vocabulary.load([vocabulary.bundled_path()])
    bundled = fact_set.facts[: fact_set.bundled_count]
    index = SearchIndex(bundled, vocab)
    index.analyse_all()
    by_en, by_fr = vocab.tables()
    return {
        "digest": digest(),
        "probe": _probe(),
        "vocabulary": {
            "stopwords": sorted(vocab.stopwords),
            "generic": sorted(vocab.generic),
            "cues": {" ".join(k): v for k, v in sorted(vocab.cues.items())},
            "groups": [g.id for g in vocab.groups],
            "stems": [sorted(part) for part in vocab.stems()],
            "by_en": packed_table({k: sorted(v) for k, v in sorted(by_en.items())}),
            "by_fr": packed_table({k: sorted(v) for k, v in sorted(by_fr.items())}),
            "forms": [sorted(vocab.forms_of(g)) for g in range(len(vocab.groups))],
            "longest": vocab.longest_term,
            "stop_stems": sorted(vocab.stop_stems),
        },
        "facts": [index.exported(i) for i in range(len(bundled))],
        "postings": {stem: sorted(set(facts)) for stem, facts in sorted(index.postings().items())},
    }


def load() -> dict[str, Any] | None:
    """The prepared data, if the file is there and still matches the bundled files."""
    try:
        with open(PATH, encoding="utf-8") as handle:
            data = json.loads(handle.read())  # from str: a third faster than from bytes
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("probe") != _probe() or data.get("digest") != digest():
        return None
    return data


def vocabulary(data: dict[str, Any]) -> Vocabulary:
    """The bundled vocabulary, as prepared (its file need not be read)."""
    from mila_cli.vocabulary import Group, PackedTable, Vocabulary

    prepared = data["vocabulary"]
    cues = {tuple(k.split(" ")): v for k, v in prepared["cues"].items()}
    groups = [Group(g, (), ()) for g in prepared["groups"]]
    vocab = Vocabulary(prepared["stopwords"], cues, groups, prepared["generic"])
    vocab.prefill(
        words=_words,
        stems=(frozenset(prepared["stems"][0]), frozenset(prepared["stems"][1])),
        tables=(PackedTable(prepared["by_en"]).get, PackedTable(prepared["by_fr"]).get),
        forms=prepared["forms"],
        longest=prepared["longest"],
        stop_stems=frozenset(prepared["stop_stems"]),
    )
    return vocab


@functools.cache  # read once for corpus_words and _words
def _read_words_file() -> dict[str, Any] | None:
    try:
        with open(WORDS_PATH, encoding="utf-8") as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def corpus_words() -> set[str]:
    """Every word of the bundled facts, as SearchIndex.words() finds them: what a typo may
    mean when no pack is loaded (working them out costs a typo 2 ms)."""
    data = _read_words_file()
    if data is not None and isinstance(data.get("corpus"), list):
        return set(data["corpus"])
    return _corpus_words()


def _corpus_words(fact_set: FactSet | None = None) -> set[str]:
    """What corpus_words reads, worked out from the bundled facts (of fact_set, if given)."""
    from mila_cli import facts, vocabulary
    from mila_cli.search import SearchIndex

    fact_set = fact_set or facts.load()
    bundled = fact_set.facts[: fact_set.bundled_count]
    return SearchIndex(bundled, vocabulary.load([vocabulary.bundled_path()])).words()


def _words() -> WordLists:
    """The bundled vocabulary's words, common words and their English stems, read when a
    typo needs them (stemming six thousand common words would cost a typo 12 ms)."""
    data = _read_words_file() or {}
    try:
        return frozenset(data["words"]), frozenset(data["common"]), frozenset(data["common_stems"])
    except (KeyError, TypeError):
        return _word_lists()


def _word_lists() -> WordLists:
    """What _words reads, worked out from the vocabulary file."""
    from mila_cli import vocabulary

    return vocabulary.load([vocabulary.bundled_path()]).word_lists


def texts() -> tuple[str, str]:
    """The two prepared files' contents, as written."""
    from mila_cli import facts

    fact_set = facts.load()
    data = compute(fact_set)
    word_lists = _word_lists()
    words = {
        "words": sorted(word_lists[0]),
        "common": sorted(word_lists[1]),
        "common_stems": sorted(word_lists[2]),
        "corpus": sorted(_corpus_words(fact_set)),
    }
    return (
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
        json.dumps(words, ensure_ascii=False, separators=(",", ":")) + "\n",
    )


def main() -> None:
    for path, text in zip((PATH, WORDS_PATH), texts(), strict=True):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"wrote {path} ({len(text.encode())} bytes)")


if __name__ == "__main__":
    main()
