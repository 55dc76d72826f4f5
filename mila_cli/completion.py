"""Shell completion: the values TAB offers, and the scripts that ask for them.

Every TAB runs mila again, so this path loads the facts (plain JSON) and nothing
else: no rich, no rapidfuzz, no search index. A callback that fails for any reason
offers nothing rather than print into the user's prompt.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from mila_cli.facts import AREAS, PEOPLE, sort_areas
from mila_cli.layout import MAX_OFFERS
from mila_cli.text import fold, one_line, words

if TYPE_CHECKING:
    import click
    from click.shell_completion import CompletionItem

    from mila_cli.facts import Fact, FactSet

_HELP_WIDTH = 60


def _quiet(callback: Callable[..., list[CompletionItem]]) -> Callable[..., list[CompletionItem]]:
    @functools.wraps(callback)
    def wrapper(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        try:
            return callback(ctx, param, incomplete)
        except Exception:  # a broken pack or bookmark file: no values, no noise
            return []

    return wrapper


def _facts(ctx: click.Context) -> FactSet:
    # No command runs while completing, so no App was made: one is made for the facts,
    # from every --facts-dir typed so far (before or after the command) and MILA_FACTS_PATH.
    from mila_cli.app import App

    return App(ctx.meta).fact_set


def help_text(text: str) -> str:
    """What TAB shows beside a value: one line, at most _HELP_WIDTH characters."""
    line = one_line(text)
    return line if len(line) <= _HELP_WIDTH else line[: _HELP_WIDTH - 1] + "…"


def matches(incomplete: str, fact: Fact) -> bool:
    """Whether what was typed starts the id, or a word of the fact's name or aliases.

    Case and accents are ignored: 'jo' and 'JO' both offer joelle-pineau (Joëlle).
    """
    typed = fold(incomplete)
    if not typed or fact["id"].startswith(typed):
        return True
    for name in (fact.get("name"), *fact.get("aliases", [])):
        if name:
            folded = fold(name)
            if folded.startswith(typed) or any(w.startswith(typed) for w in words(folded)):
                return True
    return False


def matching(fact_set: FactSet, typed: str, category: str | None, most: int) -> list[Fact] | None:
    """The facts (of a category) whose id, or a name or alias or a word of one, begins
    with typed, in load order; None when there are more than most. A pack index is
    asked for its own (layout.matching), not read whole."""
    found: list[Fact] = []
    for part in fact_set.facts.parts:
        if isinstance(part, list):
            found += [f for f in part if (category is None or f["category"] == category) and matches(typed, f)]
        else:
            indexed = part.matching(fold(typed), category, most - len(found))
            if indexed is None:
                return None
            found += [f for _, f in indexed]
        if len(found) > most:
            return None
    return found


def _items(fact_set: FactSet, incomplete: str, category: str | None = None) -> list[CompletionItem]:
    """Ids that start with what was typed; only when there are none, those a word of whose
    name or aliases does ('ben' offers yoshua-bengio). Shells complete a word from its start,
    and a mix would leave them no common start to complete to. Areas come in their groups'
    order, as `mila areas` lists them."""
    from click.shell_completion import CompletionItem

    found = matching(fact_set, incomplete, category, MAX_OFFERS)
    if found is None:
        return []
    if category == AREAS:
        found = sort_areas(found)
    typed = fold(incomplete)
    starting = [f for f in found if f["id"].startswith(typed)]
    return [CompletionItem(f["id"], help=help_text(f.get("name") or f["text"])) for f in starting or found]


@_quiet
def fact_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return _items(_facts(ctx), incomplete)


@_quiet
def people(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    # A name may be typed as several words, but TAB offers ids, which are one.
    return [] if ctx.params.get(param.name or "") else _items(_facts(ctx), incomplete, PEOPLE)


@_quiet
def areas(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return [] if ctx.params.get(param.name or "") else _items(_facts(ctx), incomplete, AREAS)


@_quiet
def categories(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    typed = fold(incomplete)
    counts = _facts(ctx).category_counts()
    return [CompletionItem(c, help=f"{n} facts") for c, n in counts.items() if c.startswith(typed)]


@_quiet
def bookmarked(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    from mila_cli.bookmarks import BookmarkStore

    typed = fold(incomplete)
    out = []
    for b in BookmarkStore().read():
        if b["id"].startswith(typed):
            out.append(CompletionItem(b["id"], help=help_text(b["note"] or "bookmark")))
    return out


@_quiet
def sources(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    typed = fold(incomplete)
    return [
        CompletionItem(s["id"], help=help_text(s["title"]))
        for s in _facts(ctx).sources
        if s["id"].startswith(typed) or any(w.startswith(typed) for w in words(fold(s["title"])))
    ]


_INSTALL = "install"


@_quiet
def completion_words(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """`mila completion [install] SHELL`: a shell or 'install' first, then a shell."""
    from click.shell_completion import CompletionItem

    from mila_cli.shells import SHELLS

    given = ctx.params.get(param.name or "") or ()
    if not given:
        offers = [*SHELLS, _INSTALL]
    elif tuple(given) == (_INSTALL,):
        offers = list(SHELLS)
    else:
        offers = []
    return [CompletionItem(o) for o in offers if o.startswith(incomplete)]
