"""How one run writes its results: JSON, plain lines or rich, decided once, then every view
called on that one object with the domain's own objects (facts, search outcomes).

One module per format: jsonout (scripts), plain (pipes), render (terminals, the only
module that imports rich). The rules they share live here: an empty list draws nothing
for people (JSON still prints `[]` for scripts), and messages go to stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mila_cli.text import one_line

if TYPE_CHECKING:
    from mila_cli.facts import Fact, FactSet
    from mila_cli.search import Outcome

AreaGroups = Sequence[tuple[str, Sequence["Fact"]]]
# A bookmark as listed: the stored id, note and added time, and its fact (None when gone).
BookmarkItem = dict[str, Any]


class Output:
    """The views every format draws. The public methods hold the shared rules; a format
    implements the _draw methods."""

    prints_empty = False  # JSON prints [] for an empty list; people get nothing on stdout

    def facts(self, facts: Sequence[Fact]) -> None:
        if facts or self.prints_empty:
            self._facts(facts)

    def sources(self, rows: Sequence[dict[str, Any]]) -> None:
        """Each source, with how many facts cite it ('facts')."""
        if rows or self.prints_empty:
            self._sources(rows)

    def history(self, events: Sequence[Fact]) -> None:
        if events or self.prints_empty:
            self._history(events)

    def areas(self, groups: AreaGroups) -> None:
        if any(facts for _, facts in groups) or self.prints_empty:
            self._areas(groups)

    def people(self, persons: Sequence[Fact]) -> None:
        if persons or self.prints_empty:
            self._people(persons)

    def search(self, outcome: Outcome, answer: Sequence[Fact], fact_set: FactSet) -> None:
        """Ranked results, and for a question, the facts its answer leads with."""
        if outcome.results or self.prints_empty:
            self._search(outcome, answer, fact_set)

    def bookmarks(self, items: Sequence[BookmarkItem]) -> None:
        if items or self.prints_empty:
            self._bookmarks(items)
        if not items and not self.prints_empty:
            message("no bookmarks yet; add one with 'mila bookmark add ID'")

    def fact(self, fact: Fact, fact_set: FactSet, related: Sequence[Fact] | None = None) -> None:
        """One fact in full, with its source and the facts that disagree with it; for an
        area, also the facts that mention it (related)."""
        self._fact(fact, fact_set, related)

    # What a format draws ------------------------------------------------------

    def _facts(self, facts: Sequence[Fact]) -> None:
        raise NotImplementedError

    def _sources(self, rows: Sequence[dict[str, Any]]) -> None:
        raise NotImplementedError

    def _history(self, events: Sequence[Fact]) -> None:
        raise NotImplementedError

    def _areas(self, groups: AreaGroups) -> None:
        raise NotImplementedError

    def _people(self, persons: Sequence[Fact]) -> None:
        raise NotImplementedError

    def _search(self, outcome: Outcome, answer: Sequence[Fact], fact_set: FactSet) -> None:
        raise NotImplementedError

    def _bookmarks(self, items: Sequence[BookmarkItem]) -> None:
        raise NotImplementedError

    def _fact(self, fact: Fact, fact_set: FactSet, related: Sequence[Fact] | None) -> None:
        raise NotImplementedError


def wants_rich(color: str) -> bool:
    """Rich on a terminal, or anywhere colour is forced; plain lines otherwise.

    --color always/never (color) wins over FORCE_COLOR; colour itself is then rich's call,
    which honours NO_COLOR and TERM=dumb.
    """
    if color == "always" or (color == "auto" and os.environ.get("FORCE_COLOR")):
        return True
    return _on_terminal()


def choose(as_json: bool, color: str = "auto", pager: bool = True) -> Output:
    """The output for this run: decided once, from --json, --color, --no-pager (pager) and
    where stdout goes. Only a terminal is paged."""
    paged = pager and _on_terminal()
    if as_json:
        from mila_cli.jsonout import JsonOutput

        return JsonOutput(paged)
    if wants_rich(color):
        from mila_cli.render import RichOutput

        return RichOutput(color, paged)
    from mila_cli.plain import PlainOutput

    return PlainOutput()


def build_progress() -> Any:
    """How far making a pack index is, as rich's progress bar on stderr when stderr is a
    terminal (as git shows its progress), else None: nothing in a pipe, a log or a TAB.
    The bar is a callable (done, total) with close()."""
    if os.environ.get("_MILA_COMPLETE") or os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return None
    try:
        if not sys.stderr.isatty():
            return None
    except (ValueError, AttributeError):
        return None
    from mila_cli.render import BuildProgress

    return BuildProgress()


def _on_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (ValueError, AttributeError):  # a closed stream
        return False


def message(text: str) -> None:
    """A short line for the person at the terminal (to stderr, so stdout stays data)."""
    sys.stderr.write(one_line(text) + "\n")
