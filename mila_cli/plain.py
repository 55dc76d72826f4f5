"""Plain output for pipes: one record per line, fields separated by tabs, nothing else.

Every field goes through text.one_line, so a tab or newline in the data cannot split a
record, and nothing from the data can drive a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mila_cli import describe
from mila_cli.output import AreaGroups, BookmarkItem, Output
from mila_cli.text import one_line

if TYPE_CHECKING:
    from mila_cli.facts import Fact, FactSet
    from mila_cli.search import Outcome


def _line(*fields: object) -> None:
    sys.stdout.write("\t".join(one_line(str(f)) for f in fields) + "\n")


class PlainOutput(Output):
    def _facts(self, facts: Sequence[Fact]) -> None:
        for f in facts:
            _line(f["id"], f["category"], f["text"])

    def _sources(self, rows: Sequence[dict[str, Any]]) -> None:
        for s in rows:
            _line(s["id"], s["title"], s.get("kind", ""), s["facts"])

    def _history(self, events: Sequence[Fact]) -> None:
        for f in events:
            month = f.get("month")
            stamp = f"{f['year']}-{month:02d}" if isinstance(month, int) else str(f["year"])
            _line(stamp, f["id"], f["text"])

    def _areas(self, groups: AreaGroups) -> None:
        for group, facts in groups:
            for f in facts:
                _line(group, f["id"], f["name"])

    def _people(self, persons: Sequence[Fact]) -> None:
        for p in persons:
            _line(p["id"], p["name"], describe.value_text(p.get("roles", [])))

    def _search(self, outcome: Outcome, answer: Sequence[Fact], fact_set: FactSet) -> None:
        # score, id, category, text, and a fifth field when other sources disagree
        for r in outcome.results:
            f = r.fact
            disagreement = describe.disagreement(f, fact_set)
            extra = [f"disagrees: {disagreement}"] if disagreement else []
            _line(f"{r.score:.1f}", f["id"], f["category"], f["text"], *extra)

    def _bookmarks(self, items: Sequence[BookmarkItem]) -> None:
        for b in items:
            fact = b["fact"]
            _line(b["id"], b["added"], b["note"] or "", fact["text"] if fact else "(missing: no fact has this id now)")

    def _fact(self, fact: Fact, fact_set: FactSet, related: Sequence[Fact] | None) -> None:
        _line("id:", fact["id"])
        _line("category:", fact["category"])
        _line("text:", fact["text"])
        for label, value in describe.detail_fields(fact):
            _line(f"{label}:", value)
        _line("source:", describe.source_details(fact_set.source(fact)))
        for o in fact_set.conflicts(fact):
            _line("disagrees:", o["id"], o["text"], describe.source_text(fact_set.source(o)))
        for r in related or ():
            _line("mentioned in:", r["id"], r["text"])
