"""JSON output: exact, UTF-8, and safe to print, written straight to stdout (never via rich)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mila_cli.output import AreaGroups, BookmarkItem, Output
from mila_cli.text import escape_json_text

if TYPE_CHECKING:
    from mila_cli.facts import Fact, FactSet
    from mila_cli.search import Outcome


def dumps(data: Any, *, pretty: bool = False) -> str:
    """JSON text with names as written (Joëlle) and every control or format character escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2 if pretty else None)
    return escape_json_text(text) + "\n"


def write(data: Any) -> None:
    """Print data as JSON: pretty on a terminal, one line in a pipe; always UTF-8.

    JSON is UTF-8 by definition, so it is written as bytes whatever the locale
    says (LC_ALL=C or PYTHONIOENCODING=ascii must not mangle a name).
    """
    out = sys.stdout
    encoded = dumps(data, pretty=out.isatty()).encode("utf-8")
    buffer = getattr(out, "buffer", None)
    if buffer is None:  # a text-only stream, as some embedders give
        out.write(encoded.decode("utf-8"))
    else:
        out.flush()
        buffer.write(encoded)
        buffer.flush()


def with_conflicts(fact: Fact, fact_set: FactSet) -> Fact:
    """A fact as stored, plus 'conflicts': the facts that disagree with it, when there are any."""
    others = fact_set.conflicts(fact)
    return {**fact, "conflicts": others} if others else fact


class JsonOutput(Output):
    """The data itself, for scripts: facts as stored, one JSON document per run. On a
    terminal (paged), JSON taller than the screen goes through the pager."""

    prints_empty = True

    def __init__(self, paged: bool = False) -> None:
        self.paged = paged

    def _write(self, data: Any) -> None:
        if self.paged:
            import shutil

            text = dumps(data, pretty=True)
            if text.count("\n") >= shutil.get_terminal_size().lines:
                from mila_cli import pager

                if pager.page(text, "utf-8"):
                    return
        write(data)

    def _facts(self, facts: Sequence[Fact]) -> None:
        self._write(list(facts))

    def _sources(self, rows: Sequence[dict[str, Any]]) -> None:
        self._write(list(rows))

    def _history(self, events: Sequence[Fact]) -> None:
        self._write(list(events))

    def _areas(self, groups: AreaGroups) -> None:
        self._write([f for _, facts in groups for f in facts])

    def _people(self, persons: Sequence[Fact]) -> None:
        self._write(list(persons))

    def _search(self, outcome: Outcome, answer: Sequence[Fact], fact_set: FactSet) -> None:
        self._write([{**with_conflicts(r.fact, fact_set), "score": r.score} for r in outcome.results])

    def _bookmarks(self, items: Sequence[BookmarkItem]) -> None:
        self._write([{**i, "missing": i["fact"] is None} for i in items])

    def _fact(self, fact: Fact, fact_set: FactSet, related: Sequence[Fact] | None) -> None:
        shown = with_conflicts(fact, fact_set)
        self._write(shown if related is None else {**shown, "mentioned_in": list(related)})
