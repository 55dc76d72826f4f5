"""Search: rank facts by how much of a question they answer, or answer nothing.

How a query is read and scored is described once, in the README ("How a query is
read", "Question intent", "No answer", "How facts are scored"). Here: query.read
reads the query; SearchIndex.search refuses what no fact can answer, weighs each
term by its rarity, scores every fact by the terms it holds and the intent it fits,
and keeps what is left over the least score (least_score); SearchIndex.answer picks
what a question's answer leads with; index_for builds the index for a fact set.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from mila_cli.language import RUN, compounds, stem_en, stem_map_en, token_spans, tokens, word_set
from mila_cli.names import names_of
from mila_cli.query import Query, Term, decade_years, read
from mila_cli.text import fold, holds
from mila_cli.vocabulary import Phrase, Vocabulary

if TYPE_CHECKING:
    from mila_cli.facts import Fact, FactSet

DEFAULT_MIN_SCORE = 60.0
# A long question may leave a few of its words unmatched and still be answered: the
# least score asked drops by this much for each term beyond three, down to the floor.
# A short one must match nearly all it says ("mila budget" is not "mila").
LONG_QUESTION_STEP, LONG_QUESTION_FLOOR = 4.0, 48.0
DEFAULT_LIMIT = 10
# A fact that is not the kind of answer asked for keeps this share of its score: a
# "when" is answered by a date or not at all, a "where" mostly by a place.
INTENT_MISS = {"when": 0.0, "count": 0.0, "expand": 0.0, "where": 0.75, "who": 0.7, "what": 0.9}
# Words that give a quantity without a figure: "hundreds of papers" answers "how many".
_QUANTITIES = frozenset("hundreds thousands dozens centaines milliers dizaines".split())
RELATIVE = 0.7  # results scoring under this share of the best are noise beside it
GENERIC = 1.0  # the most a generic word ("data", "models") weighs, whatever its rarity
_NAME, _TAG, _TEXT = 1.0, 0.95, 0.9
_FULL_SCAN = 3000  # up to this many facts, every fact is scored; beyond, candidates first
_AGENT_CATEGORIES = frozenset({"people", "organizations", "institute", "labs"})
_SUGGESTIBLE = 4  # letters, at least, in a word suggested for one no fact holds
_DOER = 2  # words, at most, from a subject to its verb: "Mila co-founded"
_PASSIVE = frozenset({"was", "were", "is", "are", "been", "be", "get", "got"})  # stems: "Mila was founded"
_NEAR = 5  # words apart, at most, for one to be said "of" the other in a fact's text
_CANDIDATES = 400  # facts scored in full from a large set
_COMMON_FORM = 5000  # a form found at more word starts than this picks no candidates


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
            if quality > best and form[0] in self.stemset and holds(self.stems, form):
                best = quality
        return best * self.weight

    def places(self, term: Term) -> list[int]:
        """Where in this field the term's forms begin; a form found only as a joined
        compound ("rllab") has no place of its own, so it is placed everywhere (-1)."""
        found = [i for i, stem in enumerate(self.stems) if term.single.get(stem)]
        for form in term.multi:
            if self.stemset.issuperset(form):
                found += _phrase_starts(self.stems, form)
        if not found and self.quality(term) > 0:
            return [-1]
        return found


class _Analysed:
    """A fact as search sees it: its fields, its names, its words, where its text's words are."""

    __slots__ = ("content", "fields", "names", "spans", "text")

    def __init__(self, fields: list[_Field], text: _Field, spans: list[tuple[int, int]], names: int) -> None:
        self.fields = fields
        self.text = text
        self.spans = spans
        self.names = [frozenset(f.stems) for f in fields[:names]]
        self.content: set[str] = set().union(*(f.stemset for f in fields))


def _extras(fact: Fact) -> list[str]:
    """What a fact says besides its names, tags and text that search reads as text."""
    extra = [*_strings(fact.get("roles")), *_strings(fact.get("place")), *_strings(fact.get("count_of"))]
    for degree in fact.get("degrees", ()):
        if isinstance(degree, dict):
            extra += [str(v) for v in degree.values()]
    return extra


def doc_of(fact: Fact) -> str:
    """A fact's searchable text, folded, in one string: what the candidate lookup of a
    large set reads (here in memory, or a pack index made from it)."""
    return fold(" | ".join([*names_of(fact), *_strings(fact.get("tags")), fact["text"], *_extras(fact)]))


def _parts(fact: Fact) -> tuple[list[tuple[float, list[str], list[str]]], list[tuple[int, int]]]:
    """A fact's fields as (weight, folded words, joined compounds), the text among them
    with the spans of its words in the original text (for highlighting)."""
    parts = []
    for weight, values in ((_NAME, names_of(fact)), (_TAG, _strings(fact.get("tags")))):
        for value in values:
            folded = fold(value)
            parts.append((weight, tokens(folded), compounds(folded)))
    # Each word of the text where it is, for highlighting; a word that folds to nothing
    # (a lone combining mark such as U+FF9E) is no word at all.
    found = [(a, b, read[0]) for a, b, word in token_spans(fact["text"]) if (read := tokens(fold(word)))]
    spans = [(a, b) for a, b, _ in found]
    parts.append((_TEXT, [w for _, _, w in found], compounds(fold(fact["text"]))))
    extra = _extras(fact)
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


class _Plan:
    """What search works out once per query, before scoring each fact."""

    __slots__ = (
        "about",
        "by_subject",
        "common",
        "everywhere",
        "hits",
        "named",
        "pairs",
        "query",
        "reach",
        "slots",
        "weights",
    )

    def __init__(self, query: Query) -> None:
        self.query = query
        self.hits: list[set[int]] = []  # per term, the facts that hold it
        self.weights: list[float] = []  # per term, how telling it is
        self.everywhere: list[bool] = []  # per term, whether most facts hold it ("mila")
        self.by_subject: set[int] = set()  # the facts named by X in "what is X"
        self.named: set[int] = set()  # the facts the query names, as a whole or by its subject
        self.reach: set[int] = set()  # the facts that may answer
        self.about: list[tuple[Term, set[int]]] = []  # terms that name facts, for when and where
        self.pairs: list[tuple[int, int]] = []  # (term, the term it is asked of), by place in the query
        self.slots: list[list[int]] = []  # terms by place, grouped: a fact holds a group by any of its terms
        self.common: set[str] = set()  # terms of a large set too common to pick facts by (_COMMON_FORM)


def _refusal(query: Query) -> str | None:
    """Why a query gets no answer before any fact is looked at, if it does not."""
    if query.present:
        return "now"  # the documents are undated: they cannot say what is true today
    if query.asked_about:
        return "attribute"  # "the price of the textbook": no fact gives a price
    if query.intent == "duration":
        return "duration"  # no fact says how long anything takes
    return None


class Outcome:
    """What a search found, and what it understood of the query."""

    __slots__ = ("common", "query", "reason", "results", "unknown")

    def __init__(self, query: Query) -> None:
        self.query = query
        self.results: list[Result] = []
        self.unknown: list[str] = []  # terms no fact contains, even through the vocabulary or a typo
        # Terms so common in a large set that no fact was picked by them (nor found holding them).
        self.common: list[str] = []
        self.reason: str | None = None  # why nothing was looked for ("now": a question about today)


def kind_asked(fact: Fact, intent: str | None) -> bool:
    """Whether a fact is the kind of answer a question of this intent asks for."""
    if intent == "who":
        return "roles" in fact or fact["category"] in ("people", "organizations")
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
        fact_set: FactSet | None = None,
    ) -> None:
        self.facts = facts
        self.vocabulary = vocabulary
        self.conflicts = conflicts or (lambda fact: [])
        self._analysed: dict[int, _Analysed] = {}
        self._prepared: list[dict[str, Any]] = []  # analyses of the first facts, made ahead of time
        self._postings: dict[str, list[int]] = {}  # stem -> the analysed facts that use it
        self._named: dict[frozenset[str], list[int]] = {}  # a name's stems -> the facts it names
        self._names: list[tuple[frozenset[str], set[int], bool]] | None = None  # names of people and organizations
        self._proper: dict[frozenset[str], list[int]] = {}  # the same, for names and aliases but not ids
        self._corpus_words: set[str] | None = None
        self._read_words: Callable[[], set[str]] | None = None  # the words, worked out ahead of time
        self._docs: tuple[str, list[int], list[int]] | None = None
        self._fact_set = fact_set
        self._pack = fact_set.store if fact_set else None  # a pack index holding some of the facts

    # Facts as search sees them ------------------------------------------------

    def _fact(self, index: int) -> _Analysed:
        """A fact as search sees it (analysed, or built from its prepared analysis)."""
        analysed = self._analysed.get(index)
        if analysed is None and index >= len(self._prepared):
            # Of a large pack, one outside the candidates (a count that disagrees with one found).
            self._analyse([index])
            return self._analysed[index]
        if analysed is None:
            data = self._prepared[index]
            fields = [_Field(w, stems, extra) for w, stems, extra in data["fields"]]
            spans = [(a, b) for a, b in data["spans"]]
            analysed = _Analysed(fields, fields[data["text"]], spans, data["names"])
            analysed.content -= self.vocabulary.stop_stems
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
            names = len(names_of(self.facts[index]))
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
            self._add_names(index, [frozenset(stems) for _, stems, _ in data["fields"][: data["names"]]])

    def _store(self, index: int, analysed: _Analysed) -> None:
        analysed.content -= self.vocabulary.stop_stems
        self._analysed[index] = analysed
        for field in analysed.fields:
            for stem in field.stemset:
                self._postings.setdefault(stem, []).append(index)
        self._add_names(index, analysed.names)

    def _add_names(self, index: int, names: list[frozenset[str]]) -> None:
        for position, name in enumerate(names):
            self._named.setdefault(name, []).append(index)
            if position:  # the first name is the id read as words
                self._proper.setdefault(name, []).append(index)

    def prefill_words(self, read: Callable[[], set[str]]) -> None:
        """Take a function giving what words() would work out, read when a typo first asks."""
        self._read_words = read

    def words(self) -> set[str]:
        """Every folded word of every fact (and its hyphen-free compounds): what a typo may mean."""
        if self._corpus_words is None and self._read_words is not None:
            self._corpus_words = self._read_words()
        if self._corpus_words is None:
            text, _, _ = self._joined()
            self._corpus_words = word_set(text)
            if self._pack is not None:
                self._corpus_words |= self._pack.words()
        return self._corpus_words

    def has(self, word: str) -> bool:
        """Whether some fact uses this word or another form of it (founders for founded)."""
        if len(self.facts) > _FULL_SCAN:  # a large set: look in its text rather than list its words
            text, _, _ = self._joined()
            stem = stem_en(word)
            if _has_form(text, word, stem):
                return True
            return self._pack is not None and any(
                form == word or stem_en(form) == stem for form in self._pack.forms(stem)
            )
        self._analyse(range(len(self.facts)))
        return stem_en(word) in self._postings or word in self.words()

    def _joined(self) -> tuple[str, list[int], list[int]]:
        """The searchable text of the facts in memory (doc_of), in one string, with where
        each fact's starts in it and its place among all facts."""
        if self._docs is None:
            docs = []
            starts = []
            places = []
            position = 0
            items = self._fact_set.facts.in_memory() if self._fact_set else enumerate(self.facts)
            for place, fact in items:
                doc = doc_of(fact)
                starts.append(position)
                places.append(place)
                docs.append(doc)
                position += len(doc) + 1
            self._docs = ("\n".join(docs), starts, places)
        return self._docs

    def _holding(self, needle: str) -> set[int] | None:
        """The facts where a word begins with needle; None when more than _COMMON_FORM
        words do (so common that it tells no fact apart). In memory and in a pack
        index alike."""
        import bisect

        text, starts, places = self._joined()
        positions = _word_starts(text, needle, _COMMON_FORM)
        if positions is None:
            return None
        found = {places[bisect.bisect_right(starts, position) - 1] for position in positions}
        if self._fact_set and self._pack is not None:
            left = _COMMON_FORM - len(positions)
            count, numbers = self._pack.starts(needle, left)
            if count > left:
                return None
            found.update(self._fact_set.place_of(n) for n in numbers)
        return found

    # Searching ----------------------------------------------------------------

    def search(
        self,
        text: str,
        *,
        limit: int = DEFAULT_LIMIT,
        category: str | None = None,
        min_score: float | None = None,
    ) -> Outcome:
        """Facts that answer a query, best first. Without min_score, the least score
        asked depends on the query's length (least_score)."""
        query = read(text, self.vocabulary, self)
        outcome = Outcome(query)
        outcome.reason = _refusal(query)
        if outcome.reason == "attribute":
            outcome.unknown = list(query.asked_about)
        if outcome.reason or not self.facts or not query.terms:
            return outcome
        plan = self._plan(query)
        missed = [t.label for t, h in zip(query.terms, plan.hits, strict=True) if not h]
        outcome.unknown = [label for label in missed if label not in plan.common]
        outcome.common = [label for label in missed if label in plan.common]
        if min_score is None:
            min_score = least_score(query)
        results = []
        for index in sorted(plan.reach):
            if category is None or self.facts[index]["category"] == category:
                result = self._result(index, plan)
                if result is not None and result.score >= min_score and result.score > 0:
                    results.append(result)
        excluded = self._left_out(query)
        results = [r for r in results if r.index not in excluded]
        results.sort(key=lambda r: -r.score)  # a stable sort keeps load order among equals
        results = [r for r in results if r.score >= RELATIVE * results[0].score] if results else []
        results = self._with_other_sides(plan, results, category)[:limit]
        for result in results:
            result.spans = self._spans(result.index, query.terms)
        outcome.results = results
        return outcome

    def _plan(self, query: Query) -> _Plan:
        """What every fact's score depends on: which facts hold each term, how much each
        term weighs, which facts the query names, and which facts can answer at all."""
        plan = _Plan(query)
        candidates = self._candidate_pool(query, plan.common)
        self._analyse(candidates)
        pool = set(candidates)
        plan.hits = [self._term_hits(t) & pool for t in query.terms]
        total = len(self.facts)
        generic = self.vocabulary.generic
        plan.weights = [
            _term_weight(t, h, total, generic, asked=query.intent is not None)
            for t, h in zip(query.terms, plan.hits, strict=True)
        ]
        plan.everywhere = [len(h) > max(total / 2, 5) for h in plan.hits]
        place = {t.label: i for i, t in enumerate(query.terms)}
        plan.slots = self._slots(query, place, plan)
        plan.pairs = [
            (place[a], place[b])
            for a, b in query.pairs
            if a in place and b in place and a != b and plan.hits[place[a]] and plan.hits[place[b]]
        ]
        subject = frozenset(stem_en(w) for w in query.subject)
        whole = frozenset(stem_en(w) for t in query.terms if not t.aside for w in t.words)
        plan.by_subject = set(self._named.get(subject, ())) & pool if subject else set()
        if query.intent == "expand":
            # "What does X stand for" is answered by a fact that gives X another name.
            plan.by_subject = {i for i in plan.by_subject if self._has_other_name(i)}
        plan.named = plan.by_subject | (set(self._named.get(whole, ())) & pool if whole else set())
        if subject and not plan.by_subject and len(query.terms) > 1:
            # "What are Theano and Myia", "the full name behind the Mila acronym": no fact
            # is named by all the words, so a fact named by one term is the kind of answer
            # asked for, though not named by the query; not Mila, which every fact is
            # about, but for its name.
            for term, everywhere in zip(query.terms, plan.everywhere, strict=True):
                if not everywhere or query.intent == "expand":
                    plan.by_subject |= set(self._named.get(frozenset(stem_en(w) for w in term.words), ())) & pool
            if query.intent == "expand":
                plan.by_subject = {i for i in plan.by_subject if self._has_other_name(i)}
        # Only facts that hold a telling term can answer, besides the named ones and, for
        # a question whose kind of answer is what tells, those that hold every term.
        telling = (h for h, e in zip(plan.hits, plan.everywhere, strict=True) if not e)
        plan.reach = set().union(*telling) | plan.named
        if query.intent in ("when", "count", "where") and plan.hits:
            plan.reach |= set.intersection(*plan.hits)
        # A year asked about is a condition, not a hint: "papers in 2019" is not answered
        # by a fact that says nothing of 2019.
        for term, hits in zip(query.terms, plan.hits, strict=True):
            if term.literal and not term.aside and (_is_year(term.label) or decade_years(term.label)):
                plan.reach &= hits
        # "When was Polytechnique founded": a date answers it only if it is a date of
        # Polytechnique, not of something Polytechnique took part in. So when a question
        # of when or where names something that has its own fact, the answer must be
        # that fact or one that carries the name among its names or tags.
        if query.intent in ("when", "where"):
            for term, everywhere in zip(query.terms, plan.everywhere, strict=True):
                named_facts = self._refers_to(term) & pool
                if named_facts and not everywhere:
                    plan.about.append((term, named_facts))
        return plan

    def _left_out(self, query: Query) -> set[int]:
        """The facts a query excludes by name: "besides Yoshua Bengio", "à part Bengio"."""
        terms = [t for t in query.terms if t.left_out]
        if not terms:
            return set()
        stems = {stem_en(w) for t in terms for w in t.words}
        found = set(self._named.get(frozenset(stems), ()))
        for term in terms:
            found |= self._refers_to(term)
        # A part of a name will do: "à part Bengio" leaves out Yoshua Bengio.
        holders = set.intersection(*(set(self._postings.get(stem, ())) for stem in stems))
        found |= {i for i in holders if any(stems <= name for name in self._fact(i).names[1:])}
        return found

    def _has_other_name(self, index: int) -> bool:
        """Whether a fact gives its subject a name besides the one it goes by: an alias,
        or a name and an alias (its id counts for neither)."""
        return len(self._fact(index).names) > 1 + ("name" in self.facts[index])

    def _result(self, index: int, plan: _Plan) -> Result | None:
        """A fact's score for the planned query, or None when it cannot answer it."""
        query = plan.query
        fact = self.facts[index]
        if query.intent in ("what", "expand"):
            fit = index in plan.by_subject or (query.intent == "what" and not plan.by_subject)
        else:
            # "Who founded Mila" is answered by people, or by a fact that names who did it.
            fit = kind_asked(fact, query.intent) or (query.intent == "who" and self._names_agent(index, query))
        miss = INTENT_MISS.get(query.intent or "", 1.0)
        if plan.about and not any(index in named or self._titled(index, t) for t, named in plan.about):
            return None
        if not fit and (not miss or plan.about):
            return None
        qualities = self._qualities(index, query.terms)
        if not self._belongs(index, plan, qualities):
            return None
        informative = any(q > 0 and not e for q, e in zip(qualities, plan.everywhere, strict=True))
        # With no telling word ("where is mila"), the kind of answer asked for is what
        # tells; but not "who": every person is at Mila.
        answers = fit and query.intent in ("when", "count", "where") and all(qualities)
        if not (informative or answers or index in plan.named):
            return None
        if index in plan.named:
            score = 100.0
        else:
            weights = [max(plan.weights[i] for i in slot) for slot in plan.slots]
            held = sum(w * _one_of([qualities[i] for i in slot]) for w, slot in zip(weights, plan.slots, strict=True))
            coverage = held / (sum(weights) or 1.0)
            score = 100 * coverage * (0.9 + 0.1 * self._density(index, query.terms))
        return Result(fact, round(score if fit else score * miss, 1), fits=fit, index=index)

    def _place(self, fact_id: str) -> int | None:
        """A fact's place by its id."""
        return self._fact_set.place(fact_id) if self._fact_set else self._positions.get(fact_id)

    @functools.cached_property
    def _positions(self) -> dict[str, int]:
        return {fact["id"]: index for index, fact in enumerate(self.facts)}

    def called(self, text: str, ids: set[str]) -> Fact | None:
        """The best answer to a query among some facts, if it holds every term of the query
        in its names or tags: what a name lookup ('mila areas vision') may fall back on."""
        outcome = self.search(text, limit=len(self.facts))
        for result in outcome.results:
            if result.fact["id"] in ids and all(self._titled(result.index, t) for t in outcome.query.terms):
                return result.fact
        return None

    @functools.cached_property
    def suggestible(self) -> list[str]:
        """The facts' words worth suggesting for a word no fact holds: not a short word,
        a stop word or a generic one ("close words: interns", never "close words: a")."""
        vocabulary = self.vocabulary
        skip = vocabulary.stopwords | vocabulary.generic
        return sorted(w for w in self.words() if len(w) >= _SUGGESTIBLE and w not in skip and not w.isdigit())

    def answer(self, outcome: Outcome) -> list[Fact]:
        """The facts that answer a question directly: the best result when it is the kind
        of answer asked for, and for a count, every figure that disagrees with it too."""
        if outcome.query.intent is None or not outcome.results or not outcome.results[0].fits:
            return []
        best = outcome.results[0].fact
        return [best, *self.conflicts(best)] if outcome.query.intent == "count" else [best]

    def _candidate_pool(self, query: Query, common: set[str]) -> list[int]:
        """Every fact of a small set; of a large one, the facts whose text holds some form of a term."""
        total = len(self.facts)
        if total <= _FULL_SCAN:
            return list(range(total))
        counts: dict[int, float] = {}
        for term in query.terms:
            found: set[int] = set()
            for needle in {form[0][:-1] if len(form[0]) > 4 else form[0] for form in term.forms}:
                # A stem may differ from its words in its last letter, hence the cut.
                holding = self._holding(needle)
                if holding is None:
                    common.add(term.label)
                else:
                    found |= holding
            weight = _weight(total, len(found))
            for index in found:
                counts[index] = counts.get(index, 0.0) + weight
        named = self._place("-".join(query.subject))
        best = sorted(counts, key=lambda i: (-counts[i], i))[:_CANDIDATES]
        return sorted({*best, *([] if named is None else [named])})

    def _density(self, index: int, terms: list[Term]) -> float:
        """The share of a fact's words that the query matched: between facts that answer
        equally well, the one that says less besides comes first."""
        own = self._fact(index).content
        if not own:
            return 0.0
        wanted = {w for t in terms for form in t.forms for w in form}
        return len(own & wanted) / len(own)

    def _names_agent(self, index: int, query: Query) -> bool:
        """Whether a fact's text names who did something: a person or an organization
        with a fact of its own (the universities that established Mila), other than one
        nearly every fact names (Mila), one the question names itself ("who founded the
        lab at McGill" is not answered by McGill), or one named as an owner ("McGill
        University's lab was founded in 2001" does not say who founded it)."""
        stems = self._fact(index).text.stems
        asked = {w for t in query.terms for form in t.forms for w in form}
        for name, named, agent in self._proper_names():
            if not agent or index in named or name <= asked or not name <= set(stems):
                continue
            if any(stems[start + len(name) : start + len(name) + 1] != ["s"] for start in _name_starts(stems, name)):
                return True
        return False

    def _proper_names(self) -> list[tuple[frozenset[str], set[int], bool]]:
        """The names and aliases of facts, with the facts they name and whether one is a
        person or an organization, but for names nearly every fact holds (Mila); of a
        large pack, none (not worth the scan)."""
        if self._names is None:
            self._names = []
            if len(self.facts) <= _FULL_SCAN:
                self.analyse_all()
                common = max(len(self.facts) / 2, 5)
                for name, named in self._proper.items():
                    spread = min((len(self._postings.get(stem, ())) for stem in name), default=0)
                    if spread <= common:
                        agent = any(self.facts[i]["category"] in _AGENT_CATEGORIES for i in named)
                        self._names.append((name, set(named), agent))
        return self._names

    def _slots(self, query: Query, place: dict[str, int], plan: _Plan) -> list[list[int]]:
        """What a fact must hold, term by term, but for names joined by and/or, of which
        one will do: "what are Theano and Myia" is answered by each. Only names of facts:
        "Mila or the Vector Institute" asks of something no fact holds, and "Canada and
        abroad" asks for both."""
        slots: list[list[int]] = []
        joined: set[int] = set()
        for labels in query.alternatives:
            members = [place[label] for label in labels if label in place]
            named = all(self._refers_to(query.terms[i]) and not plan.everywhere[i] for i in members)
            if len(members) > 1 and named and joined.isdisjoint(members):
                slots.append(members)
                joined.update(members)
        return [[i] for i in range(len(query.terms)) if i not in joined] + slots

    def _belongs(self, index: int, plan: _Plan, qualities: list[float]) -> bool:
        """Whether a fact that holds the role a question asks of Mila holds it of Mila:
        "who is the director of Mila" is not answered by a co-director of a lab. Every
        fact is about Mila, so a role in a fact's text counts as Mila's unless it stands
        next to the name of something else that has a fact of its own; a tag says nothing
        of whose it is."""
        if plan.query.intent != "who":
            return True
        analysed = self._fact(index)
        for asked, owner in plan.pairs:
            if qualities[asked] and plan.everywhere[owner] and not plan.everywhere[asked]:
                term, of = plan.query.terms[asked], plan.query.terms[owner]
                fields = [f for f in analysed.fields if f.weight == _TEXT or f.quality(of) > 0]
                acted = (term.label, of.label) in plan.query.acted_on
                if not any(self._held_by(index, f, term, of, acted=acted) for f in fields if f.quality(term) > 0):
                    return False
        return True

    def _held_by(self, index: int, field: _Field, term: Term, owner: Term, *, acted: bool) -> bool:
        """Whether some place of a term in a field is nearer the owner than any other name;
        and, for a verb asked of its object (acted), not a thing the owner did: "Mila
        co-founded Climate Change AI" does not say who founded Mila ("Mila was founded by"
        would; "a Mila graduate" is a graduate of Mila, asked as "graduates of Mila")."""
        here = field.places(term)
        if -1 in here:
            return True
        owned = [p for p in field.places(owner) if p >= 0]
        stems = field.stems
        names = [
            (start, start + len(name), index in named)
            for name, named, _ in self._proper_names()
            if name <= field.stemset
            for start in _name_starts(stems, name)
            if not any(start <= p < start + len(name) for p in owned)  # Mila's full name
        ]
        others = [(start, end) for start, end, own in names if not own]
        if acted:
            # The owner just before the verb, and a name just after it: the owner did it
            # to that name. "Mila came into being in 2017" has no such name.
            here = [
                p
                for p in here
                if not (
                    any(0 < p - o <= _DOER and _PASSIVE.isdisjoint(stems[o + 1 : p]) for o in owned)
                    and any(0 < start - p <= _NEAR for start, _, _ in names)
                )
            ]
        for place in here:
            mine = min((abs(place - p) for p in owned), default=len(field.stems))
            theirs = min(
                (
                    start - place if place < start else place - end + 1
                    for start, end in others
                    if not start <= place < end
                ),
                default=len(field.stems),
            )
            if not (theirs <= _NEAR and theirs < mine):
                return True
        return False

    def _refers_to(self, term: Term) -> set[int]:
        """The facts that a term names: one of its forms is a fact's name or alias (its id
        does not count: graduate-students is not something with a name)."""
        found: set[int] = set()
        for form in term.forms:
            found.update(self._proper.get(frozenset(form), ()))
        return found

    def _titled(self, index: int, term: Term) -> bool:
        """Whether a fact holds a term in its names or tags, not only in its text."""
        return any(f.weight >= _TAG and f.quality(term) > 0 for f in self._fact(index).fields)

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
            found |= {i for i in having if any(holds(f.stems, form) for f in self._fact(i).fields)}
        return found

    def _with_other_sides(self, plan: _Plan, results: list[Result], category: str | None) -> list[Result]:
        """For a count question, every figure that disagrees with one found comes right
        after it, whatever its own score (which it keeps: it may match fewer words)."""
        if plan.query.intent != "count":
            return results
        out: list[Result] = []
        listed = {r.fact["id"] for r in results}
        for result in results:
            out.append(result)
            if not result.fits:
                continue
            for other in self.conflicts(result.fact):
                if other["id"] not in listed and (category is None or other["category"] == category):
                    listed.add(other["id"])
                    index = self._place(other["id"])
                    if index is None:
                        continue
                    own = self._result(index, plan)
                    out.append(Result(other, own.score if own else 0.0, fits=True, index=index))
        return out

    def _spans(self, index: int, terms: list[Term]) -> list[tuple[int, int]]:
        """Where the text's words that matched a term are, for highlighting."""
        analysed = self._fact(index)
        text_field = analysed.text
        wanted = {form[0] for t in terms for form in t.forms if len(form) == 1}
        phrases = [form for t in terms for form in t.forms if len(form) > 1]
        marked = [stem in wanted for stem in text_field.stems]
        for phrase in phrases:
            for start in _phrase_starts(text_field.stems, phrase):
                marked[start : start + len(phrase)] = [True] * len(phrase)
        return [span for span, hit in zip(analysed.spans, marked, strict=True) if hit]


def index_for(fact_set: FactSet) -> SearchIndex:
    """The search index of a set of facts, with the bundled vocabulary and every pack's
    own; the bundled parts come ready made when mila_cli/prepared.json still fits."""
    from mila_cli import prepared, vocabulary

    data = prepared.load()
    if data is not None and fact_set.vocabularies == [vocabulary.bundled_path()]:
        vocab = prepared.vocabulary(data)
    else:
        vocab = vocabulary.load(fact_set.vocabularies)
    index = SearchIndex(fact_set.facts, vocab, fact_set.conflicts, fact_set)
    if data is not None and fact_set.bundled_count == len(data["facts"]):
        index.imported(data["facts"], data["postings"])
        if len(fact_set.facts) == fact_set.bundled_count:  # no pack: the words are the bundled facts'
            index.prefill_words(prepared.corpus_words)
    return index


def _phrase_starts(stems: list[str], phrase: Phrase) -> list[int]:
    """Where a phrase of stems starts among a field's stems, in order."""
    n = len(phrase)
    first = phrase[0]
    return [i for i in range(len(stems) - n + 1) if stems[i] == first and tuple(stems[i : i + n]) == phrase]


def _name_starts(stems: list[str], name: frozenset[str]) -> list[int]:
    """Where a name starts among stems, its words in any order (names are kept as sets)."""
    n = len(name)
    return [i for i in range(len(stems) - n + 1) if stems[i] in name and frozenset(stems[i : i + n]) == name]


def _word_starts(text: str, word: str, most: int) -> list[int] | None:
    """Where word begins a word of text (a run of letters and digits, as a pack index
    counts them); None if it does more than most times. A word with anything but
    letters and digits begins none."""
    if not word or not RUN.fullmatch(word):
        return []
    found: list[int] = []
    if text.count(word) > 4 * most:
        # Common inside words ("ing"): look for it at word starts only, in C.
        for match in re.finditer(r"(?<![^\W_])" + re.escape(word), text):
            found.append(match.start())
            if len(found) > most:
                return None
        return found
    position = text.find(word)
    while position >= 0:
        if position == 0 or not text[position - 1].isalnum():
            found.append(position)
            if len(found) > most:
                return None
        position = text.find(word, position + 1)
    return found


def _has_form(text: str, word: str, stem: str) -> bool:
    """Whether text holds word, or a word with the same stem, as a whole word: "bengi"
    is not a form of "bengio", though it begins it."""
    position = text.find(stem)
    while position >= 0:
        if position == 0 or not text[position - 1].isalnum():
            end = position + len(stem)
            while end < len(text) and text[end].isalnum():
                end += 1
            found = text[position:end]
            if found == word or stem_en(found) == stem:
                return True
        position = text.find(stem, position + 1)
    return False


def _one_of(qualities: list[float]) -> float:
    """How well a fact holds one of several names asked about: its best, a little less
    when it holds only some of them (the fact that names both LISA and the RL-Lab first)."""
    if len(qualities) == 1:
        return qualities[0]
    return max(qualities) * (0.9 + 0.1 * sum(q > 0 for q in qualities) / len(qualities))


def _is_year(word: str) -> bool:
    """1000 to 2999, as a word: what a query may ask of a date."""
    return len(word) == 4 and word.isascii() and word.isdigit() and word[0] in "12"


def least_score(query: Query) -> float:
    """The least score a result needs when none is asked for: 60, less for a long query
    (4 for each term beyond three, not counting what is said by the way, down to 48)."""
    terms = sum(1 for term in query.terms if not term.aside)  # nor left out: that is by the way too
    return max(LONG_QUESTION_FLOOR, DEFAULT_MIN_SCORE - LONG_QUESTION_STEP * max(0, terms - 3))


def _term_weight(term: Term, hits: set[int], total: int, generic: frozenset[str], *, asked: bool) -> float:
    """How much a term counts: the rarer, the more; a generic word at most 1. One said
    by the way ("like fake faces", "I'm a journalist") counts nothing when no fact holds
    it, and at most 1 beside a question ("I'm a student, when was LISA founded"); with
    no question, what askers say of themselves may be what they ask about ("I'm doing
    a master's, could I do my research at Mila")."""
    if term.left_out or (term.aside and not hits):
        return 0.0
    weight = _weight(total, len(hits))
    return min(weight, GENERIC) if generic.issuperset(term.words) or (term.aside and asked) else weight


def _weight(total: int, found: int) -> float:
    """How telling a term is: rare ones count most; one found nowhere counts like the rarest."""
    return math.log(1 + total / max(found, 1))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []
