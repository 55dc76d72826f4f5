"""Human output: Rich tables and panels on a terminal, plain tab-separated lines in a pipe.

The only module that imports rich, and only inside the functions that draw, so a
pipe or --json never pays for it. Every string from the data goes through
text.safe (terminal) or text.one_line (pipe) and is never read as markup.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mila_cli.text import one_line, safe

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from mila_cli.facts import Fact, FactSet
    from mila_cli.search import Outcome

Spans = Sequence[tuple[int, int]]

# Fields shown by name in a fact's details, in this order; others follow as stored.
_DETAIL_ORDER = (
    "name",
    "roles",
    "group",
    "year",
    "month",
    "count",
    "count_qualifier",
    "count_of",
    "as_of",
    "place",
    "degrees",
    "aliases",
    "tags",
    "url",
)
_GROUP_TITLES = {
    "key research area": "Key research areas",
    "research topic": "Research topics",
    "expertise": "Expertise",
    "application": "Applications",
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


COLOR_KEY = "mila.color"  # where the command line's --color is kept (click's ctx.meta)


def _color() -> str:
    """--color for this run: 'always' and 'never' win over FORCE_COLOR and NO_COLOR."""
    import click

    ctx = click.get_current_context(silent=True)
    return str(ctx.meta.get(COLOR_KEY, "auto")) if ctx is not None else "auto"


def use_rich() -> bool:
    """Rich layout on a terminal, or anywhere colour is forced; plain text otherwise.

    Colour itself is rich's call: it honours NO_COLOR, FORCE_COLOR and TERM=dumb,
    unless --color said always or never.
    """
    color = _color()
    if color == "always" or (color == "auto" and os.environ.get("FORCE_COLOR")):
        return True
    try:
        return sys.stdout.isatty()
    except ValueError:  # a closed stream
        return False


MAX_TABLE_ROWS = 2000  # rich lays out a table whole; past this, plain lines keep a list fast
MAX_WIDTH = 1000  # columns and lines drawn at most, whatever COLUMNS or the terminal says
MIN_WIDTH = 20


def _tabled(rows: int) -> bool:
    """Whether a list of this many rows is drawn as a table (else as plain lines)."""
    if not use_rich():
        return False
    if rows > MAX_TABLE_ROWS:
        message(f"mila: {rows:,} rows are printed as plain lines (tables stop at {MAX_TABLE_ROWS:,})")
        return False
    return True


def _console() -> Console:
    """The console for stdout as it is now (one per stream and environment, made once)."""
    env = os.environ
    return _make_console(
        sys.stdout,
        _color(),
        env.get("COLUMNS"),
        env.get("LINES"),
        env.get("FORCE_COLOR"),
        env.get("NO_COLOR"),
        env.get("TERM"),
    )


@lru_cache(maxsize=4)
def _make_console(stream: object, color: str, *environment: str | None) -> Console:
    # The arguments are the cache key: rich reads the environment when a console is made.
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


def _plain(*fields: object) -> None:
    sys.stdout.write("\t".join(one_line(str(f)) for f in fields) + "\n")


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


def _id_column(ids: Iterable[str], name: str = "id") -> Column:
    """Ids are what people copy: never cut short, folded onto a second line at worst.

    A fixed width (the longest id, at most two fifths of the terminal) leaves the
    text beside it room to wrap; with min_width and max_width instead, rich can wrap
    the neighbouring text at one width and crop it at another.
    """
    cap = max(12, _console().width * 2 // 5)
    width = min(max((len(i) for i in ids), default=2), cap)
    return name, {"style": "cyan", "width": width, "overflow": "fold"}


def _narrow() -> bool:
    """Too narrow for a category column beside the text."""
    return _console().width < 80


# Text wraps at words, and "fold" (not the default ellipsis) breaks an over-long word.
_TEXT: Column = ("fact", {"ratio": 1, "overflow": "fold"})
_CATEGORY: Column = ("category", {"style": "magenta", "no_wrap": True})


def value_text(value: Any) -> str:
    """A field's value as one readable string."""
    if isinstance(value, list):
        return "; ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {value_text(v)}" for k, v in value.items())
    return str(value)


def source_text(source: dict[str, Any]) -> str:
    """A source as a reader names it: its title and what kind of document it is."""
    kind = source.get("kind")
    return f"{source['title']} — {kind}" if kind else str(source["title"])


def source_details(source: dict[str, Any]) -> str:
    """A source in full: title, kind, note, and the file or address it came from."""
    text = source_text(source)
    where = source.get("file") or source.get("url")
    if where:
        text += f" ({where})"
    if "note" in source:
        text += f". {source['note']}"
    return text


_QUALIFIERS = {"exact": "", "approximately": "about ", "more than": "more than "}


def count_text(fact: Fact) -> str:
    """A counted fact's figure as a person says it: about 800 researchers in 2021."""
    qualifier = _QUALIFIERS.get(str(fact.get("count_qualifier", "exact")), "")
    text = f"{qualifier}{fact['count']:,}"
    if "count_of" in fact:
        text += f" {fact['count_of']}"
    if "as_of" in fact:
        text += f" in {fact['as_of']}"
    return text


def answer_lines(intent: str | None, facts: Sequence[Fact], fact_set: FactSet) -> list[tuple[str, str]]:
    """What a question's answer leads with, as (the answer, where it comes from) pairs:
    the figure for a count (each figure with its own source), the date for when, the
    person for who, the place for where, the name for what."""
    lines = []
    for f in facts:
        source = source_text(fact_set.source(f))
        if intent == "count" and "count" in f:
            lines.append((count_text(f), source))
        elif intent == "when":
            lines.append((when(f) if "year" in f else _degree_years(f), f"{f['text']} ({source})"))
        elif intent == "who":
            lines.append((str(f.get("name") or f["id"]), "; ".join(f.get("roles", [])) or f["text"]))
        elif intent == "where":
            lines.append((str(f.get("place") or _degree_labs(f)), f"{f['text']} ({source})"))
        else:
            lines.append((str(f.get("name") or f["id"]), f"{f['text']} ({source})"))
    return lines


def _degree_years(f: Fact) -> str:
    return ", ".join(f"{d['degree']} {d['year']}" for d in f.get("degrees", ()) if "year" in d)


def _degree_labs(f: Fact) -> str:
    return ", ".join(f"{d['lab']} ({d['degree']})" for d in f.get("degrees", ()) if "lab" in d)


def when(fact: Fact) -> str:
    """A fact's date as a person reads it: 2020, or Dec 2020."""
    month = fact.get("month")
    if isinstance(month, int) and 1 <= month <= 12:
        return f"{_MONTHS[month - 1]} {fact['year']}"
    return str(fact["year"])


def _detail_fields(fact: Fact) -> list[tuple[str, str]]:
    skip = {"id", "category", "text", "source", "conflicts_with"}
    keys = [k for k in _DETAIL_ORDER if k in fact] + [k for k in fact if k not in skip and k not in _DETAIL_ORDER]
    return [(k.replace("_", " "), value_text(fact[k])) for k in keys]


# Lists ----------------------------------------------------------------------


def facts_list(facts: Sequence[Fact]) -> None:
    if not _tabled(len(facts)):
        for f in facts:
            _plain(f["id"], f["category"], f["text"])
        return
    narrow = _narrow()
    columns = [_id_column(f["id"] for f in facts), *([] if narrow else [_CATEGORY]), _TEXT]
    table = _table(*columns)
    for f in facts:
        cells = [_text(f["id"]), *([] if narrow else [_text(f["category"])]), _text(f["text"])]
        table.add_row(*cells)
    _console().print(table)


def history(events: Sequence[Fact]) -> None:
    if not _tabled(len(events)):
        for f in events:
            month = f.get("month")
            stamp = f"{f['year']}-{month:02d}" if isinstance(month, int) else str(f["year"])
            _plain(stamp, f["id"], f["text"])
        return
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
        year = when(f) if f["year"] != last_year or "month" in f else ""
        last_year = f["year"]
        event = _text(f["text"])
        event.append("  " + safe(f["id"]), style="dim")
        table.add_row(_text(year), "●", event)
    _console().print(table)


def areas(groups: Sequence[tuple[str, Sequence[Fact]]]) -> None:
    if not _tabled(sum(len(facts) for _, facts in groups)):
        for group, facts in groups:
            for f in facts:
                _plain(group, f["id"], f["name"])
        return
    console = _console()
    width = max((len(f["name"]) for _, facts in groups for f in facts), default=4)
    ids = [f["id"] for _, facts in groups for f in facts]
    for index, (group, facts) in enumerate(groups):
        if index:
            console.print()
        # The same column widths in every group, so the tables line up.
        name_column: Column = ("area", {"min_width": min(width, 40), "ratio": 1})
        table = _table(name_column, _id_column(ids), title=_GROUP_TITLES.get(group, group))
        for f in facts:
            table.add_row(_text(f["name"], "bold"), _text(f["id"]))
        console.print(table)


def people(persons: Sequence[Fact]) -> None:
    if not _tabled(len(persons)):
        for p in persons:
            _plain(p["id"], p["name"], value_text(p.get("roles", [])))
        return
    table = _table(
        ("name", {"ratio": 1}), ("noted for", {"ratio": 2, "overflow": "fold"}), _id_column(p["id"] for p in persons)
    )
    for p in persons:
        table.add_row(_text(p["name"], "bold"), _text("\n".join(p.get("roles", []))), _text(p["id"]))
    _console().print(table)


def _other_side(other: Fact, fact_set: FactSet) -> str:
    """What a disagreeing fact says, briefly, with its source: its figure if it has one."""
    said = count_text(other) if "count" in other else other["text"]
    return f"{said} ({source_text(fact_set.source(other))}; {other['id']})"


def _disagreement(f: Fact, fact_set: FactSet) -> str:
    return "; ".join(_other_side(o, fact_set) for o in fact_set.conflicts(f))


def search_results(outcome: Outcome, answer: Sequence[Fact], fact_set: FactSet) -> None:
    """Ranked results; on a terminal, a question's answer first. In a pipe, one line per
    result: score, id, category, text, and a fifth field when other sources disagree."""
    results = outcome.results
    if not use_rich():
        for r in results:
            f = r.fact
            disagreement = _disagreement(f, fact_set)
            extra = [f"disagrees: {disagreement}"] if disagreement else []
            _plain(f"{r.score:g}", f["id"], f["category"], f["text"], *extra)
        return
    if not results:
        return
    from rich.table import Table

    console = _console()
    if outcome.query.corrected:
        read_as = ", ".join(f"{typed} → {meant}" for typed, meant in outcome.query.corrected.items())
        console.print(_text(f"Read as: {read_as}", "dim"))
    lines = answer_lines(outcome.query.intent, answer, fact_set)
    if lines:
        lead = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        lead.add_column(style="bold green", no_wrap=False)
        lead.add_column(style="dim", ratio=1, overflow="fold")
        for headline, where in lines:
            lead.add_row(_text(headline), _text(where))
        console.print(_text("Answer", "bold"))
        console.print(lead)
        console.print()
    narrow = _narrow()
    table = _table(
        ("#", {"justify": "right"}),
        ("score", {"justify": "right"}),
        _id_column(r.fact["id"] for r in results),
        *([] if narrow else [_CATEGORY]),
        _TEXT,
    )
    for rank, r in enumerate(results, 1):
        f = r.fact
        category = [] if narrow else [_text(f["category"])]
        cell = _highlighted(f["text"], r.spans)
        for other in fact_set.conflicts(f):
            cell.append(f"\ndisagrees: {safe(_other_side(other, fact_set))}", style="italic")
        table.add_row(str(rank), f"{r.score:g}", _text(f["id"]), *category, cell)
    console.print(table)


def sources(rows: Sequence[dict[str, Any]]) -> None:
    """Each source with how many facts cite it."""
    if not use_rich():
        for s in rows:
            _plain(s["id"], s["title"], s.get("kind", ""), s["facts"])
        return
    table = _table(
        _id_column(s["id"] for s in rows),
        ("title", {"ratio": 2, "style": "bold"}),
        ("kind", {"ratio": 1}),
        ("facts", {"justify": "right"}),
    )
    for s in rows:
        table.add_row(_text(s["id"]), _text(s["title"]), _text(s.get("kind", "")), str(s["facts"]))
    _console().print(table)
    notes = [(s["id"], s["note"]) for s in rows if s.get("note")]
    for source_id, note in notes:
        _console().print(_text(f"{source_id}: {note}", "dim"))


def bookmarks(items: Sequence[dict[str, Any]]) -> None:
    """Items carry id, note, added and fact (None when the fact no longer exists)."""
    if not _tabled(len(items)):
        for b in items:
            fact = b["fact"]
            _plain(b["id"], b["added"], b["note"] or "", fact["text"] if fact else "(missing: no fact has this id now)")
        return
    table = _table(_id_column(b["id"] for b in items), ("added", {"style": "dim", "no_wrap": True}), _TEXT)
    for b in items:
        fact = b["fact"]
        text = _text(fact["text"]) if fact else _text("missing: no fact has this id now", "bold red")
        if b["note"]:
            text.append("\nnote: ", style="dim")
            text.append(safe(b["note"]), style="italic")
        table.add_row(_text(b["id"]), _text(b["added"][:10]), text)  # the day; JSON has the time
    _console().print(table)


# Single records -------------------------------------------------------------


def fact(f: Fact, fact_set: FactSet, related: Iterable[Fact] = ()) -> None:
    """One fact in full with its source, the facts that disagree with it, and optionally
    the facts that mention it."""
    related = list(related)
    source = fact_set.source(f)
    others = fact_set.conflicts(f)
    if not use_rich():
        _plain("id:", f["id"])
        _plain("category:", f["category"])
        _plain("text:", f["text"])
        for label, value in _detail_fields(f):
            _plain(f"{label}:", value)
        _plain("source:", source_details(source))
        for o in others:
            _plain("disagrees:", o["id"], o["text"], source_text(fact_set.source(o)))
        for r in related:
            _plain("mentioned in:", r["id"], r["text"])
        return
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    details = Table(box=None, show_header=False, pad_edge=False)
    details.add_column(style="bold")
    details.add_column()
    for label, value in _detail_fields(f):
        details.add_row(_text(label), _text(value))  # a pack names its own fields: a label is data too
    details.add_row("source", _text(source_details(source), "dim"))
    for o in others:
        other = _text(o["text"], "italic")
        other.append(f"\n{safe(source_text(fact_set.source(o)))}; {safe(o['id'])}", style="dim")
        details.add_row(_text("disagrees", "bold yellow"), other)
    title = _text(f.get("name") or f["id"], "bold")
    title.append("  " + (safe(f["id"]) + " · " if "name" in f else "") + safe(f["category"]), style="dim")
    parts: list[Any] = [_text(f["text"]), "", details]
    console = _console()
    console.print(Panel(Group(*parts), title=title, title_align="left", border_style="cyan"))
    if related:
        table = _table(_id_column(r["id"] for r in related), _TEXT, title="Mentioned in")
        for r in related:
            table.add_row(_text(r["id"]), _text(r["text"]))
        console.print(table)


def message(text: str) -> None:
    """A short line for the person at the terminal (to stderr, so stdout stays data)."""
    sys.stderr.write(one_line(text) + "\n")
