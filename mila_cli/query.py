"""Reading a query: what kind of answer it wants, and the terms it is about.

"quand a été fondé le LISA?" becomes intent "when" and the terms fonde and lisa (each
with its forms: fonde finds founded, through the vocabulary):
question phrases set the intent, vocabulary phrases and words become terms that
carry their synonyms, stop words go, and every other word is a term of its own.
Before that, a word that neither the facts nor the vocabulary know is mended if
it can be: split (deeplearning), joined (multi modal) or read as the known word
it is a typo of (reinforcment), so that phrases form as if it had been typed well.
"""

from __future__ import annotations

import itertools
from typing import Any, Protocol

from mila_cli.language import stems_en, stems_fr, token_spans
from mila_cli.text import fold
from mila_cli.vocabulary import Phrase, Vocabulary

MAX_QUERY_WORDS = 32  # only the first words of a very long query count
_LONGEST_WORD = 40  # longer "words" are not mended

# Question words that also join clauses ("the people who run", "models that work when"):
# a phrase that starts with one sets the intent only at the start or end of the query.
_INTERROGATIVES = frozenset(
    "who whom whose when where what which how qui quand ou combien quel quelle quels quelles que qu quoi".split()
)

# Words that make "where" ask for an origin or a meeting point rather than a place.
_NOT_A_PLACE = frozenset(
    "come came comes originate originated originates invented born meets meet intersect intersection"
    " vient viennent provient nait naissance invente inventee inventes rencontre".split()  # folded: no accents
)

# Words that stand for the institute when a question names nothing else.
_PRONOUNS = frozenset("it its there they them their here il elle ils elles y la".split())

# How well a form of a term stands for what was typed.
EXACT = 1.0  # the word itself, or another form of it (founders for founded)
COGNATE = 0.9  # its French stem matches an English word (robotique, robotics)
SYNONYM = 0.9  # a word of the same vocabulary group (alumni for graduates)
TYPO = 0.85  # what a typo's stand-in is worth; one more edit costs 0.1 more


class Term:
    """Something the query is about, with every form that counts as finding it.

    Plain classes rather than dataclasses here and in search: importing dataclasses
    costs a millisecond, which every search would pay.
    """

    __slots__ = ("aside", "forms", "label", "left_out", "literal", "multi", "single", "words")

    def __init__(self, label: str, words: list[str], *, literal: bool = True) -> None:
        self.label = label  # the words as read, folded, for messages
        self.words = words  # the folded words it was made from
        self.literal = literal  # one word that no vocabulary group knows
        self.aside = False  # said by the way: in an example ("like fake faces") or about the asker
        self.left_out = False  # what the query excludes: "besides Bengio"
        self.forms: dict[Phrase, float] = {}  # stems (English; French for cognates) -> quality
        self.single: dict[str, float] = {}  # the one-word forms, by their stem
        self.multi: dict[Phrase, float] = {}  # the phrases

    def add(self, form: Phrase, quality: float) -> None:
        if quality > self.forms.get(form, 0.0):
            self.forms[form] = quality
            if len(form) == 1:
                self.single[form[0]] = quality
            else:
                self.multi[form] = quality


class Query:
    """What a query asks: its intent, its terms, and how its words were read."""

    __slots__ = (
        "acted_on",
        "alternatives",
        "asked_about",
        "corrected",
        "intent",
        "pairs",
        "present",
        "subject",
        "terms",
        "text",
    )

    def __init__(self, text: str, intent: str | None, terms: list[Term], subject: list[str]) -> None:
        self.text = text
        self.intent = intent
        self.terms = terms
        self.subject = subject  # the folded words after a "what is" phrase, for "what is X"
        self.corrected: dict[str, str] = {}  # word as typed -> the word it was read as
        self.present = False  # it asks what is true now ("today", "currently")
        self.asked_about: list[str] = []  # unknown words asked for as an attribute ("price of")
        self.pairs: list[tuple[str, str]] = []  # (term, the term it belongs to): "director of mila"
        self.acted_on: set[tuple[str, str]] = set()  # the pairs of a verb and its object: "founded mila"
        self.alternatives: list[list[str]] = []  # terms joined by and/or: "Theano and Myia"


class Known(Protocol):
    """What the facts contain, as the query reader asks it."""

    def has(self, word: str) -> bool: ...

    def words(self) -> set[str]: ...


def read(text: str, vocabulary: Vocabulary, corpus: Known) -> Query:
    """The intent and terms of a query, its unknown words mended where they can be."""
    folded = fold(text)
    spans = token_spans(folded)[:MAX_QUERY_WORDS]
    words = [word for _, _, word in spans]
    clauses = _clauses(folded, spans)
    # Each word's mark: asked about, said by the way, left out ("besides Bengio"), or
    # read as a stop word (the "besides" itself).
    marks = [
        out or (ASIDE if by else ASKED)
        for out, by in zip(_left_out(clauses, spans), _asides(clauses, spans), strict=True)
    ]
    words, marks = _decades(words, marks)
    words, marks, corrected, unknown = _mend(words, marks, vocabulary, corpus)
    query = parse(words, vocabulary, marks)
    query.text = text
    query.corrected = corrected
    query.asked_about = _asked_about(words, [m != ASKED for m in marks], unknown)
    return query


# Said by the way: clauses are cut at punctuation; these begin an example, greet, or
# begin what askers say of themselves; these end what they say of themselves. Word
# lists and str.translate rather than regular expressions: compiling those would cost
# every search a millisecond.
_CLAUSE_MARKS = frozenset(",;:!?()[]–—")
_CLAUSE_BREAKS = (" - ", " -- ", ". ")
_EXAMPLE = (
    ("like",),
    ("such", "as"),
    ("e", "g"),
    ("eg",),
    ("for", "example"),
    ("for", "instance"),
    ("comme",),
    ("par", "exemple"),
    ("genre",),
    ("tel", "que"),
    ("telle", "que"),
    ("notamment",),
)
_GREETING = frozenset({"hi", "hello", "hey", "so", "ok", "okay", "well", "bonjour", "salut", "alors", "bon"})
_ABOUT_ME = (
    ("i", "m"),
    ("im",),
    ("i", "am"),
    ("i", "just"),
    ("i", "was"),
    ("i", "ve"),
    ("my",),
    ("je", "suis"),
    ("j", "ai"),
    ("je", "viens"),
    ("moi",),
    ("mon",),
    ("ma",),
    ("mes",),
)
# What others said, before what is asked about it: "a friend told me GANs were ...",
# "I read somewhere that ...", "on m'a dit que ..."; it ends at "that" or "me".
_HEARSAY = (
    ("a", "friend"),
    ("my", "friend"),
    ("someone",),
    ("somebody",),
    ("i", "read"),
    ("i", "heard"),
    ("i", "saw"),
    ("people", "say"),
    ("they", "say"),
    ("un", "ami"),
    ("une", "amie"),
    ("quelqu", "un"),
    ("on", "m"),
    ("on", "dit"),
    ("j", "ai", "lu"),
    ("j", "ai", "entendu"),
)
_HEARSAY_END = frozenset({"that", "que", "qu", "me"})
_CLAUSE_END = frozenset({"and", "but", "so", "et", "mais", "donc"})


def _clauses(folded: str, spans: list[tuple[int, int, str]]) -> list[list[int]]:
    """The query's words (by place) cut into clauses at its punctuation."""
    breaks = [i for i, c in enumerate(folded) if c in _CLAUSE_MARKS]
    for mark in _CLAUSE_BREAKS:
        at = folded.find(mark)
        while at != -1:
            breaks.append(at + len(mark) // 2)
            at = folded.find(mark, at + 1)
    # Not a mark inside a word: the comma of 1,200.
    breaks = sorted(p for p in breaks if not any(a <= p < b for a, b, _ in spans))
    clauses: list[list[int]] = [[]]
    passed = 0
    for index, (start, _, _) in enumerate(spans):
        if passed < len(breaks) and breaks[passed] < start:
            while passed < len(breaks) and breaks[passed] < start:
                passed += 1
            clauses.append([])
        clauses[-1].append(index)
    return [c for c in clauses if c]


def _asides(clauses: list[list[int]], spans: list[tuple[int, int, str]]) -> list[bool]:
    """Which words of a query are said by the way: an example after "like", "such as" or
    "comme" ("..., like fake faces"), what askers say of themselves before asking ("I'm
    a journalist and ...", "je suis étudiante, ..."), and who told them ("a friend told
    me ...", "I read somewhere that ..."). They may miss from an answer at little cost;
    a word no fact holds there costs nothing."""
    aside = [False] * len(spans)
    for number, clause in enumerate(clauses):
        words = [spans[i][2] for i in clause]
        end = 0
        if _starts(words, _EXAMPLE) and number > 0 and _INTERROGATIVES.isdisjoint(words):
            # Not a query that opens with "like", nor a question: "..., like how many ...".
            end = len(words)
        else:
            start = 0
            while start < len(words) and words[start] in _GREETING:
                start += 1
            said_by = [i for i in range(start + 1, len(words)) if words[i] in _HEARSAY_END]
            if _starts(words[start:], _HEARSAY) and said_by:
                end = said_by[0] + 1
            elif _starts(words[start:], _ABOUT_ME):
                # "i'm a journalist and ...": up to the "and"; a clause of its own ("i just
                # defended my phd, ..."), whole, unless it is the whole query.
                ends = [i for i in range(start + 1, len(words)) if words[i] in _CLAUSE_END]
                end = ends[0] if ends else (len(words) if len(clauses) > 1 else 0)
        for i in clause[:end]:
            aside[i] = True
    return aside


# What is left out of a question: "besides Bengio, who ...", "à part Bengio", "other than
# deep learning". Not "a part of" or "a part in", which are English.
_BESIDES = (
    ("besides",),
    ("apart", "from"),
    ("aside", "from"),
    ("other", "than"),
    ("except",),
    ("excluding",),
    ("a", "part"),
    ("sauf",),
    ("hormis",),
    ("outre",),
    ("en", "dehors", "de"),
    ("autre", "que"),
    ("autres", "que"),
)
_NOT_BESIDES = frozenset({"of", "in", "du", "de", "des", "d"})


def _left_out(clauses: list[list[int]], spans: list[tuple[int, int, str]]) -> list[int]:
    """Which words a query leaves out of what it asks (LEFT_OUT): from "besides", "other
    than" or "à part" (QUIET) to the end of the clause or its question word ("besides
    Yoshua Bengio who ..."); the others are ASKED, for now."""
    out = [ASKED] * len(spans)
    for clause in clauses:
        words = [spans[i][2] for i in clause]
        for at in range(len(words)):
            opening = next((o for o in _BESIDES if tuple(words[at : at + len(o)]) == o), None)
            after = at + len(opening) if opening else len(words)
            if after >= len(words) or (opening == ("a", "part") and words[after] in _NOT_BESIDES):
                continue
            for k in range(at, after):
                out[clause[k]] = QUIET  # the opening itself: words with no subject
            for k in range(after, len(words)):
                if words[k] in _INTERROGATIVES:
                    break
                out[clause[k]] = LEFT_OUT
    return out


def _starts(words: list[str], openings: tuple[tuple[str, ...], ...]) -> bool:
    return any(tuple(words[: len(opening)]) == opening for opening in openings)


def decade_years(word: str) -> range:
    """The years of a decade as people write it (1990s, 90s, "années 90" read as 90s);
    none for any other word. Two digits are the 1900s from 30 on, else the 2000s."""
    digits = word[:-1]
    if not (word.endswith("0s") and digits.isascii() and digits.isdigit() and len(digits) in (2, 4)):
        return range(0)
    if len(digits) == 2:
        digits = ("19" if digits[0] >= "3" else "20") + digits
    elif digits[:2] not in ("18", "19", "20"):
        return range(0)  # "1000s of students" is no decade
    start = int(digits)
    return range(start, start + 10)


def _decades(words: list[str], marks: list[int]) -> tuple[list[str], list[int]]:
    """French decades written as words ("les années 90", "années 1990") as one word, 90s;
    with each word's mark (see read): two words made one keep the lesser."""
    out: list[str] = []
    kept: list[int] = []
    for word, mark in zip(words, marks, strict=True):
        if out and out[-1] == "annees" and decade_years(word + "s"):
            out[-1] = word + "s"
            kept[-1] = min(kept[-1], mark)
        else:
            out.append(word)
            kept.append(mark)
    return out, kept


# Words that tie an attribute to what it belongs to: "the price OF the book", "le
# salaire D'un stagiaire", "mila'S budget".
_OF = frozenset({"of", "de", "d", "du", "des"})


def _asked_about(words: list[str], aside: list[bool], unknown: set[str]) -> list[str]:
    """Unknown words that the query asks for as an attribute of something: "price of the
    textbook", "mila's budget". A fact about the textbook does not answer its price. Not
    one said by the way: "I'm a big fan of GANs" asks nothing of fans."""
    found = []
    for i, word in enumerate(words):
        if word not in unknown or aside[i]:
            continue
        if (i + 1 < len(words) and words[i + 1] in _OF) or (i > 0 and words[i - 1] == "s"):
            found.append(word)
    return found


# A word's mark (see read): what the query does with it.
ASKED, ASIDE, LEFT_OUT, QUIET = 0, 1, 2, 3


def parse(words: list[str], vocabulary: Vocabulary, marks: list[int] | None = None) -> Query:
    """What words ask: the intent, the terms and how the terms relate. marks tells, word
    by word, whether it is asked about, said by the way, left out ("besides Bengio") or
    read as a stop word ("besides"); all are asked about when not given."""
    marks = marks or [ASKED] * len(words)
    en = stems_en(words)
    fr = stems_fr(words)
    intents: list[str] = []
    present = False
    terms: list[Term] = []
    spans: list[tuple[int, int]] = []  # where each term is among the words
    for start, size, kind, found in _segments(words, en, fr, vocabulary):
        these = marks[start : start + size]
        if kind == "cue" and ASKED not in these:
            continue  # "I'm starting a master's next year, could I ...": not a "when"
        if kind == "cue":
            # A question word leads when only stop words, or words said by the way ("je
            # suis étudiante, qui ..."), come before it.
            before = range(start)
            leading = all(words[i] in vocabulary.stopwords or marks[i] for i in before) or start + size == len(words)
            if found == "now":
                present = True
            elif leading or words[start] not in _INTERROGATIVES:
                intents.append(found)
            continue
        if all(m == QUIET for m in these) or (kind != "group" and words[start] in vocabulary.stopwords):
            continue
        if kind == "group":
            term = _grouped(words[start : start + size], en[start : start + size], found, vocabulary)
        else:
            term = _word_term(words[start], en[start], fr[start])
        term.aside = ASKED not in these
        term.left_out = all(m == LEFT_OUT for m in these)
        terms.append(term)
        spans.append((start, start + size))
    pairs = _belongings(words, terms, spans)
    acted_on = _acted_on(words, terms, spans)
    alternatives = _coordinated(words, terms, spans)
    # "what does X stand for" is a question about a name; "what is X" only when
    # nothing more telling was asked.
    intent = next((x for x in intents if x != "what"), intents[0] if intents else None)
    if intent == "where" and not _NOT_A_PLACE.isdisjoint(words):
        # "where did GANs come from", "where neuroscience meets AI": an origin or a
        # meeting point, not a place to find on a map.
        intent = None
    terms = _dedupe(terms)
    if not terms and intent in ("when", "count", "where") and not _PRONOUNS.isdisjoint(words):
        # "what city is it in", "when did it open": a question about "it" that names
        # nothing is about Mila, the subject of every fact here.
        terms = [_grouped(["mila"], ("mila",), vocabulary.groups_for(("mila",), ("mila",)), vocabulary)]
    # What "what is X" asks about: not what is said by the way ("I'm a student, what is LISA").
    subject = [w for t in terms if not t.aside for w in t.words] if intent in ("what", "expand") else []
    query = Query(" ".join(words), intent, terms, subject)
    query.present = present
    query.pairs = [(a.label, b.label) for a, b in pairs]
    query.acted_on = {(a.label, b.label) for a, b in acted_on}
    query.alternatives = [list(dict.fromkeys(t.label for t in chain)) for chain in alternatives]
    return query


# Words that may stand between a thing and what it is said of: "the head OF THE lab".
_ARTICLES = frozenset({"the", "a", "an", "le", "la", "l", "les", "un", "une"})
_BETWEEN = _OF | _ARTICLES


def _acted_on(words: list[str], terms: list[Term], spans: list[tuple[int, int]]) -> list[tuple[Term, Term]]:
    """Pairs of terms next to each other, but for articles, with no "of" between: a verb
    and its object ("founded mila", "fondé le RL-Lab"), as (the verb, the object)."""
    return [
        (terms[i], terms[i + 1])
        for i in range(len(terms) - 1)
        if set(words[spans[i][1] : spans[i + 1][0]]) <= _ARTICLES
    ]


def _belongings(words: list[str], terms: list[Term], spans: list[tuple[int, int]]) -> list[tuple[Term, Term]]:
    """Pairs of terms where one is said of the other: "the director of mila", "mila's
    director", "le directeur de mila", "who leads mila", as (what is asked, of what)."""
    pairs = []
    for i in range(len(terms) - 1):
        between = words[spans[i][1] : spans[i + 1][0]]
        if between == ["s"]:  # the possessive: mila's director, mila's scientific director
            pairs.append((terms[i + 1], terms[i]))
            j = i + 2
            while j < len(terms) and spans[j - 1][1] == spans[j][0]:
                pairs.append((terms[j], terms[i]))
                j += 1
        elif set(between) <= _BETWEEN:  # "director of mila", "directs mila", "leads the lab"
            pairs.append((terms[i], terms[i + 1]))
    # Said of something said of a third is said of that too: "le directeur scientifique DE mila".
    for a, b in list(pairs):
        pairs += [(a, d) for c, d in pairs if c is b and d is not a and (a, d) not in pairs]
    return pairs


_COORDINATORS = frozenset({"and", "or", "vs", "versus", "et", "ou"})


def _coordinated(words: list[str], terms: list[Term], spans: list[tuple[int, int]]) -> list[list[Term]]:
    """Runs of terms joined by and/or ("LISA or the RL-Lab", "Theano et Myia"): each
    may be what is asked about, not only a fact that holds them all."""
    chains: list[list[Term]] = []
    for i in range(len(terms) - 1):
        between = words[spans[i][1] : spans[i + 1][0]]
        if between and not _COORDINATORS.isdisjoint(between) and set(between) <= _COORDINATORS | _BETWEEN:
            if chains and chains[-1][-1] is terms[i]:
                chains[-1].append(terms[i + 1])
            else:
                chains.append([terms[i], terms[i + 1]])
    return chains


def _segments(words: list[str], en: Phrase, fr: Phrase, vocabulary: Vocabulary) -> list[tuple[int, int, str, Any]]:
    """The query cut into question phrases, vocabulary phrases and single words, so
    that as few terms as possible remain: "work with the public sector" reads as
    [work with] the [public sector], not [work with] [the public] [sector]."""
    n = len(words)
    best: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)  # (cost from here on, -words in phrases)
    choice: list[tuple[int, str, Any]] = [(1, "word", None)] * n
    for i in range(n - 1, -1, -1):
        options: list[tuple[float, int, str, Any]] = []  # (cost, size, kind, what it found)
        for size in range(min(vocabulary.longest_cue, n - i), 0, -1):
            cue = vocabulary.cues.get(tuple(words[i : i + size]))
            if cue:
                # A one-word cue ("year") yields to a phrase that holds it ("every year").
                options.append((0.0 if size > 1 else 0.6, size, "cue", cue))
        stop = words[i] in vocabulary.stopwords
        for size in range(min(vocabulary.longest_term, n - i), 1 if stop else 0, -1):
            groups = vocabulary.groups_for(en[i : i + size], fr[i : i + size])
            if groups:
                options.append((0.5 if size > 1 else 1.0, size, "group", groups))
        if not any(kind == "cue" and size == 1 for _, size, kind, _ in options):
            options.append((0.0 if stop else 1.0, 1, "word", None))
        scored = []
        for cost, size, kind, found in options:
            rest = best[i + size]
            scored.append(((cost + rest[0], rest[1] - (size if size > 1 else 0)), size, kind, found))
        key, size, kind, found = min(scored, key=lambda s: (s[0], -s[1]))
        best[i] = key
        choice[i] = (size, kind, found)
    out = []
    i = 0
    while i < n:
        size, kind, found = choice[i]
        out.append((i, size, kind, found))
        i += size
    return out


def _word_term(word: str, en: str, fr: str) -> Term:
    """A term for one word: itself, its French stem when it differs (robotique), and for
    a decade, its years."""
    term = Term(word, [word])
    term.add((en,), EXACT)
    if len(fr) >= 4 and fr != en:
        term.add((fr,), COGNATE)
    for year in decade_years(word):
        term.add((str(year),), EXACT)
    return term


def _grouped(words: list[str], en: Phrase, groups: set[int], vocabulary: Vocabulary) -> Term:
    term = Term(" ".join(words), list(words), literal=False)
    term.add(en, EXACT)
    for group in groups:
        for form in vocabulary.forms(group):
            term.add(form, SYNONYM)
    return term


def _dedupe(terms: list[Term]) -> list[Term]:
    """Each term once; said by the way only if it is every time it is said."""
    seen: dict[str, Term] = {}
    for term in terms:
        if term.label in seen:
            seen[term.label].aside = seen[term.label].aside and term.aside
            seen[term.label].left_out = seen[term.label].left_out and term.left_out
        else:
            seen[term.label] = term
    return list(seen.values())


# Mending unknown words -----------------------------------------------------------


class _Lexicon:
    """What words the facts and the vocabulary know, asked once per query and word."""

    def __init__(self, vocabulary: Vocabulary, corpus: Known) -> None:
        self.vocabulary = vocabulary
        self.corpus = corpus
        self._known: dict[str, bool] = {}
        self._sorted: list[str] = []
        self._all_words: set[str] | None = None

    def known(self, word: str) -> bool:
        """Whether the vocabulary or some fact uses this word or a form of it."""
        if word not in self._known:
            vocabulary = self.vocabulary
            self._known[word] = (
                word in vocabulary.stopwords
                or word in vocabulary.cue_words
                or word.isdigit()
                or vocabulary.knows(word)  # first: asking the facts may mean listing their words
                or self.corpus.has(word)
            )
        return self._known[word]

    @property
    def _all(self) -> set[str]:
        """What a typo may be a typo of, gathered on first use."""
        if self._all_words is None:
            vocabulary = self.vocabulary
            self._all_words = self.corpus.words() | vocabulary.words | vocabulary.stopwords | vocabulary.cue_words
        return self._all_words

    def candidates(self) -> list[str]:
        """Every candidate, sorted: ties break alike every run."""
        if not self._sorted:
            self._sorted = sorted(self._all)
        return self._sorted

    def of_lengths(self, shortest: int, longest: int) -> list[str]:
        """The candidates of these lengths, shortest first and then in order: the same
        order every run. Only they are sorted, not all ten thousand."""
        found = sorted(w for w in self._all if shortest <= len(w) <= longest)
        found.sort(key=len)  # stable: in order within each length
        return found

    def is_word(self, part: str) -> bool:
        """A word as it is, for the halves of a split: a set lookup, where asking the facts
        of every cut of a long word would search all their text each time."""
        return part in self._all or self.vocabulary.knows(part)


def _mend(
    words: list[str], marks: list[int], vocabulary: Vocabulary, corpus: Known
) -> tuple[list[str], list[int], dict[str, str], set[str]]:
    """The words with typos mended, with their marks (see read: a word split keeps its
    mark, two joined the lesser), what was mended, and the words left unknown."""
    lexicon = _Lexicon(vocabulary, corpus)
    known = lexicon.known
    out: list[str] = []
    kept: list[int] = []
    corrected: dict[str, str] = {}
    unknown: set[str] = set()
    i = 0
    while i < len(words):
        word = words[i]
        mark = marks[i]
        if len(word) > _LONGEST_WORD:
            out.append(word)  # no real word is this long: nothing to mend, and mending it would be slow
            kept.append(mark)
            unknown.add(word)
            i += 1
            continue
        is_known = known(word)
        if is_known or len(word) < 3 or vocabulary.is_common(word):
            # A real word that no fact uses is not a typo of one that some fact does:
            # funds is not founds, admission is not emission.
            out.append(word)
            kept.append(mark)
            if not is_known:
                unknown.add(word)
            i += 1
            continue
        leading = all(w in vocabulary.stopwords for w in out)
        meant = (
            (_question_typo(word) if leading else None)
            or _typo(word, set(words), lexicon)
            or _derived(word, lexicon.candidates(), vocabulary)
        )
        if meant is None:
            # Two words run together (deeplearning), or one split in two (multi modal).
            split = next(
                (
                    (word[:k], word[k:])
                    for k in range(3, len(word) - 2)
                    if lexicon.is_word(word[:k]) and lexicon.is_word(word[k:])
                ),
                None,
            )
            if split is not None:
                meant = " ".join(split)
            elif i + 1 < len(words) and known(word + words[i + 1]):
                meant = word + words[i + 1]
                word = f"{word} {words[i + 1]}"
                mark = min(mark, marks[i + 1])
                i += 1
        if meant is not None:
            corrected[word] = meant
            out.extend(meant.split())
            kept.extend([mark] * len(meant.split()))
        else:
            out.append(word)
            kept.append(mark)
            unknown.add(word)
        i += 1
    return out, kept, corrected, unknown


def _edits_allowed(word: str) -> int:
    return 1 if len(word) <= 7 else 2


def _short_typo(typed: str, known: str) -> bool:
    """For words of five letters or fewer, only the slips that rarely make another real
    word: two letters swapped (mlia), a letter doubled (myiaa) or undoubled (mcgil),
    and, in five-letter words, one letter left out (vison). A changed letter is not
    allowed (cope is not a typo of core), nor a dropped one in four letters (fund is
    not found)."""
    if len(typed) == len(known):
        diff = [k for k in range(len(typed)) if typed[k] != known[k]]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and typed[diff[0]] == known[diff[1]]
            and typed[diff[1]] == known[diff[0]]
        )
    longer, shorter = (typed, known) if len(typed) > len(known) else (known, typed)
    if len(longer) != len(shorter) + 1:
        return False
    for k in range(len(longer)):
        if longer[:k] + longer[k + 1 :] == shorter:
            doubled = (k > 0 and longer[k] == longer[k - 1]) or (k + 1 < len(longer) and longer[k] == longer[k + 1])
            return doubled or (longer is known and len(typed) == 5)
    return False


def _typo(word: str, typed: set[str], lexicon: _Lexicon) -> str | None:
    """The known word this one is most likely a mistyping of, if any is close enough."""
    if len(word) < 4 or word.isdigit():
        return None
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import extract

    limit = _edits_allowed(word)
    best: tuple[int, int, str] | None = None
    choices = lexicon.of_lengths(len(word) - limit, len(word) + limit)  # an edit changes the length by one at most
    for candidate, distance, _ in extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=12):
        if candidate in typed or len(candidate) < 3:
            continue  # never turn one word of the query into another
        if len(word) <= 5 and not _short_typo(word, candidate):
            continue
        rank = (int(distance), -len(candidate), candidate)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def _derived(word: str, candidates: list[str], vocabulary: Vocabulary) -> str | None:
    """A known word from the same root that the stemmer does not join (recognise and
    recognition, simulator and simulation): one that shares a long beginning with it.
    The beginning must be six letters or more and most of the shorter word, so that
    generative is not taken for generalization. candidates is sorted: only the words
    that share the first six letters are looked at, in the same order every run."""
    if len(word) < 6:
        return None
    import bisect

    best: tuple[int, str] | None = None
    start = bisect.bisect_left(candidates, word[:6])
    for known in itertools.takewhile(lambda w: w.startswith(word[:6]), itertools.islice(candidates, start, None)):
        if known in vocabulary.stopwords:
            continue
        shared = 0
        for a, b in zip(word, known, strict=False):
            if a != b:
                break
            shared += 1
        if shared >= 6 and shared >= 0.75 * min(len(word), len(known)) and (best is None or shared > best[0]):
            best = (shared, known)
    return best[1] if best else None


def _question_typo(word: str) -> str | None:
    """A mistyped question word (wen, wher, quan): same first letter, one edit away. Only
    where a question word goes, at the start: "quad robots" is not "quand robots"."""
    if len(word) < 3:
        return None
    from rapidfuzz.distance import OSA

    close = [
        cue
        for cue in _INTERROGATIVES
        if len(cue) >= 4 and cue[0] == word[0] and abs(len(cue) - len(word)) <= 1 and OSA.distance(word, cue) <= 1
    ]
    return max(close, key=len) if close else None
