"""Search data for the bundled facts and vocabulary, worked out ahead of time.

Stemming the vocabulary's two thousand terms and analysing the bundled facts costs
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

import json
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mila_cli.facts import VOCABULARY_FILE, bundled_dir

if TYPE_CHECKING:
    from mila_cli.facts import FactSet
    from mila_cli.vocabulary import Vocabulary

PATH = Path(__file__).with_name("prepared.json")
# Words whose stems show which stemmer, and which of its versions, made the file.
_PROBES = ("founded", "researchers", "applying", "generalization", "universities", "chercheurs", "apprentissage")


def digest(folder: Path | None = None) -> str:
    """A fingerprint of every JSON file directly in the bundled facts folder. A CRC and
    the total length are enough to notice an edit (this guards freshness, not secrets),
    and zlib, unlike hashlib, costs nothing to import."""
    folder = folder or bundled_dir()
    checksum, length = 0, 0
    for path in sorted(folder.glob("*.json")):
        data = path.name.encode() + b"\0" + path.read_bytes()
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

    words = vocabulary.load([bundled_dir() / VOCABULARY_FILE])
    bundled = fact_set.facts[: fact_set.bundled_count]
    index = SearchIndex(bundled, words)
    index.analyse_all()
    by_en, by_fr = words.tables()
    return {
        "digest": digest(),
        "probe": _probe(),
        "vocabulary": {
            "stopwords": sorted(words.stopwords),
            "cues": {" ".join(k): v for k, v in sorted(words.cues.items())},
            "groups": [g.id for g in words.groups],
            "words": sorted(words.words),
            "by_en": {k: sorted(v) for k, v in sorted(by_en.items())},
            "by_fr": {k: sorted(v) for k, v in sorted(by_fr.items())},
            "forms": [sorted(words.forms_of(g)) for g in range(len(words.groups))],
            "longest": words.longest_term,
        },
        "facts": [index.exported(i) for i in range(len(bundled))],
        "postings": {stem: sorted(set(facts)) for stem, facts in sorted(index.postings().items())},
    }


def load() -> dict[str, Any] | None:
    """The prepared data, if the file is there and still matches the bundled files."""
    try:
        data = json.loads(PATH.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("probe") != _probe() or data.get("digest") != digest():
        return None
    return data


def vocabulary(data: dict[str, Any]) -> Vocabulary:
    """The bundled vocabulary, as prepared (its file need not be read)."""
    from mila_cli.vocabulary import Group, Vocabulary

    prepared = data["vocabulary"]
    cues = {tuple(k.split(" ")): v for k, v in prepared["cues"].items()}
    words = Vocabulary(prepared["stopwords"], cues, [Group(g, (), ()) for g in prepared["groups"]])
    words.prefill(
        words=frozenset(prepared["words"]),
        tables=(prepared["by_en"], prepared["by_fr"]),
        forms=prepared["forms"],
        longest=prepared["longest"],
    )
    return words


def main() -> None:
    from mila_cli import facts

    data = compute(facts.load())
    PATH.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {PATH} ({PATH.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
