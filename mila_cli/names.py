"""Finding a fact by what it is called: people and areas by name, ids by closeness.

Exact ids and exact names are answered without rapidfuzz; it is imported only for
typo distance. Text is folded once (text.fold) and never per comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from mila_cli.text import fold, holds, words

if TYPE_CHECKING:
    from mila_cli.facts import Fact

_ARTICLES = frozenset("the an and of for le la les de du des un une et".split())


def names_of(fact: Fact) -> list[str]:
    """Every name a fact answers to: name, aliases, and its id read as words."""
    out = [fact["id"].replace("-", " ")]
    if "name" in fact:
        out.append(fact["name"])
    out.extend(fact.get("aliases", []))
    return out


def find_named(query: str, facts: Sequence[Fact]) -> Fact | None:
    """The fact a person means by a name, an alias or an id: case-, accent- and typo-insensitive.

    Tried in order, the first that answers wins: the exact id; an exact name; a
    name containing every query word but letters and articles (bengio, joelle); one
    whose words those words begin (jo); then the closest name by typo distance
    (benjio, goodfelow).
    """
    for fact in facts:
        if fact["id"] == query:
            return fact
    folded = fold(query).strip()
    qwords = words(folded)
    if not qwords:
        return None
    named = [(fact, [words(fold(n)) for n in names_of(fact)]) for fact in facts]
    # A letter or an article ("a", "the", "la") is in too many names to tell one apart.
    telling = [w for w in qwords if len(w) > 1 and w not in _ARTICLES]
    tests: list[Callable[[list[str]], bool]] = [lambda name: name == qwords]
    if telling:
        tests += [
            lambda name: all(w in name for w in telling),
            lambda name: all(any(n.startswith(w) for n in name) for w in telling),
        ]
    for test in tests:
        for fact, names in named:
            if any(test(name) for name in names):
                return fact
    return _closest_name(qwords, named)


def also_named(query: str, facts: Sequence[Fact], found: Fact, limit: int = 5) -> list[str]:
    """The ids of other facts a name also fits by its words ('nlp' names the application
    NLP, and the research area Natural Language Processing is called that too)."""
    telling = [w for w in words(fold(query)) if len(w) > 1 and w not in _ARTICLES]
    if not telling:
        return []
    out = []
    for fact in facts:
        if fact is found:
            continue
        names = [words(fold(n)) for n in names_of(fact)]
        if any(all(any(n.startswith(w) for n in name) for w in telling) for name in names):
            out.append(fact["id"])
    return out[:limit]


def _closest_name(qwords: list[str], named: list[tuple[Fact, list[list[str]]]]) -> Fact | None:
    from rapidfuzz import fuzz

    best: tuple[float, Fact] | None = None
    for fact, names in named:
        for name in names:
            if not name:
                continue
            # Each query word against its closest word of the name, and the whole
            # against the whole; the better of the two.
            per_word = sum(max(fuzz.ratio(w, n) for n in name) for w in qwords) / len(qwords)
            whole = fuzz.ratio(" ".join(qwords), " ".join(name))
            score = max(per_word, whole)
            if score >= 75 and (best is None or score > best[0]):
                best = (score, fact)
    return best[1] if best else None


def closest(query: str, labels: Sequence[str], limit: int = 3) -> list[str]:
    """The labels nearest to query, for 'did you mean' hints; case and accents ignored."""
    return Nearness(labels).closest(query, limit)


class Nearness:
    """Labels made ready to be compared with queries, once for as many as are asked.

    A label is as near as its closest part is to the query or one of its words:
    'bengio' is near 'yoshua-bengio', but no label is near because it holds a letter.
    """

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = labels
        self.parts: list[str] = []
        self.owners: list[int] = []
        for index, label in enumerate(labels):
            whole = fold(label)
            for part in {whole, *(w for w in words(whole) if len(w) >= 3)}:
                self.parts.append(part)
                self.owners.append(index)

    def closest(self, query: str, limit: int = 3) -> list[str]:
        folded = fold(query).strip()[:200]
        if not self.parts or not folded:
            return []
        import heapq

        from rapidfuzz import fuzz, process

        # The whole query, and each of its words: 'Yoshua Bengion Smith' is near 'Yoshua Bengio'.
        # A label is as near as its best part; between equals, the one nearer the whole query
        # first ('bench-30000' for 'bench-300000', among a pack's thousands of 'bench' ids).
        best: dict[int, float] = {}
        whole: dict[int, float] = {}
        for piece in {folded, *(w for w in words(folded) if len(w) >= 3)}:
            found = process.extract(piece, self.parts, scorer=fuzz.ratio, limit=None, score_cutoff=_NEAR_ENOUGH)
            for _, score, position in found:
                owner = self.owners[position]
                if score > best.get(owner, 0.0):
                    best[owner] = score
                if piece == folded and score > whole.get(owner, 0.0):
                    whole[owner] = score
        nearest = heapq.nsmallest(limit, best, key=lambda owner: (-best[owner], -whole.get(owner, 0.0), owner))
        return [self.labels[owner] for owner in nearest]


_NEAR_ENOUGH = 70  # rapidfuzz ratio: 'benjio' to 'bengio' is 83, 'runs' to 'interns' 55


MAX_NAMES = 50  # of a subject's names (name, aliases) looked for in other facts
MAX_NAME_WORDS = 32  # a name typed longer than this is not a name
MAX_NAME_CHARS = 1000


def _phrases(subject: Fact) -> list[list[str]]:
    names = names_of(subject)
    phrases = [words(fold(n)) for n in names[1 : 1 + MAX_NAMES]] or [words(fold(names[0]))]
    return [p for p in phrases if p]


def mention_words(subject: Fact) -> set[str]:
    """The words a fact must hold to mention subject (each phrase's first): what a pack
    index looks up, so that only those facts are read."""
    return {p[0] for p in _phrases(subject)}


def mentions(subject: Fact, facts: Iterable[Fact]) -> list[Fact]:
    """Other facts whose text, tags or aliases mention one of subject's names as words.

    Its first MAX_NAMES names count; a fact is read for a phrase only if it holds the
    phrase's first word, so the work grows with the facts, not facts times names.
    """
    phrases = _phrases(subject)
    first_words = {p[0] for p in phrases}
    found = []
    for fact in facts:
        if fact["id"] == subject["id"]:
            continue
        haystacks = [fact["text"], *fact.get("tags", []), *fact.get("aliases", []), fact.get("name", "")]
        fact_words = [words(fold(h)) for h in haystacks if h]
        if not any(w in first_words for hay in fact_words for w in hay):
            continue
        if any(holds(hay, phrase) for hay in fact_words for phrase in phrases):
            found.append(fact)
    return found
