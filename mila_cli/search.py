"""Search: rank facts by how much of a question they answer, or answer nothing.

How a query is scored (README, "Search"):
1. query.parse reads the intent (who, when, count, where, what) and the terms;
   each term carries its forms: English stems of what was typed, its French stem
   (cognates), and its vocabulary group's terms (synonyms, French).
2. A term no fact contains may be a typo: the closest fact or vocabulary word
   by edit distance, if close enough for its length, stands in for it. A word is
   never "corrected" into another word the query already uses.
3. Each term weighs by how rare it is among the facts (a word every fact has,
   "mila", weighs little). A fact's score is the weighted share of the terms it
   contains, each by its best form and field (names 1.0, tags 0.95, text 0.9;
   forms: the word 1.0, a synonym or cognate 0.9, a typo less).
4. The intent ranks facts that can answer it first: people for who, dated facts
   for when, counted facts for how many, placed facts for where, the fact named
   X for "what is X"; others keep 80% of their score.
5. A fact must contain at least one term that is not everywhere, or be named by
   the query; below --min-score it is dropped. What is left may be nothing: then
   the outcome says which words no fact contains.
"""

from __future__ import annotations

import math
import re
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from mila_cli.language import compounds, stem_en, stem_map_en, tokens
from mila_cli.query import Query, Term, read
from mila_cli.text import fold
from mila_cli.vocabulary import Phrase, Vocabulary

if TYPE_CHECKING:
    from mila_cli.facts import FactSet

Fact = dict[str, Any]

DEFAULT_MIN_SCORE = 60.0
DEFAULT_LIMIT = 10
# A fact that is not the kind of answer asked for keeps this share of its score: a
# "when" is answered by a date or not at all, a "where" mostly by a place.
INTENT_MISS = {"when": 0.0, "count": 0.0, "expand": 0.0, "where": 0.75, "who": 0.7, "what": 0.9}
_YEAR = re.compile(r"1[0-9]{3}|2[0-9]{3}")
# Words that give a quantity without a figure: "hundreds of papers" answers "how many".
_QUANTITIES = frozenset(
    "hundreds thousands dozens many numerous several centaines milliers dizaines nombreux nombreuses plusieurs".split()
)
RELATIVE = 0.7  # results scoring under this share of the best are noise beside it
GENERIC = 1.0  # the most a generic word ("data", "models") weighs, whatever its rarity
_NAME, _TAG, _TEXT = 1.0, 0.95, 0.9
_FULL_SCAN = 3000  # up to this many facts, every fact is scored; beyond, candidates first
_CANDIDATES = 400  # facts scored in full from a large set
_WORD = re.compile(r"[0-9]{1,3}(?:[,.][0-9]{3})+(?![0-9])|[^\W_]+")


class _Field:
    """One field of a fact (a name, a tag, the text) as stems, weighed by what it is."""

    __slots__ = ("stems", "stemset", "weight")

    def __init__(self, weight: float, stems: list[str], extra: Iterable[str] = ()) -> None:
        self.weight = weight
        self.stems = stems
        self.stemset = {*stems, *extra}

    def quality(self, term: Term) -> float:
        """How well this field holds the term: its best form found here, times the field's weight."""
        single = term.single
        best = max((single[s] for s in self.stemset & single.keys()), default=0.0)
        for form, quality in term.multi.items():
            if quality > best and form[0] in self.stemset and _contains(self.stems, form):
                best = quality
        return best * self.weight


class _Analysed:
    """A fact as search sees it: its fields, its names, its words, where its text's words are."""

    __slots__ = ("content", "fields", "names", "spans", "text")

    def __init__(self, fields: list[_Field], text: _Field, spans: list[tuple[int, int]], names: int) -> None:
        self.fields = fields
        self.text = text
        self.spans = spans
        self.names = [frozenset(f.stems) for f in fields[:names]]
        self.content: set[str] = set().union(*(f.stemset for f in fields))


def _contains(hay: list[str], phrase: Phrase) -> bool:
    n = len(phrase)
    first = phrase[0]
    return any(hay[i] == first and tuple(hay[i : i + n]) == phrase for i in range(len(hay) - n + 1))


def _names_of(fact: Fact) -> list[str]:
    return [fact["id"].replace("-", " "), *_strings(fact.get("name")), *_strings(fact.get("aliases"))]


def _parts(fact: Fact) -> tuple[list[tuple[float, list[str], list[str]]], list[tuple[int, int]]]:
    """A fact's fields as (weight, folded words, joined compounds), the text among them
    with the spans of its words in the original text (for highlighting)."""
    parts = []
    for weight, values in ((_NAME, _names_of(fact)), (_TAG, _strings(fact.get("tags")))):
        for value in values:
            folded = fold(value)
            parts.append((weight, tokens(folded), compounds(folded)))
    found = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(fact["text"])]
    spans = [(a, b) for a, b, _ in found]
    parts.append((_TEXT, [tokens(w)[0] for _, _, w in found], compounds(fold(fact["text"]))))
    extra = [*_strings(fact.get("roles")), *_strings(fact.get("place")), *_strings(fact.get("count_of"))]
    for degree in fact.get("degrees", ()):
        if isinstance(degree, dict):
            extra += [str(v) for v in degree.values()]
    if extra:
        folded = fold(" ; ".join(extra))
        parts.append((_TEXT, tokens(folded), compounds(folded)))
    return parts, spans


class Result:
    """One fact found, its score (0-100), and the matched words' spans in its text."""

    __slots__ = ("fact", "fits", "index", "score", "spans")

    def __init__(self, fact: Fact, score: float, *, fits: bool = False, index: int = -1) -> None:
        self.fact = fact
        self.score = score
        self.fits = fits  # it is the kind of answer the question asks for
        self.index = index  # its place in the index's facts
        self.spans: list[tuple[int, int]] = []


class Outcome:
    """What a search found, and what it understood of the query."""

    __slots__ = ("query", "reason", "results", "unknown")

    def __init__(self, query: Query) -> None:
        self.query = query
        self.results: list[Result] = []
        self.unknown: list[str] = []  # terms no fact contains, even through the vocabulary or a typo
        self.reason: str | None = None  # why nothing was looked for ("now": a question about today)


def fits(fact: Fact, intent: str | None) -> bool:
    """Whether a fact is the kind of answer a question of this intent asks for."""
    if intent == "who":
        return "roles" in fact or fact["category"] == "people"
    if intent == "when":
        return "year" in fact or any("year" in d for d in fact.get("degrees", ()) if isinstance(d, dict))
    if intent == "count":
        return "count" in fact or not _QUANTITIES.isdisjoint(tokens(fold(fact["text"])))
    if intent == "where":
        return "place" in fact or any("lab" in d for d in fact.get("degrees", ()) if isinstance(d, dict))
    return True


class SearchIndex:
    """Facts analysed for search once per run, searched as often as asked. A small set
    (the bundled facts with a pack or two) is analysed whole on the first search; of a
    large one, only the facts whose text holds some form of a query's terms."""

    def __init__(
        self,
        facts: Sequence[Fact],
        vocabulary: Vocabulary,
        conflicts: Callable[[Fact], list[Fact]] | None = None,
    ) -> None:
        self.facts = facts
        self.vocabulary = vocabulary
        self.conflicts = conflicts or (lambda fact: [])
        self._analysed: dict[int, _Analysed] = {}
        self._prepared: list[dict[str, Any]] = []  # analyses of the first facts, made ahead of time
        self._postings: dict[str, list[int]] = {}  # stem -> the analysed facts that use it
        self._named: dict[frozenset[str], list[int]] = {}  # a name's stems -> the facts it names
        self._stop_stems = set(stem_map_en(vocabulary.stopwords).values()) | vocabulary.stopwords
        self._corpus_words: set[str] | None = None
        self._docs: tuple[str, list[int]] | None = None

    # Facts as search sees them ------------------------------------------------

    def _fact(self, index: int) -> _Analysed:
        """A fact as search sees it (analysed, or built from its prepared analysis)."""
        analysed = self._analysed.get(index)
        if analysed is None:
            data = self._prepared[index]
            fields = [_Field(w, stems, extra) for w, stems, extra in data["fields"]]
            spans = [(a, b) for a, b in data["spans"]]
            analysed = _Analysed(fields, fields[data["text"]], spans, data["names"])
            analysed.content -= self._stop_stems
            self._analysed[index] = analysed
        return analysed

    def _analyse(self, indices: Iterable[int]) -> None:
        """Analyse facts not analysed yet, stemming all their words in one call."""
        todo = [i for i in indices if i not in self._analysed and i >= len(self._prepared)]
        if not todo:
            return
        parts = {i: _parts(self.facts[i]) for i in todo}
        words = {w for fields, _ in parts.values() for _, folded, joined in fields for w in (*folded, *joined)}
        stems = stem_map_en(words)
        for index, (fields, spans) in parts.items():
            built = [
                _Field(weight, [stems.get(w, w) for w in folded], [stems.get(w, w) for w in joined])
                for weight, folded, joined in fields
            ]
            names = len(_names_of(self.facts[index]))
            text = built[names + len(_strings(self.facts[index].get("tags")))]
            self._store(index, _Analysed(built, text, spans, names))

    def analyse_all(self) -> None:
        self._analyse(range(len(self.facts)))

    def exported(self, index: int) -> dict[str, Any]:
        """A fact's analysis as plain data (mila_cli.prepared keeps it for the bundled facts)."""
        analysed = self._fact(index)
        return {
            "fields": [[f.weight, f.stems, sorted(f.stemset - set(f.stems))] for f in analysed.fields],
            "text": analysed.fields.index(analysed.text),
            "names": len(analysed.names),
            "spans": analysed.spans,
        }

    def postings(self) -> dict[str, list[int]]:
        return self._postings

    def imported(self, analyses: list[dict[str, Any]], postings: dict[str, list[int]]) -> None:
        """Take the analyses of the first facts, and which stems they use, worked out ahead
        of time; each fact is built from its analysis only when a search reaches it."""
        self._prepared = analyses
        self._postings = postings
        for index, data in enumerate(analyses):
            for _, stems, _ in data["fields"][: data["names"]]:
                self._named.setdefault(frozenset(stems), []).append(index)

    def _store(self, index: int, analysed: _Analysed) -> None:
        analysed.content -= self._stop_stems
        self._analysed[index] = analysed
        for field in analysed.fields:
            for stem in field.stemset:
                self._postings.setdefault(stem, []).append(index)
        for name in analysed.names:
            self._named.setdefault(name, []).append(index)

    def words(self) -> set[str]:
        """Every folded word of every fact (and its hyphen-free compounds): what a typo may mean."""
        if self._corpus_words is None:
            text, _ = self._joined()
            self._corpus_words = set(tokens(text)) | set(compounds(text))
        return self._corpus_words

    def has(self, word: str) -> bool:
        """Whether some fact uses this word or another form of it (founders for founded)."""
        if len(self.facts) > _FULL_SCAN:  # a large set: look in its text rather than list its words
            text, _ = self._joined()
            return _find_word(text, word) >= 0 or _find_word(text, stem_en(word)) >= 0
        self._analyse(range(len(self.facts)))
        return stem_en(word) in self._postings or word in self.words()

    def _joined(self) -> tuple[str, list[int]]:
        """All facts' searchable text, folded, in one string, and where each fact starts."""
        if self._docs is None:
            parts = []
            starts = []
            position = 0
            for fact in self.facts:
                values = [
                    *_names_of(fact),
                    *_strings(fact.get("tags")),
                    fact["text"],
                    *_strings(fact.get("roles")),
                    *_strings(fact.get("place")),
                ]
                doc = fold(" | ".join(values))
                starts.append(position)
                parts.append(doc)
                position += len(doc) + 1
            self._docs = ("\n".join(parts), starts)
        return self._docs

    # Searching ----------------------------------------------------------------

    def search(
        self,
        text: str,
        *,
        limit: int = DEFAULT_LIMIT,
        category: str | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
    ) -> Outcome:
        query = read(text, self.vocabulary, self)
        outcome = Outcome(query)
        if not self.facts or (not query.terms and not query.subject):
            return outcome
        if query.present:
            # The documents are undated: what they say is not known to be true today.
            outcome.reason = "now"
            return outcome
        if query.asked_about:
            # "The price of the textbook": no fact gives a price, whatever it says of the book.
            outcome.reason = "attribute"
            outcome.unknown = list(query.asked_about)
            return outcome
        if query.intent == "duration":
            outcome.reason = "duration"
            return outcome
        candidates = self._candidate_pool(query)
        self._analyse(candidates)
        pool = set(candidates)
        hits = [self._term_hits(t) & pool for t in query.terms]
        total = len(self.facts)
        generic = self.vocabulary.generic
        import os

        unknown_w = float(os.environ.get("UNK", "4.4"))
        weights = [
            min(_weight(total, len(h)), GENERIC)
            if generic.issuperset(t.words)
            else (_weight(total, len(h)) if h else unknown_w)
            for t, h in zip(query.terms, hits, strict=True)
        ]
        everywhere = [len(h) > max(total / 2, 5) for h in hits]
        outcome.unknown = [t.label for t, h in zip(query.terms, hits, strict=True) if not h]
        subject = frozenset(stem_en(w) for w in query.subject)
        whole = frozenset(stem_en(w) for t in query.terms for w in t.words)
        by_subject = set(self._named.get(subject, ())) & pool if subject else set()
        if query.intent == "expand":
            # "What does X stand for" is answered by a fact that gives X another name.
            by_subject = {i for i in by_subject if len(self._fact(i).names) > 2}
        named = by_subject | (set(self._named.get(whole, ())) & pool if whole else set())
        # Only facts that hold a telling term can answer, besides the named ones and, for
        # a question whose kind of answer is what tells, those that hold every term.
        reach = set().union(*(h for h, e in zip(hits, everywhere, strict=True) if not e)) | named
        if query.intent in ("when", "count", "where") and hits:
            reach |= set.intersection(*hits)
        # A year asked about is a condition, not a hint: "papers in 2019" is not answered
        # by a fact that says nothing of 2019.
        years = [i for i, t in enumerate(query.terms) if t.literal and _YEAR.fullmatch(t.label)]
        for position in years:
            reach &= hits[position]
        results: list[Result] = []
        for index in sorted(reach):
            fact = self.facts[index]
            if category is not None and fact["category"] != category:
                continue
            qualities = self._qualities(index, query.terms)
            if query.intent in ("what", "expand"):
                fit = index in by_subject or (query.intent == "what" and not by_subject)
            else:
                fit = fits(fact, query.intent)
            miss = INTENT_MISS.get(query.intent or "", 1.0)
            if not fit and not miss:
                continue
            informative = any(q > 0 and not e for q, e in zip(qualities, everywhere, strict=True))
            # With no telling word ("where is mila"), the kind of answer asked for is what
            # tells; but not "who": every person is at Mila.
            answers = fit and query.intent in ("when", "count", "where") and all(qualities)
            if not (informative or answers or index in named):
                continue
            coverage = sum(w * q for w, q in zip(weights, qualities, strict=True)) / (sum(weights) or 1.0)
            score = 100.0 if index in named else 100 * coverage * (0.9 + 0.1 * self._density(index, query.terms))
            score = round(score if fit else score * miss, 1)
            if score >= min_score and score > 0:
                results.append(Result(fact, score, fits=fit, index=index))
        results.sort(key=lambda r: -r.score)  # a stable sort keeps load order among equals
        results = [r for r in results if r.score >= RELATIVE * results[0].score] if results else []
        results = self._with_other_sides(query, results, category)[:limit]
        for result in results:
            result.spans = self._spans(result.index, query.terms)
        outcome.results = results
        return outcome

    def answer(self, outcome: Outcome) -> list[Fact]:
        """The facts that answer a question directly: the best result when it is the kind
        of answer asked for, and for a count, every figure that disagrees with it too."""
        if outcome.query.intent is None or not outcome.results or not outcome.results[0].fits:
            return []
        best = outcome.results[0].fact
        return [best, *self.conflicts(best)] if outcome.query.intent == "count" else [best]

    def _candidate_pool(self, query: Query) -> list[int]:
        """Every fact of a small set; of a large one, the facts whose text holds some form of a term."""
        total = len(self.facts)
        if total <= _FULL_SCAN:
            return list(range(total))
        import bisect

        text, starts = self._joined()
        counts: dict[int, float] = {}
        for term in query.terms:
            found: set[int] = set()
            for form in term.forms:
                needle = form[0][:-1] if len(form[0]) > 4 else form[0]  # a stem may differ in its last letter
                position = text.find(needle)
                while position >= 0:
                    if position == 0 or not text[position - 1].isalnum():
                        found.add(bisect.bisect_right(starts, position) - 1)
                    position = text.find(needle, position + 1)
            weight = _weight(total, len(found))
            for index in found:
                counts[index] = counts.get(index, 0.0) + weight
        named = [i for i, f in enumerate(self.facts) if f["id"] in query.subject]
        best = sorted(counts, key=lambda i: (-counts[i], i))[:_CANDIDATES]
        return sorted({*best, *named})

    def _density(self, index: int, terms: list[Term]) -> float:
        """The share of a fact's words that the query matched: between facts that answer
        equally well, the one that says less besides comes first."""
        own = self._fact(index).content
        if not own:
            return 0.0
        wanted = {w for t in terms for form in t.forms for w in form}
        return len(own & wanted) / len(own)

    def _qualities(self, index: int, terms: list[Term]) -> list[float]:
        fields = self._fact(index).fields
        return [max((f.quality(t) for f in fields), default=0.0) for t in terms]

    def _term_hits(self, term: Term) -> set[int]:
        """The analysed facts that contain some form of a term."""
        found: set[int] = set()
        for form in term.forms:
            if len(form) == 1:
                found.update(self._postings.get(form[0], ()))
                continue
            having = set(self._postings.get(form[0], ())).intersection(*(self._postings.get(w, ()) for w in form[1:]))
            found |= {i for i in having if any(_contains(f.stems, form) for f in self._fact(i).fields)}
        return found

    def _with_other_sides(self, query: Query, results: list[Result], category: str | None) -> list[Result]:
        """For a count question, every figure that disagrees with one found comes with it."""
        if query.intent != "count":
            return results
        out: list[Result] = []
        listed = {r.fact["id"] for r in results}
        position = {f["id"]: i for i, f in enumerate(self.facts)} if results else {}
        for result in results:
            out.append(result)
            if not result.fits:
                continue
            for other in self.conflicts(result.fact):
                if other["id"] not in listed and (category is None or other["category"] == category):
                    listed.add(other["id"])
                    out.append(Result(other, result.score, fits=True, index=position[other["id"]]))
        return out

    def _spans(self, index: int, terms: list[Term]) -> list[tuple[int, int]]:
        """Where the text's words that matched a term are, for highlighting."""
        analysed = self._fact(index)
        text_field = analysed.text
        wanted = {form[0] for t in terms for form in t.forms if len(form) == 1}
        phrases = [form for t in terms for form in t.forms if len(form) > 1]
        marked = [stem in wanted for stem in text_field.stems]
        for phrase in phrases:
            n = len(phrase)
            for start in range(len(text_field.stems) - n + 1):
                if tuple(text_field.stems[start : start + n]) == phrase:
                    marked[start : start + n] = [True] * n
        return [span for span, hit in zip(analysed.spans, marked, strict=True) if hit]


def index_for(fact_set: FactSet) -> SearchIndex:
    """The search index of a set of facts, with the bundled vocabulary and every pack's
    own; the bundled parts come ready made when mila_cli/prepared.json still fits."""
    from mila_cli import prepared, vocabulary

    data = prepared.load()
    if data is not None and fact_set.vocabularies == [vocabulary.bundled_path()]:
        words = prepared.vocabulary(data)
    else:
        words = vocabulary.load(fact_set.vocabularies)
    index = SearchIndex(fact_set.facts, words, fact_set.conflicts)
    if data is not None and fact_set.bundled_count == len(data["facts"]):
        index.imported(data["facts"], data["postings"])
    return index


def _find_word(text: str, word: str) -> int:
    """Where word starts a word of text, or -1."""
    position = text.find(word)
    while position > 0 and text[position - 1].isalnum():
        position = text.find(word, position + 1)
    return position


def _weight(total: int, found: int) -> float:
    """How telling a term is: rare ones count most; one found nowhere counts like the rarest."""
    return math.log(1 + total / max(found, 1))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []
