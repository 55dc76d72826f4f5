"""What every command of a run shares, made once: the pack folders asked for, the facts,
the search index, the bookmark store and the output. Plain Python: no click, no printing;
problems are raised as MilaErrors with their exit codes."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mila_cli.errors import NotFound, UsageError
from mila_cli.text import quoted

if TYPE_CHECKING:
    from mila_cli.bookmarks import BookmarkStore
    from mila_cli.facts import Fact, FactSet
    from mila_cli.output import Output
    from mila_cli.search import SearchIndex

# Keys of the run's settings (click's ctx.meta), written by the shared options.
DIRS_KEY = "mila.facts_dirs"
COLOR_KEY = "mila.color"
NO_PAGER_KEY = "mila.no_pager"


def did_you_mean(suggestions: Sequence[str]) -> str:
    """The end of a not-found message: '; did you mean a, b?', or nothing."""
    return f"; did you mean {', '.join(suggestions)}?" if suggestions else ""


class App:
    """The run's shared state. `settings` is the dict the --facts-dir and --color options
    fill, before or after the command; it is read when first needed, after parsing."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self._fact_set: FactSet | None = None
        self._index: SearchIndex | None = None
        self._store: BookmarkStore | None = None
        self.notes: list[str] = []  # what the person should also hear (to stderr), e.g. other matches

    @property
    def pack_dirs(self) -> list[str]:
        """MILA_FACTS_PATH's folders, then every --facts-dir, in order."""
        from mila_cli.facts import pack_dirs_from_env

        return [*pack_dirs_from_env(), *self.settings.get(DIRS_KEY, ())]

    @property
    def fact_set(self) -> FactSet:
        """Every loaded fact: the bundled ones, then each pack's."""
        if self._fact_set is None:
            from mila_cli import facts, output

            progress = output.build_progress() if self.pack_dirs else None  # for a first run on a large pack
            try:
                # A TAB (click's completion) does not wait minutes for a large pack's index.
                self._fact_set = facts.load(
                    self.pack_dirs, progress, wait_for_index=not os.environ.get("_MILA_COMPLETE")
                )
            finally:
                if progress is not None:
                    progress.close()
        return self._fact_set

    @property
    def index(self) -> SearchIndex:
        """The search index, with the bundled vocabulary and every pack's own."""
        if self._index is None:
            from mila_cli.search import index_for

            self._index = index_for(self.fact_set)
        return self._index

    @property
    def store(self) -> BookmarkStore:
        if self._store is None:
            from mila_cli.bookmarks import BookmarkStore

            self._store = BookmarkStore()
        return self._store

    def output(self, as_json: bool) -> Output:
        """How this run writes: JSON, plain lines or rich, decided here, once."""
        from mila_cli import output

        color = str(self.settings.get(COLOR_KEY, "auto"))
        return output.choose(as_json, color, pager=not self.settings.get(NO_PAGER_KEY))

    def fact(self, fact_id: str) -> Fact:
        """The fact with this id, or NotFound suggesting the closest ids."""
        if not fact_id.strip():
            raise UsageError("the fact id is empty")
        facts = self.fact_set
        # Ids are lower-case slugs; 'Yoshua-Bengio' is a way of typing one, not a typo.
        found = facts.get(fact_id) or facts.get(fact_id.strip().lower())
        if found is None:
            from mila_cli.names import closest

            raise NotFound(f"no fact has the id {quoted(fact_id)}" + did_you_mean(closest(fact_id, list(facts.ids()))))
        return found

    def named(self, name: str, candidates: list[Fact], what: str) -> Fact:
        """The candidate a name means: by name, alias or id first; else the best search
        answer among them that is called by every word asked, through the vocabulary (so
        'apprentissage profond' finds Deep Learning, but 'quantum' finds no area); else NotFound."""
        from mila_cli.names import MAX_NAME_CHARS, MAX_NAME_WORDS, also_named, closest, find_named
        from mila_cli.text import words

        if not name.strip():
            raise UsageError(f"the {what}'s name is empty; leave it out to list them all")
        if len(name) > MAX_NAME_CHARS or len(words(name)) > MAX_NAME_WORDS:
            raise UsageError(
                f"a {what}'s name is at most {MAX_NAME_WORDS} words and {MAX_NAME_CHARS:,} characters; "
                "to search every fact, use 'mila search'"
            )
        found = find_named(name, candidates) or self.index.called(name, {c["id"] for c in candidates})
        if found is None:
            labels = [str(c.get("name") or c["id"]) for c in candidates]
            raise NotFound(f"no {what} matches {quoted(name)}" + did_you_mean(closest(name, labels)))
        others = also_named(name, candidates, found)
        if others:
            self.notes.append(f"{quoted(name)} also names: {', '.join(others)}")
        return found
