"""Rich output for terminals: tables, panels and a question's answer first.

The only module that imports rich, and only when a run draws on a terminal (or is told
to with --color always or FORCE_COLOR), so a pipe or --json never pays for it. Every
string from the data goes through text.safe and is never read as markup.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from mila_cli import describe
from mila_cli.output import AreaGroups, BookmarkItem, Output, message
from mila_cli.text import safe

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from mila_cli.facts import Fact, FactSet
    from mila_cli.search import Outcome

Spans = Sequence[tuple[int, int]]

_GROUP_TITLES = {
    "key research area": "Key research areas",
    "research topic": "Research topics",
    "expertise": "Expertise",
    "application": "Applications",
}
MAX_TABLE_ROWS = 2000  # rich lays out a table whole; past this, plain lines keep a list fast
MAX_WIDTH = 1000  # columns and lines drawn at most, whatever COLUMNS or the terminal says
MIN_WIDTH = 20


def make_console(color: str = "auto") -> Console:
    """A console for stdout as it is now; --color always/never (color) wins over the environment."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich would exit 1; the click layer treats a closed pipe as done (exit 0).
            self.quiet = True
            raise BrokenPipeError

    if color == "always":
        console = _Console(markup=False, emoji=False, highlight=False, force_terminal=True, no_color=False)
    elif color == "never":
        console = _Console(markup=False, emoji=False, highlight=False, no_color=True)
    else:
        force = True if os.environ.get("FORCE_COLOR") else None
        console = _Console(markup=False, emoji=False, highlight=False, force_terminal=force)
    # COLUMNS=100000000 would take for ever to draw, a 20-digit one overflows, and 0 draws nothing.
    width, height = console.size
    if not (MIN_WIDTH <= width <= MAX_WIDTH and MIN_WIDTH <= height <= MAX_WIDTH):
        console.size = (min(max(width, MIN_WIDTH), MAX_WIDTH), min(max(height, MIN_WIDTH), MAX_WIDTH))
    return console


def _text(value: str, style: str = "") -> Text:
    from rich.text import Text

    return Text(safe(value), style=style)


def _highlighted(value: str, spans: Spans) -> Text:
    """Text with the matched words in bold; each piece made safe on its own."""
    from rich.text import Text

    out = Text()
    pos = 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(safe(value[pos:start]))
        out.append(safe(value[start:end]), style="bold yellow")
        pos = end
    out.append(safe(value[pos:]))
    return out


Column = tuple[str, dict[str, Any]]


def _table(*columns: Column, title: str | None = None) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, title=title, title_justify="left", title_style="bold", pad_edge=False
    )
    for name, options in columns:
        table.add_column(name, **options)
    return table


def _id_column(console: Console, ids: Iterable[str], name: str = "id") -> Column:
    """Ids are what people copy: never cut short, folded onto a second line at worst.

    A fixed width (the longest id, at most two fifths of the terminal) leaves the
    text beside it room to wrap; with min_width and max_width instead, rich can wrap
    the neighbouring text at one width and crop it at another.
    """
    cap = max(12, console.width * 2 // 5)
    width = min(max((len(i) for i in ids), default=2), cap)
    return name, {"style": "cyan", "width": width, "overflow": "fold"}


def _narrow(console: Console) -> bool:
    """Too narrow for a category column beside the text."""
    return console.width < 80


# Text wraps at words, and "fold" (not the default ellipsis) breaks an over-long word.
_TEXT: Column = ("fact", {"ratio": 1, "overflow": "fold"})
_CATEGORY: Column = ("category", {"style": "magenta", "no_wrap": True})


class RichOutput(Output):
    """Draws on one console, made when this run first draws."""

    def __init__(self, color: str = "auto") -> None:
        self.color = color
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = make_console(self.color)
        return self._console

    def _too_long(self, rows: int) -> bool:
        """A list this long is printed as plain lines instead, and the person told so."""
        if rows <= MAX_TABLE_ROWS:
            return False
        message(f"mila: {rows:,} rows are printed as plain lines (tables stop at {MAX_TABLE_ROWS:,})")
        return True

    # Lists ------------------------------------------------------------------

    def _facts(self, facts: Sequence[Fact]) -> None:
        if self._too_long(len(facts)):
            return _plain()._facts(facts)
        narrow = _narrow(self.console)
        columns = [_id_column(self.console, (f["id"] for f in facts)), *([] if narrow else [_CATEGORY]), _TEXT]
        table = _table(*columns)
        for f in facts:
            cells = [_text(f["id"]), *([] if narrow else [_text(f["category"])]), _text(f["text"])]
            table.add_row(*cells)
        self.console.print(table)
        return None

    def _history(self, events: Sequence[Fact]) -> None:
        if self._too_long(len(events)):
            return _plain()._history(events)
        from rich.table import Table

        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        table.add_column("year", justify="right", style="bold cyan", no_wrap=True)
        table.add_column("line", style="dim", no_wrap=True)
        table.add_column("event")
        last_year = None
        for index, f in enumerate(events):
            if index:
                table.add_row("", "│", "")  # the line of the timeline, between events
            # A year is written once, unless the event has a month of its own.
            year = describe.when(f) if f["year"] != last_year or "month" in f else ""
            last_year = f["year"]
            event = _text(f["text"])
            event.append("  " + safe(f["id"]), style="dim")
            table.add_row(_text(year), "●", event)
        self.console.print(table)
        return None

    def _areas(self, groups: AreaGroups) -> None:
        if self._too_long(sum(len(facts) for _, facts in groups)):
            return _plain()._areas(groups)
        console = self.console
        width = max((len(f["name"]) for _, facts in groups for f in facts), default=4)
        ids = [f["id"] for _, facts in groups for f in facts]
        for index, (group, facts) in enumerate(groups):
            if index:
                console.print()
            # The same column widths in every group, so the tables line up.
            name_column: Column = ("area", {"min_width": min(width, 40), "ratio": 1})
            table = _table(name_column, _id_column(console, ids), title=_GROUP_TITLES.get(group, group))
            for f in facts:
                table.add_row(_text(f["name"], "bold"), _text(f["id"]))
            console.print(table)
        return None

    def _people(self, persons: Sequence[Fact]) -> None:
        if self._too_long(len(persons)):
            return _plain()._people(persons)
        table = _table(
            ("name", {"ratio": 1}),
            ("noted for", {"ratio": 2, "overflow": "fold"}),
            _id_column(self.console, (p["id"] for p in persons)),
        )
        for p in persons:
            table.add_row(_text(p["name"], "bold"), _text("\n".join(p.get("roles", []))), _text(p["id"]))
        self.console.print(table)
        return None

    def _search(self, outcome: Outcome, answer: Sequence[Fact], fact_set: FactSet) -> None:
        from rich.table import Table

        results = outcome.results
        console = self.console
        if outcome.query.corrected:
            read_as = ", ".join(f"{typed} → {meant}" for typed, meant in outcome.query.corrected.items())
            console.print(_text(f"Read as: {read_as}", "dim"))
        lines = describe.answer_lines(outcome.query.intent, answer, fact_set)
        if lines:
            lead = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
            lead.add_column(style="bold green", no_wrap=False)
            lead.add_column(style="dim", ratio=1, overflow="fold")
            for headline, where in lines:
                lead.add_row(_text(headline), _text(where))
            console.print(_text("Answer", "bold"))
            console.print(lead)
            console.print()
        narrow = _narrow(console)
        table = _table(
            ("#", {"justify": "right"}),
            ("score", {"justify": "right"}),
            _id_column(console, (r.fact["id"] for r in results)),
            *([] if narrow else [_CATEGORY]),
            _TEXT,
        )
        for rank, r in enumerate(results, 1):
            f = r.fact
            category = [] if narrow else [_text(f["category"])]
            cell = _highlighted(f["text"], r.spans)
            for other in fact_set.conflicts(f):
                cell.append(f"\ndisagrees: {safe(describe.other_side(other, fact_set))}", style="italic")
            table.add_row(str(rank), f"{r.score:g}", _text(f["id"]), *category, cell)
        console.print(table)

    def _sources(self, rows: Sequence[dict[str, Any]]) -> None:
        table = _table(
            _id_column(self.console, (s["id"] for s in rows)),
            ("title", {"ratio": 2, "style": "bold"}),
            ("kind", {"ratio": 1}),
            ("facts", {"justify": "right"}),
        )
        for s in rows:
            table.add_row(_text(s["id"]), _text(s["title"]), _text(s.get("kind", "")), str(s["facts"]))
        self.console.print(table)
        for s in rows:
            if s.get("note"):
                self.console.print(_text(f"{s['id']}: {s['note']}", "dim"))

    def _bookmarks(self, items: Sequence[BookmarkItem]) -> None:
        if self._too_long(len(items)):
            return _plain()._bookmarks(items)
        table = _table(
            _id_column(self.console, (b["id"] for b in items)), ("added", {"style": "dim", "no_wrap": True}), _TEXT
        )
        for b in items:
            fact = b["fact"]
            text = _text(fact["text"]) if fact else _text("missing: no fact has this id now", "bold red")
            if b["note"]:
                text.append("\nnote: ", style="dim")
                text.append(safe(b["note"]), style="italic")
            table.add_row(_text(b["id"]), _text(b["added"][:10]), text)  # the day; JSON has the time
        self.console.print(table)
        return None

    # One record ---------------------------------------------------------------

    def _fact(self, fact: Fact, fact_set: FactSet, related: Sequence[Fact] | None) -> None:
        from rich.console import Group
        from rich.panel import Panel
        from rich.table import Table

        details = Table(box=None, show_header=False, pad_edge=False)
        details.add_column(style="bold")
        details.add_column()
        for label, value in describe.detail_fields(fact):
            details.add_row(_text(label), _text(value))  # a pack names its own fields: a label is data too
        details.add_row("source", _text(describe.source_details(fact_set.source(fact)), "dim"))
        for o in fact_set.conflicts(fact):
            other = _text(o["text"], "italic")
            other.append(f"\n{safe(describe.source_text(fact_set.source(o)))}; {safe(o['id'])}", style="dim")
            details.add_row(_text("disagrees", "bold yellow"), other)
        title = _text(fact.get("name") or fact["id"], "bold")
        title.append("  " + (safe(fact["id"]) + " · " if "name" in fact else "") + safe(fact["category"]), style="dim")
        parts: list[Any] = [_text(fact["text"]), "", details]
        console = self.console
        console.print(Panel(Group(*parts), title=title, title_align="left", border_style="cyan"))
        if related:
            table = _table(_id_column(console, (r["id"] for r in related)), _TEXT, title="Mentioned in")
            for r in related:
                table.add_row(_text(r["id"]), _text(r["text"]))
            console.print(table)


def _plain() -> Output:
    from mila_cli.plain import PlainOutput

    return PlainOutput()
