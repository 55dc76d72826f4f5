"""The search vocabulary: how people phrase things, kept apart from the facts.

A vocabulary file (facts/vocabulary.json, or a pack's own vocabulary.json) holds
  stopwords  words that carry no subject, per language ("the", "de");
  questions  the phrases that say what kind of answer is wanted (who, when, count,
             where, what), per language;
  groups     words and phrases that mean the same thing in this domain, in English
             and French (founded / started / fonder / créer).
It is search data: it widens what a query finds and is never shown as a fact.
Files are read only when a search or a name lookup needs them, and the tables of
stems are built on first use.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from mila_cli.errors import DataError
from mila_cli.facts import MAX_SLUG, VOCABULARY_FILE, is_slug, read_json
from mila_cli.language import RUN, stem_en, stem_fr, stem_map_en, stems_fr, tokens
from mila_cli.layout import bundled_dir
from mila_cli.text import fold

# What a question asks for; "now" marks a question about the present, whatever it asks.
INTENTS = ("who", "when", "count", "where", "what", "expand", "duration", "now")
# A single French stem shorter than this matches English words by accident: "visas"
# stems to "vis" like "vise", "profit" to "prof" like "profs".
_SHORTEST_FRENCH_STEM = 5
LANGUAGES = ("en", "fr")
_ALLOWED_KEYS = {"$schema", "description", "stopwords", "generic", "common", "questions", "groups"}
Phrase = tuple[str, ...]
# Terms by their stems joined with spaces ("reinforc learn"), each with its groups.
Tables = tuple[dict[str, list[int]], dict[str, list[int]]]
Lookup = Callable[[str], Sequence[int]]  # a phrase's groups; none if it is no term
# What a typo is checked against: the terms' words, the common words, the common words' English stems.
WordLists = tuple[frozenset[str], frozenset[str], frozenset[str]]


def packed_table(table: dict[str, list[int]]) -> str:
    """A table as one string, for PackedTable: a line per phrase, its groups after a tab."""
    return "".join(f"\n{phrase}\t{','.join(map(str, groups))}" for phrase, groups in table.items()) + "\n"


class PackedTable:
    """A phrase -> groups table read from one string (packed_table), looked up with
    str.find: parsing the prepared tables into dicts of lists would cost each search more
    than a millisecond, and a search looks up a few dozen phrases."""

    def __init__(self, text: str) -> None:
        self._text = text

    def get(self, phrase: str) -> Sequence[int]:
        if "\n" in phrase or "\t" in phrase:  # no term has one; it would read across lines
            return ()
        start = self._text.find(f"\n{phrase}\t")
        if start < 0:
            return ()
        start += len(phrase) + 2
        return [int(group) for group in self._text[start : self._text.index("\n", start)].split(",")]


class Group(NamedTuple):
    id: str
    en: tuple[str, ...]
    fr: tuple[str, ...]


class Vocabulary:
    """Stop words, question phrases and synonym groups, merged from every loaded file."""

    def __init__(
        self,
        stopwords: Iterable[str],
        cues: dict[Phrase, str],
        groups: Sequence[Group],
        generic: Iterable[str] = (),
        common: Iterable[str] = (),
    ) -> None:
        self.stopwords = frozenset(stopwords)
        self.generic = frozenset(generic)  # words that tell little about which fact is meant
        self.cues = cues  # folded words of a question phrase -> intent
        self.groups = list(groups)
        self.longest_cue = max((len(c) for c in cues), default=0)
        self.cue_words = frozenset(w for cue in cues for w in cue)
        self.question_words = frozenset(cue[0] for cue in cues if len(cue) == 1)
        self._forms: dict[int, list[Phrase]] = {}
        self._read_words: Callable[[], WordLists] | None = None
        self._common = frozenset(common)  # everyday words, read from the files (see common)

    # What the terms are as stems. Worked out on first use, or handed over ready made
    # (mila_cli.prepared) for the bundled vocabulary.

    def prefill(
        self,
        *,
        words: Callable[[], WordLists],
        stems: tuple[frozenset[str], frozenset[str]],
        tables: tuple[Lookup, Lookup],
        forms: list[list[str]],
        longest: int,
        stop_stems: frozenset[str],
    ) -> None:
        """Take derived data worked out ahead of time for exactly these groups; the words,
        the common words and their stems (for typos only) are read when first asked for."""
        self._read_words = words
        self.__dict__.update(
            _stems=stems, _lookups=tables, _form_keys=forms, longest_term=longest, stop_stems=stop_stems
        )

    @functools.cached_property
    def stop_stems(self) -> frozenset[str]:
        """The stop words and their English stems: what a fact's words are not counted by."""
        return frozenset(stem_map_en(self.stopwords).values()) | self.stopwords

    def stems(self) -> tuple[frozenset[str], frozenset[str]]:
        return self._stems

    def tables(self) -> Tables:
        return self._tables

    @functools.cached_property
    def _lookups(self) -> tuple[Lookup, Lookup]:
        """How groups_for finds a phrase's groups: in the tables, or prepared ones (prefill)."""
        by_en, by_fr = self._tables
        return (lambda phrase: by_en.get(phrase, ())), (lambda phrase: by_fr.get(phrase, ()))

    def forms_of(self, group: int) -> list[str]:
        return self._form_keys[group]

    @functools.cached_property
    def _tables(self) -> Tables:
        """Every term by its English stems (how facts are indexed) and, for French terms,
        by its French stems too; each with the groups it belongs to."""
        english = stem_map_en(self.words)
        by_en: dict[str, list[int]] = {}
        by_fr: dict[str, list[int]] = {}
        for index, french, words in self._terms:
            if not words:
                continue
            _put(by_en, " ".join(english.get(w, w) for w in words), index)
            if french:
                _put(by_fr, " ".join(stems_fr(words)), index)
        return by_en, by_fr

    @functools.cached_property
    def _form_keys(self) -> list[list[str]]:
        """Each group's terms as English stems joined by spaces."""
        forms: list[list[str]] = [[] for _ in self.groups]
        for phrase, groups in self._tables[0].items():
            for group in groups:
                forms[group].append(phrase)
        return forms

    @functools.cached_property
    def longest_term(self) -> int:
        return max((p.count(" ") + 1 for table in self._tables for p in table), default=0)

    def groups_for(self, en: Phrase, fr: Phrase) -> set[int]:
        """The groups a phrase belongs to, by its English or its French stems. A single
        French stem must have five letters or more: shorter ones match too much across
        languages (visas and vise both stem to "vis")."""
        by_en, by_fr = self._lookups
        found = set(by_en(" ".join(en)))
        if len(fr) > 1 or (fr and len(fr[0]) >= _SHORTEST_FRENCH_STEM):
            found.update(by_fr(" ".join(fr)))
        return found

    def forms(self, group: int) -> list[Phrase]:
        """Every term of a group, as English stems: what to look for in facts."""
        cached = self._forms.get(group)
        if cached is None:
            cached = self._forms[group] = [tuple(key.split(" ")) for key in self._form_keys[group]]
        return cached

    @functools.cached_property
    def _terms(self) -> list[tuple[int, bool, list[str]]]:
        """Every term as (its group, whether it is French, its folded words)."""
        return [
            (index, language == "fr", tokens(fold(term)))
            for index, group in enumerate(self.groups)
            for language, listed in (("en", group.en), ("fr", group.fr))
            for term in listed
        ]

    @functools.cached_property
    def word_lists(self) -> WordLists:
        """What typos are checked against: read ready made (prefill), or worked out."""
        if self._read_words is not None:
            return self._read_words()
        return (
            frozenset(w for _, _, words in self._terms for w in words),
            self._common,
            frozenset(stem_map_en(self._common).values()),
        )

    @property
    def words(self) -> frozenset[str]:
        """Every word of every term, folded: what a typo may be a typo of."""
        return self.word_lists[0]

    @property
    def common(self) -> frozenset[str]:
        """Everyday words, folded: real words, never taken for typos."""
        return self.word_lists[1]

    @functools.cached_property
    def _stems(self) -> tuple[frozenset[str], frozenset[str]]:
        """The English stems of every term's words, and the French stems of French terms' words."""
        by_en, by_fr = self._tables
        return frozenset(s for p in by_en for s in p.split(" ")), frozenset(s for p in by_fr for s in p.split(" "))

    def knows(self, word: str) -> bool:
        """Whether some term uses this word, or another form of it."""
        en, fr = self._stems
        french = stem_fr(word)
        return stem_en(word) in en or (len(french) >= _SHORTEST_FRENCH_STEM and french in fr)

    def is_common(self, word: str) -> bool:
        """Whether a word is an everyday word, or a form of one (supervised, of supervise)."""
        return word in self.common or stem_en(word) in self.word_lists[2]


def _put(table: dict[str, list[int]], key: str, group: int) -> None:
    groups = table.setdefault(key, [])
    if group not in groups:
        groups.append(group)


def bundled_path() -> str:
    return os.path.join(bundled_dir(), VOCABULARY_FILE)


def load(paths: Iterable[str]) -> Vocabulary:
    """Merge vocabulary files in order (bundled first); a group id may appear once."""
    stopwords: set[str] = set()
    generic: set[str] = set()
    common: set[str] = set()
    cues: dict[Phrase, str] = {}
    groups: list[Group] = []
    origins: dict[str, str] = {}
    for path in paths:
        data = _read(path)
        for language in LANGUAGES:
            stopwords.update(fold(w) for w in data.get("stopwords", {}).get(language, ()))
            generic.update(fold(w) for w in data.get("generic", {}).get(language, ()))
            common.update(fold(w) for w in data.get("common", {}).get(language, ()))
        for intent, by_language in data.get("questions", {}).items():
            for language in LANGUAGES:
                for phrase in by_language.get(language, ()):
                    cues[tuple(tokens(fold(phrase)))] = intent
        for raw in data.get("groups", ()):
            if raw["id"] in origins:
                raise DataError(f"duplicate vocabulary group '{raw['id']}' in {origins[raw['id']]} and {path}")
            origins[raw["id"]] = path
            groups.append(Group(raw["id"], tuple(raw.get("en", ())), tuple(raw.get("fr", ()))))
    return Vocabulary(stopwords, cues, groups, generic, common)


def _read(path: str) -> dict[str, Any]:
    data = read_json(path, "a vocabulary file")
    problem = check(data)
    if problem is not None:
        raise DataError(f"{path}: {problem}")
    return data  # type: ignore[no-any-return]


def _words_problem(value: Any, *, single: bool = False) -> str | None:
    if not isinstance(value, list):
        return "must be an array of strings"
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > 200:
            return "must be an array of non-empty strings of at most 200 characters"
        if single and not RUN.fullmatch(item):
            return f"'{item}' must be a single word (letters and digits only)"
        if not RUN.search(item):
            return f"'{item}' has no letters or digits"
    return None


def check(data: Any) -> str | None:
    """The first problem with a vocabulary document, as a message, or None. Mirrors
    facts/schema/vocabulary.schema.json (a test holds the two to the same verdicts)."""
    if not isinstance(data, dict):
        return "a vocabulary file must be a JSON object"
    unknown = sorted(set(data) - _ALLOWED_KEYS)
    if unknown:
        return f"unknown field '{unknown[0]}' (allowed: {', '.join(sorted(_ALLOWED_KEYS - {'$schema'}))})"
    for key in ("stopwords", "generic", "common"):
        by_language = data.get(key, {})
        if not isinstance(by_language, dict) or set(by_language) - set(LANGUAGES):
            return f"field '{key}' must be an object with 'en' and/or 'fr' arrays"
        for language, words in by_language.items():
            if problem := _words_problem(words, single=True):
                return f"field '{key}.{language}' {problem}"
    questions = data.get("questions", {})
    if not isinstance(questions, dict):
        return "field 'questions' must be an object keyed by intent"
    for intent, by_language in questions.items():
        if intent not in INTENTS:
            return f"field 'questions': unknown intent '{intent}' (one of: {', '.join(INTENTS)})"
        if not isinstance(by_language, dict) or set(by_language) - set(LANGUAGES):
            return f"field 'questions.{intent}' must be an object with 'en' and/or 'fr' arrays"
        for language, phrases in by_language.items():
            if problem := _words_problem(phrases):
                return f"field 'questions.{intent}.{language}' {problem}"
    groups = data.get("groups", [])
    if not isinstance(groups, list):
        return "field 'groups' must be an array"
    seen: set[str] = set()
    for index, group in enumerate(groups):
        label = f"group #{index + 1}"
        if not isinstance(group, dict):
            return f"{label} must be an object"
        if not is_slug(group.get("id")):
            return f"{label}, field 'id': must be lowercase ASCII words joined by '-', at most {MAX_SLUG} characters"
        label += f" '{group['id']}'"
        if group["id"] in seen:
            return f"{label}: the id is used twice"
        seen.add(group["id"])
        if set(group) - {"id", *LANGUAGES}:
            return f"{label}: unknown field (allowed: id, en, fr)"
        for language in LANGUAGES:
            if language in group and (problem := _words_problem(group[language])):
                return f"{label}, field '{language}' {problem}"
        if not group.get("en") and not group.get("fr"):
            return f"{label}: needs at least one term"
    return None
