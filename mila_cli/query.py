"""Reading a query: what kind of answer it wants, and the terms it is about.

"quand a été fondé le LISA?" becomes intent "when" and the terms [found, lisa]:
question phrases set the intent, vocabulary phrases and words become terms that
carry their synonyms, stop words go, and every other word is a term of its own.
Before that, a word that neither the facts nor the vocabulary know is mended if
it can be: split (deeplearning), joined (multi modal) or read as the known word
it is a typo of (reinforcment), so that phrases form as if it had been typed well.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from mila_cli.language import stems_en, stems_fr, tokens
from mila_cli.text import fold
from mila_cli.vocabulary import Phrase, Vocabulary

T = TypeVar("T")
MAX_QUERY_WORDS = 32  # only the first words of a very long query count

# Question words that also join clauses ("the people who run", "models that work when"):
# a phrase that starts with one sets the intent only at the start or end of the query.
_INTERROGATIVES = frozenset(
    "who whom whose when where what which how qui quand ou combien quel quelle quels quelles que qu quoi".split()
)

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

    __slots__ = ("forms", "label", "literal", "multi", "single", "words")

    def __init__(self, label: str, words: list[str], *, literal: bool = True) -> None:
        self.label = label  # the words as read, folded, for messages
        self.words = words  # the folded words it was made from
        self.literal = literal  # one word that no vocabulary group knows
        self.forms: dict[Phrase, float] = {}  # English stems -> quality
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

    __slots__ = ("corrected", "intent", "subject", "terms", "text")

    def __init__(self, text: str, intent: str | None, terms: list[Term], subject: list[str]) -> None:
        self.text = text
        self.intent = intent
        self.terms = terms
        self.subject = subject  # the folded words after a "what is" phrase, for "what is X"
        self.corrected: dict[str, str] = {}  # word as typed -> the word it was read as


class Known(Protocol):
    """What the facts contain, as the query reader asks it."""

    def has(self, word: str) -> bool: ...

    def words(self) -> set[str]: ...


def read(text: str, vocabulary: Vocabulary, corpus: Known) -> Query:
    """The intent and terms of a query, its unknown words mended where they can be."""
    words = tokens(fold(text))[:MAX_QUERY_WORDS]
    words, corrected = _mend(words, vocabulary, corpus)
    query = parse(words, vocabulary)
    query.text = text
    query.corrected = corrected
    return query


def parse(words: list[str], vocabulary: Vocabulary) -> Query:
    en = stems_en(words)
    fr = stems_fr(words)
    intent: str | None = None
    subject: list[str] = []
    terms: list[Term] = []
    i = 0
    while i < len(words):
        # A question phrase, longest first ("how many" before "how").
        cue = _longest(words, i, vocabulary.longest_cue, 1, vocabulary.cues.get)
        if cue is not None:
            size, found = cue
            leading = all(w in vocabulary.stopwords for w in words[:i]) or i + size == len(words)
            if leading or words[i] not in _INTERROGATIVES:
                if intent is None or (intent == "what" and found != "what"):
                    intent = found
                if found == "what" and not subject:
                    subject = [w for w in words[i + size :] if w not in vocabulary.stopwords]
            i += size
            continue
        # A vocabulary phrase, longest first ("global warming" before "global"); a
        # stop word alone is never a term, even one that some group lists.
        smallest = 2 if words[i] in vocabulary.stopwords else 1
        group = _longest(words, i, vocabulary.longest_term, smallest, _group_finder(vocabulary, en, fr, i))
        if group is not None:
            size, groups = group
            terms.append(_grouped(words[i : i + size], en[i : i + size], groups, vocabulary))
            i += size
            continue
        word = words[i]
        i += 1
        if word in vocabulary.stopwords:
            continue
        term = Term(word, [word])
        term.add((en[i - 1],), EXACT)
        if len(fr[i - 1]) >= 4 and fr[i - 1] != en[i - 1]:
            term.add((fr[i - 1],), COGNATE)
        terms.append(term)
    return Query(" ".join(words), intent, _dedupe(terms), subject)


def _longest(
    words: list[str], start: int, longest: int, smallest: int, find: Callable[[Phrase], T | None]
) -> tuple[int, T] | None:
    """The longest phrase starting at start that find knows, with what it found."""
    for size in range(min(longest, len(words) - start), smallest - 1, -1):
        hit = find(tuple(words[start : start + size]))
        if hit:
            return size, hit
    return None


def _group_finder(vocabulary: Vocabulary, en: Phrase, fr: Phrase, start: int) -> Callable[[Phrase], set[int]]:
    """Looks up, by their stems, the words of a phrase that starts at start."""
    return lambda phrase: vocabulary.groups_for(en[start : start + len(phrase)], fr[start : start + len(phrase)])


def _grouped(words: list[str], en: Phrase, groups: set[int], vocabulary: Vocabulary) -> Term:
    term = Term(" ".join(words), list(words), literal=False)
    term.add(en, EXACT)
    for group in groups:
        for form in vocabulary.forms(group):
            term.add(form, SYNONYM)
    return term


def _dedupe(terms: list[Term]) -> list[Term]:
    seen: set[str] = set()
    out = []
    for term in terms:
        if term.label not in seen:
            seen.add(term.label)
            out.append(term)
    return out


# Mending unknown words -----------------------------------------------------------


def _mend(words: list[str], vocabulary: Vocabulary, corpus: Known) -> tuple[list[str], dict[str, str]]:
    def known(word: str) -> bool:
        return (
            word in vocabulary.stopwords
            or word in vocabulary.cue_words
            or vocabulary.knows(word)
            or corpus.has(word)
            or word.isdigit()
        )

    out: list[str] = []
    corrected: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        if known(word) or len(word) < 3:
            out.append(word)
            i += 1
            continue
        meant = _question_typo(word, vocabulary) or _typo(word, set(words), vocabulary, corpus)
        if meant is None:
            # Two words run together (deeplearning), or one split in two (multi modal).
            split = next(
                ((word[:k], word[k:]) for k in range(3, len(word) - 2) if known(word[:k]) and known(word[k:])),
                None,
            )
            if split is not None:
                meant = " ".join(split)
            elif i + 1 < len(words) and known(word + words[i + 1]):
                meant = word + words[i + 1]
                word = f"{word} {words[i + 1]}"
                i += 1
        if meant is not None:
            corrected[word] = meant
            out.extend(meant.split())
        else:
            out.append(word)
        i += 1
    return out, corrected


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


def _typo(word: str, typed: set[str], vocabulary: Vocabulary, corpus: Known) -> str | None:
    """The known word this one is most likely a mistyping of, if any is close enough."""
    if len(word) < 4 or word.isdigit():
        return None
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import extract

    choices = list(corpus.words() | vocabulary.words)
    limit = _edits_allowed(word)
    best: tuple[int, int, str] | None = None
    for candidate, distance, _ in extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=12):
        if candidate in typed or candidate in vocabulary.stopwords or len(candidate) < 3:
            continue  # never turn one word of the query into another, or into nothing
        if len(word) <= 5 and not _short_typo(word, candidate):
            continue
        rank = (int(distance), -len(candidate), candidate)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def _question_typo(word: str, vocabulary: Vocabulary) -> str | None:
    """A mistyped question word (wen, wher): same first letter, one edit away."""
    if len(word) < 3:
        return None
    from rapidfuzz.distance import OSA

    close = [
        cue
        for cue in vocabulary.question_words
        if len(cue) >= 4 and cue[0] == word[0] and abs(len(cue) - len(word)) <= 1 and OSA.distance(word, cue) <= 1
    ]
    return max(close, key=len) if close else None
