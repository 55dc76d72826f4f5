"""Rich output for terminals: tables, panels and a question's answer first.

The only module that imports rich, and only when a run draws on a terminal (or is told
to with --color always or FORCE_COLOR), so a pipe or --json never pays for it. Every
string from the data goes through text.safe and is never read as markup.

Ids are what people copy, so they are never cut or split: a list is a table when the
terminal is wide enough for its longest id and 40 characters of text beside it, and
otherwise a stack of records (the id on a line of its own, the text under it). One fact
is drawn at a readable width, not stretched across a wide terminal. Output taller than
the terminal goes through the pager (mila_cli.pager).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from mila_cli import describe
from mila_cli.output import AreaGroups, BookmarkItem, Output, message
from mila_cli.text import safe

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
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
MIN_TEXT = 40  # a table only when the text column gets at least this much
READABLE = 100  # one fact is drawn at most this wide
_GAP = 3  # between table columns: a space of padding on each side, and the rule's own space
_INDENT = 2  # a stacked record's text, under its id


def _dimension(variable: str, measured: int | None, fallback: int) -> int:
    value = os.environ.get(variable, "")
    if value.isascii() and value.isdigit() and len(value) <= 6:
        return int(value)
    return measured or fallback


def make_console(color: str = "auto") -> Console:
    """A console for stdout as it is now; --color always/never (color) wins over the environment."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich would exit 1; the click layer treats a closed pipe as done (exit 0).
            self.quiet = True
            raise BrokenPipeError

    options: dict[str, Any] = {"markup": False, "emoji": False, "highlight": False}
    odd = any(not (v.isascii() and v.isdigit()) for v in (os.environ.get("COLUMNS"), os.environ.get("LINES")) if v)
    if odd or os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        # rich draws a dumb terminal (Emacs' shell) at 80 columns whatever it is told, and
        # fails on a COLUMNS such as '²'; COLUMNS if it is a number, then the terminal's
        # own size, say better. Colour stays off on a dumb terminal (rich's rule).
        try:
            measured = os.get_terminal_size(sys.stdout.fileno())
            columns, lines = measured.columns, measured.lines
        except (OSError, ValueError, AttributeError):
            columns, lines = 0, 0
        options["width"] = _dimension("COLUMNS", columns, 80)
        options["height"] = _dimension("LINES", lines, 25)
    if color == "always":
        console = _Console(**options, force_terminal=True, no_color=False)
    elif color == "never":
        console = _Console(**options, no_color=True)
    else:
        force = True if os.environ.get("FORCE_COLOR") else None
        console = _Console(**options, force_terminal=force)
    # COLUMNS=100000000 would take for ever to draw, a 20-digit one overflows, and 0 draws nothing.
    width, height = console.size
    if not (MIN_WIDTH <= width <= MAX_WIDTH and MIN_WIDTH <= height <= MAX_WIDTH):
        console.size = (min(max(width, MIN_WIDTH), MAX_WIDTH), min(max(height, MIN_WIDTH), MAX_WIDTH))
    return console


def _text(value: str, style: str = "") -> Text:
    from rich.text import Text

    return Text(safe(value), style=style)


def _id(value: str, style: str = "cyan") -> Text:
    """An id, whole: never wrapped, folded or cut, however narrow the terminal. Whatever
    is appended to it keeps its own style."""
    from rich.text import Text

    text = Text(no_wrap=True, overflow="ignore")
    text.append(safe(value), style=style)
    return text


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


def _longest(values: Iterable[str], at_least: int = 2) -> int:
    return max((len(v) for v in values), default=at_least)


def _id_column(ids: Iterable[str], name: str = "id") -> Column:
    """As wide as the longest id, so that no id is ever folded."""
    width = max(_longest(ids), len(name))
    return name, {"style": "cyan", "width": width, "no_wrap": True, "overflow": "ignore"}


# Text wraps at words, and "fold" (not the default ellipsis) breaks an over-long word.
_TEXT: Column = ("fact", {"ratio": 1, "overflow": "fold"})
_CATEGORY: Column = ("category", {"style": "magenta", "no_wrap": True})


class RichOutput(Output):
    """Draws on one console, made when this run first draws; pages what is taller than
    the terminal when `paged`."""

    def __init__(self, color: str = "auto", paged: bool = False) -> None:
        self.color = color
        self.paged = paged
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = make_console(self.color)
        return self._console

    @contextmanager
    def _drawing(self) -> Iterator[None]:
        """Draw into a buffer, then page it if it is taller than the terminal, else print it."""
        if not self.paged:
            yield
            return
        console = self.console
        with console.capture() as captured:
            yield
        text = captured.get()
        if text.count("\n") < console.height:
            console.file.write(text)
            return
        from mila_cli import pager

        if not pager.page(text):
            console.file.write(text)

    def _fits(self, *fixed: int) -> bool:
        """Whether columns this wide, and a text column of MIN_TEXT, fit side by side."""
        return sum(fixed) + _GAP * len(fixed) + MIN_TEXT <= self.console.width

    def _too_long(self, rows: int) -> bool:
        """Whether a list this long is printed as plain lines instead (_as_plain)."""
        return rows > MAX_TABLE_ROWS

    def _as_plain(self, rows: int, draw: Callable[[Output], None]) -> None:
        """A list past MAX_TABLE_ROWS as plain lines, paged as a table would be; then the
        note that says so, last, where it is seen (not scrolled away above the list)."""
        import contextlib
        import io

        if self.paged:
            from mila_cli import pager

            lines = io.StringIO()
            with contextlib.redirect_stdout(lines):
                draw(_plain())
            if not pager.page(lines.getvalue()):
                sys.stdout.write(lines.getvalue())
        else:
            draw(_plain())
        sys.stdout.flush()
        message(f"mila: {rows:,} rows are printed as plain lines (tables stop at {MAX_TABLE_ROWS:,})")

    def _stack(self, key: Text, extra: Text | None, *body: RenderableType, width: int | None = None) -> None:
        """One record: its key (an id, whole) and what goes beside it when there is room,
        else under it; then its body, indented."""
        from rich.padding import Padding

        console = self.console
        under: list[RenderableType] = []
        if extra is not None and key.cell_len + 2 + extra.cell_len <= console.width:
            key = key.copy()
            key.append("  ")
            key.append(extra)
        elif extra is not None:
            under.append(extra)
        console.print(key, overflow="ignore", no_wrap=True, crop=False)
        for part in (*under, *body):
            console.print(Padding(part, (0, 0, 0, _INDENT), expand=False), width=width)
        console.print()

    # Lists ------------------------------------------------------------------

    def _facts(self, facts: Sequence[Fact]) -> None:
        if self._too_long(len(facts)):
            return self._as_plain(len(facts), lambda out: out._facts(facts))
        id_width = _longest(f["id"] for f in facts)
        with self._drawing():
            if not self._fits(id_width):
                for f in facts:
                    self._stack(_id(f["id"]), _text(f["category"], "magenta"), _text(f["text"]))
                return None
            wide = self._fits(id_width, _longest(f["category"] for f in facts))
            table = _table(_id_column(f["id"] for f in facts), *([_CATEGORY] if wide else []), _TEXT)
            for f in facts:
                table.add_row(_id(f["id"]), *([_text(f["category"])] if wide else []), _text(f["text"]))
            self.console.print(table)
        return None

    def _history(self, events: Sequence[Fact]) -> None:
        if self._too_long(len(events)):
            return self._as_plain(len(events), lambda out: out._history(events))
        from rich.table import Table

        year_width = _longest(describe.when(f) for f in events)
        if _longest(f["id"] for f in events) > self.console.width - year_width - 5:
            # Too narrow for a timeline that keeps each id whole beside its year: one block each.
            with self._drawing():
                for f in events:
                    self._stack(_id(f["id"]), _text(describe.when(f), "bold cyan"), _text(f["text"]))
            return None
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        table.add_column("year", justify="right", style="bold cyan", no_wrap=True)
        table.add_column("line", style="dim", no_wrap=True)
        table.add_column("event", overflow="fold")
        last_year = None
        for index, f in enumerate(events):
            if index:
                table.add_row("", "│", "")  # the line of the timeline, between events
            # A year is written once, unless the event has a month of its own.
            year = describe.when(f) if f["year"] != last_year or "month" in f else ""
            last_year = f["year"]
            event = _text(f["text"])
            event.append("\n")
            event.append(safe(f["id"]), style="dim")  # on a line of its own: whole, easy to copy
            table.add_row(_text(year), "●", event)
        with self._drawing():
            self.console.print(table)
        return None

    def _areas(self, groups: AreaGroups) -> None:
        rows = sum(len(facts) for _, facts in groups)
        if self._too_long(rows):
            return self._as_plain(rows, lambda out: out._areas(groups))
        console = self.console
        ids = [f["id"] for _, facts in groups for f in facts]
        name_width = _longest(f["name"] for _, facts in groups for f in facts)
        id_width = _longest(ids)
        # Names wrap, ids do not: a table while names keep their width, or 20 columns, beside the longest id.
        table_fits = id_width + _GAP + min(name_width, 20) <= console.width
        column = min(name_width, console.width - id_width - _GAP)  # the same in every group: they line up
        with self._drawing():
            for index, (group, facts) in enumerate(groups):
                if index:
                    console.print()
                title = _GROUP_TITLES.get(group, group)
                if not table_fits:
                    console.print(_text(title, "bold"))
                    console.print()
                    for f in facts:
                        self._stack(_id(f["id"]), None, _text(f["name"], "bold"))
                    continue
                # The same column widths in every group, so the tables line up.
                name_column: Column = ("area", {"width": column, "overflow": "fold"})
                table = _table(name_column, _id_column(ids), title=title)
                for f in facts:
                    table.add_row(_text(f["name"], "bold"), _id(f["id"]))
                console.print(table)
        return None

    def _people(self, persons: Sequence[Fact]) -> None:
        if self._too_long(len(persons)):
            return self._as_plain(len(persons), lambda out: out._people(persons))
        id_width = _longest(p["id"] for p in persons)
        name_width = min(_longest(p["name"] for p in persons), 24)
        with self._drawing():
            if not self._fits(id_width, name_width):
                for p in persons:
                    self._stack(_id(p["id"]), _text(p["name"], "bold"), _roles(p))
                return None
            table = _table(
                ("name", {"width": name_width}),
                ("noted for", {"ratio": 1, "overflow": "fold"}),
                _id_column(p["id"] for p in persons),
            )
            for p in persons:
                table.add_row(_text(p["name"], "bold"), _roles(p), _id(p["id"]))
            self.console.print(table)
        return None

    def _search(self, outcome: Outcome, answer: Sequence[Fact], fact_set: FactSet) -> None:
        from rich.table import Table

        results = outcome.results
        console = self.console
        with self._drawing():
            if outcome.query.corrected:
                read_as = ", ".join(f"{typed} → {meant}" for typed, meant in outcome.query.corrected.items())
                console.print(_text(f"Read as: {read_as}", "dim"))
            lines = describe.answer_lines(outcome.query.intent, answer, fact_set)
            if lines:
                console.print(_text("Answer", "bold"))
                if console.width >= 60:
                    lead = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
                    lead.add_column(style="bold green", max_width=max(20, console.width * 2 // 5))
                    lead.add_column(style="dim", ratio=1, overflow="fold")
                    for headline, where in lines:
                        lead.add_row(_text(headline), _text(where))
                    console.print(lead)
                else:
                    for headline, where in lines:
                        console.print(_text(headline, "bold green"))
                        console.print(_text(where, "dim"))
                console.print()
            id_width = _longest(r.fact["id"] for r in results)
            rank_width = len(str(len(results)))
            score_width = max(len(f"{r.score:.1f}") for r in results)
            cells = self._cells(results, fact_set)
            if not self._fits(rank_width, score_width, id_width):
                for rank, (r, cell) in enumerate(zip(results, cells, strict=True), 1):
                    key = _id(f"{rank}. ", "dim")
                    key.append(safe(r.fact["id"]), style="cyan")
                    extra = _text(f"{r.score:.1f}  ", "dim")
                    extra.append(safe(r.fact["category"]), style="magenta")
                    self._stack(key, extra, cell)
                return
            wide = self._fits(rank_width, score_width, id_width, _longest(r.fact["category"] for r in results))
            table = _table(
                ("#", {"justify": "right", "no_wrap": True}),
                ("score", {"justify": "right", "no_wrap": True}),
                _id_column(r.fact["id"] for r in results),
                *([_CATEGORY] if wide else []),
                _TEXT,
            )
            for rank, (r, cell) in enumerate(zip(results, cells, strict=True), 1):
                category = [_text(r.fact["category"])] if wide else []
                table.add_row(str(rank), f"{r.score:.1f}", _id(r.fact["id"]), *category, cell)
            console.print(table)

    @staticmethod
    def _cells(results: Sequence[Any], fact_set: FactSet) -> list[Text]:
        cells = []
        for r in results:
            cell = _highlighted(r.fact["text"], r.spans)
            for other in fact_set.conflicts(r.fact):
                cell.append(f"\ndisagrees: {safe(describe.other_side(other, fact_set))}", style="italic")
            cells.append(cell)
        return cells

    def _sources(self, rows: Sequence[dict[str, Any]]) -> None:
        id_width = _longest(s["id"] for s in rows)
        with self._drawing():
            if not self._fits(id_width, 5):
                for s in rows:
                    body = _text(s["title"], "bold")
                    if s.get("kind"):
                        body.append(" — " + safe(s["kind"]), style="")
                    notes = [_text(s["note"], "dim")] if s.get("note") else []
                    self._stack(_id(s["id"]), _text(f"{s['facts']} facts", "dim"), body, *notes)
                return
            table = _table(
                _id_column(s["id"] for s in rows),
                ("title", {"ratio": 2, "style": "bold"}),
                ("kind", {"ratio": 1}),
                ("facts", {"justify": "right", "no_wrap": True}),
            )
            for s in rows:
                table.add_row(_id(s["id"]), _text(s["title"]), _text(s.get("kind", "")), str(s["facts"]))
            self.console.print(table)
            for s in rows:
                if s.get("note"):
                    self.console.print(_text(f"{s['id']}: {s['note']}", "dim"))

    def _bookmarks(self, items: Sequence[BookmarkItem]) -> None:
        if self._too_long(len(items)):
            return self._as_plain(len(items), lambda out: out._bookmarks(items))
        id_width = _longest(b["id"] for b in items)
        texts = []
        for b in items:
            fact = b["fact"]
            text = _text(fact["text"]) if fact else _text("missing: no fact has this id now", "bold red")
            if b["note"]:
                text.append("\nnote: ", style="dim")
                text.append(safe(b["note"]), style="italic")
            texts.append(text)
        with self._drawing():
            if not self._fits(id_width, 10):
                for b, text in zip(items, texts, strict=True):
                    self._stack(_id(b["id"]), _text(b["added"][:10], "dim"), text)
                return None
            table = _table(_id_column(b["id"] for b in items), ("added", {"style": "dim", "no_wrap": True}), _TEXT)
            for b, text in zip(items, texts, strict=True):
                table.add_row(_id(b["id"]), _text(b["added"][:10]), text)  # the day; JSON has the time
            self.console.print(table)
        return None

    # One record ---------------------------------------------------------------

    def _fact(self, fact: Fact, fact_set: FactSet, related: Sequence[Fact] | None) -> None:
        from rich.console import Group
        from rich.panel import Panel
        from rich.table import Table

        rows: list[tuple[Text, Text]] = []
        for label, value in describe.detail_fields(fact):
            if label == "name":
                continue  # the panel's first line
            # a pack names its own fields: a label is data too
            rows.append((_text(label, "bold"), _roles(fact) if label == "roles" else _text(value)))
        rows.append((_text("source", "bold"), _text(describe.source_details(fact_set.source(fact)), "dim")))
        others: list[tuple[Text, Text, str]] = []
        for o in fact_set.conflicts(fact):
            other = _text(o["text"], "italic")
            other.append("\n" + safe(describe.source_text(fact_set.source(o))), style="dim")
            others.append((_text("disagrees", "bold yellow"), other, o["id"]))
        console = self.console
        width = min(console.width, READABLE)
        label_width = max(len(label.plain) for label, _ in rows)
        # In a box while every id fits whole inside it; else no box, and each id on a line of its own.
        boxed = width >= 60 and all(len(other_id) <= width - label_width - 6 for _, _, other_id in others)
        boxed = boxed and len(fact["id"]) + len(fact["category"]) + 2 <= width - 4
        head = _text(fact["name"], "bold") if "name" in fact else None
        tag = _id(fact["id"])
        tag.append("  " + safe(fact["category"]), style="dim")
        with self._drawing():
            if boxed:
                table = Table(box=None, show_header=False, pad_edge=False)
                table.add_column(no_wrap=True)
                table.add_column(overflow="fold")
                for label_text, value_text in rows:
                    table.add_row(label_text, value_text)
                for label_text, value_text, other_id in others:
                    shown = value_text.copy()
                    shown.append("\n")
                    shown.append(safe(other_id), style="cyan")
                    table.add_row(label_text, shown)
                parts: list[RenderableType] = [*([head] if head else []), tag, "", _text(fact["text"]), "", table]
                console.print(Panel(Group(*parts), border_style="cyan", width=width))
            else:
                self._unboxed(head, tag, fact, [*((label, value, None) for label, value in rows), *others], width)
            if related:
                console.print()
                console.print(_text("Mentioned in", "bold"))
                console.print()
                for r in related:
                    self._stack(_id(r["id"]), None, _text(r["text"]), width=width)

    def _unboxed(
        self, head: Text | None, tag: Text, fact: Fact, rows: list[tuple[Text, Text, str | None]], width: int
    ) -> None:
        """One fact on a narrow terminal: each detail under its label, every id whole on its own line."""
        from rich.padding import Padding

        console = self.console
        if head is not None:
            console.print(head, width=width)
        if tag.cell_len <= width:
            console.print(tag, overflow="ignore", no_wrap=True, crop=False)
        else:  # the id alone on its line, whole; the category under it
            console.print(_id(fact["id"]), overflow="ignore", no_wrap=True, crop=False)
            console.print(_text("  " + fact["category"], "dim"))
        console.print()
        console.print(_text(fact["text"]), width=width)
        console.print()
        for label_text, value_text, other_id in rows:
            console.print(label_text)
            console.print(Padding(value_text, (0, 0, 0, 2), expand=False), width=width)
            if other_id is not None:
                console.print(_id("  " + other_id), overflow="ignore", no_wrap=True, crop=False)


def _roles(person: Fact) -> Text:
    """Each role an item of its own: '• founded LISA (1993)' on its own line."""
    from rich.text import Text

    out = Text()
    for index, role in enumerate(person.get("roles", [])):
        if index:
            out.append("\n")
        out.append("• " + safe(role))
    return out


class BuildProgress:
    """rich's progress bar on stderr while a pack index is made: shown from the first
    report, gone when the index is done (transient), so it leaves nothing behind."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("indexing the pack for fast search"),
                BarColumn(),
                TaskProgressColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("index", total=total)
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _plain() -> Output:
    from mila_cli.plain import PlainOutput

    return PlainOutput()
