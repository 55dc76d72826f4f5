"""Facts put into words for people: figures, dates, sources, details. Shared by the plain
and rich views; no terminal, no rich."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mila_cli.facts import Fact, FactSet

# Fields shown by name in a fact's details, in this order; others follow as stored.
DETAIL_ORDER = (
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
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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
            if f.get("roles") or "name" in f:
                lines.append((str(f.get("name") or f["id"]), "; ".join(f.get("roles", [])) or f["text"]))
            else:  # an event that names who did it: the people and organizations it names lead
                # People first: in 'LISA was founded by Yoshua Bengio at the Université de
                # Montréal', the university is where, not who.
                named = [p["name"] for p in fact_set.people() if p["name"] in f["text"]] or [
                    o["name"] for o in fact_set.in_category("organizations") if "name" in o and o["name"] in f["text"]
                ]
                lines.append((", ".join(named) or f["id"], f"{f['text']} ({source})"))
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


def detail_fields(fact: Fact) -> list[tuple[str, str]]:
    """The fields shown by label under a fact's text: known ones in order, then a pack's own."""
    skip = {"id", "category", "text", "source", "conflicts_with"}
    keys = [k for k in DETAIL_ORDER if k in fact] + [k for k in fact if k not in skip and k not in DETAIL_ORDER]
    return [(k.replace("_", " "), value_text(fact[k])) for k in keys]


def other_side(other: Fact, fact_set: FactSet) -> str:
    """What a disagreeing fact says, briefly, with its source: its figure if it has one."""
    said = count_text(other) if "count" in other else other["text"]
    return f"{said} ({source_text(fact_set.source(other))}; {other['id']})"


def disagreement(f: Fact, fact_set: FactSet) -> str:
    """Every fact that disagrees with f, briefly, on one line; empty when none does."""
    return "; ".join(other_side(o, fact_set) for o in fact_set.conflicts(f))
