"""Words as search sees them: tokens, compounds, and English and French stems.

Text is folded first (text.fold: no accents, no case). Stemming uses the Snowball
stemmers through snowballstemmer, which runs PyStemmer's C code when it is
installed (a dependency on CPython); it is imported on first use, so only
search and name lookups pay for it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from mila_cli.text import WORD

# A number keeps its thousands separators out ("1,200" is one token, 1200); every
# other run of letters or digits is a word.
_TOKEN = re.compile(r"[0-9]{1,3}(?:[,.][0-9]{3})+(?![0-9])|[^\W_]+")
# A run of letters and digits (text.WORD): what search's candidate lookup counts as a
# word of a fact's text (a form "starts a word" where such a run begins with it).
RUN = re.compile(WORD)
# Words joined by hyphens are also one word without them: auto-encoders, RL-Lab, COVID-19.
# The look-behind starts a match only at a word's start: without it, a long text is
# tried again from every letter of every word.
_HYPHENATED = re.compile(r"(?<![^\W_])[^\W_]+(?:[-‐‑][^\W_]+)+")


def tokens(folded: str) -> list[str]:
    """The words of folded text, in order; separators dropped from numbers."""
    return [_token(t) for t in _TOKEN.findall(folded)]


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """Each word of a text, folded or not, with where it is: (start, end, the word)."""
    return [(m.start(), m.end(), _token(m.group())) for m in _TOKEN.finditer(text)]


def _token(word: str) -> str:
    return word.replace(",", "").replace(".", "") if word[0].isdigit() else word


def word_set(folded: str) -> set[str]:
    """Every distinct word of folded text and its hyphen-free compounds. The text is cut
    at spaces first (in C), and only the distinct pieces are read for words: in a large
    text most pieces repeat, and matching every one would take five times as long."""
    return words_of_pieces(set(folded.split()))


def words_of_pieces(pieces: Iterable[str]) -> set[str]:
    """word_set of a text cut at spaces, given its distinct pieces (a pack index gathers
    them fact by fact)."""
    found: set[str] = set()
    for piece in pieces:
        found.update(_TOKEN.findall(piece))
        if "-" in piece or "‐" in piece or "‑" in piece:
            found.update(re.sub(r"[-‐‑]", "", m) for m in _HYPHENATED.findall(piece))
    return {_token(word) for word in found}


def compounds(folded: str) -> list[str]:
    """Hyphenated words written as one (autoencoders, rllab, covid19), as people also type them."""
    return [re.sub(r"[-‐‑]", "", m) for m in _HYPHENATED.findall(folded)]


@functools.cache
def _stemmer(language: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(language)


# Where Snowball joins words that this domain keeps apart: researchers are people,
# research is what they do; to apply (to Mila) is not applied (machine learning).
_EN_EXCEPTIONS = {
    "researcher": "researcher",
    "researchers": "researcher",
    "apply": "apply",
    "applies": "apply",
    "applying": "apply",
    "opening": "opening",  # opening hours are not open source
    "openings": "opening",
}


# British spellings written the American way before stemming, so that generalising
# finds generalization and centre finds center. Endings, longest first.
_BRITISH = (
    ("isations", "izations"),
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("iser", "izer"),
    ("ise", "ize"),
    ("ysing", "yzing"),
    ("ysed", "yzed"),
    ("yse", "yze"),
    ("ellings", "elings"),
    ("elling", "eling"),
    ("elled", "eled"),
    ("ogue", "og"),
)
_BRITISH_WORDS = {
    "centre": "center",
    "centres": "centers",
    "centred": "centered",
    "behaviour": "behavior",
    "behaviours": "behaviors",
    "colour": "color",
    "labour": "labor",
    "favour": "favor",
    "honour": "honor",
    "neighbour": "neighbor",
    "programme": "program",
    "programmes": "programs",
    "fibre": "fiber",
}


def american(word: str) -> str:
    """A folded English word in American spelling (British -ise, -our, -re endings)."""
    if word in _BRITISH_WORDS:
        return _BRITISH_WORDS[word]
    if len(word) > 6:
        for british, us in _BRITISH:
            if word.endswith(british):
                return word[: -len(british)] + us
    return word


@functools.lru_cache(maxsize=1 << 16)
def stem_en(word: str) -> str:
    """The English stem of a folded word: founded, founders -> found, founder."""
    if len(word) < 3 or word.isdigit():
        return word
    if word in _EN_EXCEPTIONS:
        return _EN_EXCEPTIONS[word]
    stem: str = _stemmer("english").stemWord(american(word))
    return stem


@functools.lru_cache(maxsize=1 << 16)
def stem_fr(word: str) -> str:
    """The French stem of a folded word: chercheurs -> chercheur. Accents are already gone,
    which the stemmer tolerates: it was written for accented text, so a few endings
    stem less far than they would with accents."""
    if len(word) < 3 or word.isdigit():
        return word
    stem: str = _stemmer("french").stemWord(word)
    return stem


def stem_map_en(words: Iterable[str]) -> dict[str, str]:
    """English stems of many words at once: one call into the stemmer, not one per word."""
    unique = [w for w in set(words) if len(w) >= 3 and not w.isdigit()]
    mapped = dict(zip(unique, _stemmer("english").stemWords([american(w) for w in unique]), strict=True))
    mapped.update((w, s) for w, s in _EN_EXCEPTIONS.items() if w in mapped)
    return mapped


def stems_en(words: list[str]) -> tuple[str, ...]:
    return tuple(stem_en(w) for w in words)


def stems_fr(words: list[str]) -> tuple[str, ...]:
    return tuple(stem_fr(w) for w in words)
