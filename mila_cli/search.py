"""Finding facts: by name (people, areas), by id with suggestions, and fuzzy search over all.

Exact ids and exact names are answered without rapidfuzz; it is imported only when
a fuzzy pass is needed. Text is folded once (text.fold) and never per comparison.

Ranking (see README, "How search ranks"):
1. Candidates, in C: for each content word of the query, rapidfuzz's partial_ratio
   against every fact's folded text finds the facts that contain it or something
   close. How many facts a word hits gives its weight (rare words count more), so
   "mila", which every fact mentions, cannot drown "established".
2. Scoring, for the best candidates: each query word takes its best match among the
   fact's words (exact 1.0, a word it begins 0.9, a typo by fuzz.ratio at most 0.95
   times its similarity), weighed by the field it is in: names, aliases and ids
   count most, and more the more of that name the query covers; then tags; then the
   text. The score is the weighted share of the query matched, 0 to 100.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from mila_cli.text import fold, word_spans, words

Fact = dict[str, Any]

DEFAULT_MIN_SCORE = 50.0
DEFAULT_LIMIT = 10
MAX_QUERY_WORDS = 32  # only the first words of a very long query count
_CANDIDATES = 200  # facts scored in full, at most

# Words that say what kind of answer is wanted, not what it is about.
STOP_WORDS = frozenset(
    {
        "a",
        "about",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "de",
        "des",
        "did",
        "do",
        "does",
        "du",
        "et",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "in",
        "is",
        "it",
        "its",
        "la",
        "le",
        "les",
        "me",
        "of",
        "on",
        "or",
        "tell",
        "that",
        "the",
        "this",
        "there",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "with",
        "many",
        "much",
    }
)

# Field weights: a match in a name says more than one in passing in the text.
_NAME, _TAG, _TEXT, _CATEGORY = 1.0, 0.95, 0.85, 0.8


def content_words(folded_query: str) -> list[str]:
    """The query's words without stop words, deduplicated; a query of only stop
    words ("the", "who") has nothing to look for."""
    all_words = list(dict.fromkeys(words(folded_query)))[:MAX_QUERY_WORDS]
    return [w for w in all_words if w not in STOP_WORDS]


def names_of(fact: Fact) -> list[str]:
    """Every name a fact answers to: name, aliases, and its id read as words."""
    out = [fact["id"].replace("-", " ")]
    if "name" in fact:
        out.append(fact["name"])
    out.extend(fact.get("aliases", []))
    return out


# Name lookups ---------------------------------------------------------------


def find_named(query: str, facts: Sequence[Fact]) -> Fact | None:
    """The fact a person means by a name, an alias or an id: case-, accent- and typo-insensitive.

    Tried in order, the first that answers wins: the exact id; an exact name; a
    name containing every query word (bengio, joelle); one whose words the query
    words begin; then the closest name by typo distance (benjio, goodfelow).
    """
    for fact in facts:
        if fact["id"] == query:
            return fact
    folded = fold(query).strip()
    qwords = words(folded)
    if not qwords:
        return None
    named = [(fact, [words(fold(n)) for n in names_of(fact)]) for fact in facts]
    tests: list[Callable[[list[str]], bool]] = [
        lambda name: name == qwords,
        lambda name: all(w in name for w in qwords),
        lambda name: all(any(n.startswith(w) for n in name) for w in qwords),
    ]
    for test in tests:
        for fact, names in named:
            if any(test(name) for name in names):
                return fact
    return _closest_name(qwords, named)


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
    if not labels or not query.strip():
        return []
    from rapidfuzz import fuzz, process

    folded = [fold(label) for label in labels]
    hits = process.extract(fold(query)[:200], folded, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=60)
    seen: list[str] = []
    for _, _, index in hits:
        if labels[index] not in seen:
            seen.append(labels[index])
    return seen[:limit]


def mentions(subject: Fact, facts: Iterable[Fact]) -> list[Fact]:
    """Other facts whose text, tags or aliases mention one of subject's names as words."""
    phrases = [words(fold(n)) for n in names_of(subject)[1:]] or [words(fold(names_of(subject)[0]))]
    phrases = [p for p in phrases if p]
    found = []
    for fact in facts:
        if fact["id"] == subject["id"]:
            continue
        haystacks = [fact["text"], *fact.get("tags", []), *fact.get("aliases", []), fact.get("name", "")]
        fact_words = [words(fold(h)) for h in haystacks if h]
        if any(_contains(hay, phrase) for hay in fact_words for phrase in phrases):
            found.append(fact)
    return found


def _contains(hay: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(hay[i : i + n] == phrase for i in range(len(hay) - n + 1))


# Full search ----------------------------------------------------------------


class Result:
    """One fact found, its score (0-100), and the matched words' spans in its text."""

    __slots__ = ("fact", "score", "spans")

    def __init__(self, fact: Fact, score: float, spans: list[tuple[int, int]]) -> None:
        self.fact = fact
        self.score = score
        self.spans = spans


class SearchIndex:
    """Folded text of every fact, built once per run, searched as often as asked."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self.facts = facts
        self.docs = [fold(" ".join([*names_of(f), *f.get("tags", []), f["category"], f["text"]])) for f in facts]
        self._fields: dict[int, list[tuple[float, bool, list[str]]]] = {}
        self._text_words: dict[int, list[tuple[int, int, str]]] = {}

    def search(
        self,
        query: str,
        *,
        limit: int = DEFAULT_LIMIT,
        category: str | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
    ) -> list[Result]:
        qwords = content_words(fold(query))
        if not qwords or not self.facts:
            return []
        weights, candidates = self._candidates(qwords, category)
        results = []
        for index in candidates:
            score, spans = self._score(index, qwords, weights)
            score = round(score, 1)
            if score >= min_score and score > 0:
                results.append(Result(self.facts[index], score, spans))
        # Best first; a stable sort keeps load order among equals.
        results.sort(key=lambda r: -r.score)
        return results[:limit]

    def _candidates(self, qwords: list[str], category: str | None) -> tuple[list[float], list[int]]:
        from rapidfuzz import fuzz, process

        total = len(self.facts)
        weights: list[float | None] = []
        rough: dict[int, float] = {}
        for word in qwords:
            hits = process.extract(
                word, self.docs, scorer=fuzz.partial_ratio, score_cutoff=_partial_cutoff(word), limit=None
            )
            if not hits:
                weights.append(None)
                continue
            weight = math.log(1 + total / len(hits))
            weights.append(weight)
            for _, score, index in hits:
                rough[index] = rough.get(index, 0.0) + weight * score
        # A word found nowhere still counts against every fact, but no more than
        # the least telling word that was found: it is more likely noise than rare.
        floor = min((w for w in weights if w is not None), default=0.0)
        final = [floor if w is None else w for w in weights]
        if category is not None:
            rough = {i: s for i, s in rough.items() if self.facts[i]["category"] == category}
        best = sorted(rough, key=lambda i: (-rough[i], i))[:_CANDIDATES]
        return final, best

    def _fact_fields(self, index: int) -> list[tuple[float, bool, list[str]]]:
        """(weight, is a name that the query can cover, folded words) for each field."""
        cached = self._fields.get(index)
        if cached is None:
            fact = self.facts[index]
            cached = [(_NAME, True, words(fold(n))) for n in names_of(fact)]
            cached += [(_TAG, True, words(fold(t))) for t in fact.get("tags", [])]
            cached.append((_CATEGORY, True, words(fact["category"])))
            self._fields[index] = cached
        return cached

    def _score(self, index: int, qwords: list[str], weights: list[float]) -> tuple[float, list[tuple[int, int]]]:
        fact = self.facts[index]
        text_words = self._text_words.get(index)
        if text_words is None:
            text_words = self._text_words[index] = word_spans(fact["text"])
        best = [0.0] * len(qwords)
        for weight, coverable, field_words in self._fact_fields(index):
            matches = [_word_match(w, field_words) for w in qwords]
            if not any(matches):
                continue
            factor = weight
            if coverable:
                # A name the query covers whole beats one it only touches.
                content = [w for w in field_words if w not in STOP_WORDS] or field_words
                covered = sum(1 for fw in content if any(_similar(q, fw) for q in qwords))
                factor *= 0.8 + 0.2 * covered / len(content)
            for i, m in enumerate(matches):
                best[i] = max(best[i], m * factor)
        spans = []
        for start, end, folded in text_words:
            hit = False
            for i, q in enumerate(qwords):
                m = _similar_score(q, folded)
                if m:
                    hit = True
                    best[i] = max(best[i], m * _TEXT)
            if hit:
                spans.append((start, end))
        score = 100 * sum(w * b for w, b in zip(weights, best, strict=True)) / sum(weights)
        return score, spans


def _partial_cutoff(word: str) -> float:
    # Short words must appear exactly; longer ones may carry a typo or two.
    if len(word) <= 3:
        return 100
    return 80 if len(word) <= 5 else 75


# The same pairs recur across fields and facts (every fact says "mila"), so each is
# worked out once per run.
@functools.lru_cache(maxsize=1 << 16)
def _similar_score(query_word: str, word: str) -> float:
    """How well one query word matches one word of a fact, 0 to 1."""
    if query_word == word:
        return 1.0
    if len(query_word) >= 3 and word.startswith(query_word):
        return 0.9
    if len(query_word) >= 4 and abs(len(query_word) - len(word)) <= 3:
        from rapidfuzz import fuzz

        ratio = fuzz.ratio(query_word, word, score_cutoff=80)
        if ratio:
            return 0.95 * ratio / 100
    return 0.0


def _similar(query_word: str, word: str) -> bool:
    return _similar_score(query_word, word) > 0


def _word_match(query_word: str, field_words: list[str]) -> float:
    return max((_similar_score(query_word, w) for w in field_words), default=0.0)
