"""The options and parameter types commands share, shaped the way click expects: each
type converts a value and offers values to TAB (convert + shell_complete)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from mila_cli.app import COLOR_KEY, DIRS_KEY, NO_PAGER_KEY, App
from mila_cli.text import quoted

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    _TextType = click.ParamType[str, str]
else:  # ParamType is generic only in newer click
    _TextType = click.ParamType


def offers(name: str) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    """A shell_complete callback from mila_cli.completion, imported only when TAB asks:
    with it come the facts module and json, which `mila --version` has no use for."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from mila_cli import completion

        callback: Callable[[click.Context, click.Parameter, str], list[Any]] = getattr(completion, name)
        return callback(ctx, param, incomplete)

    return complete


def _app(ctx: click.Context | None) -> App | None:
    """The run's App; None while completing, when no command runs and nothing is loaded."""
    return ctx.find_object(App) if ctx is not None else None


class _LoadedName(_TextType):
    """A name the loaded facts define, typed in any case (names are lower-case slugs)."""

    what = ""

    def known(self, app: App) -> list[str]:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        choice = str(value).strip().lower()
        app = _app(ctx)
        if app is None:
            return choice
        known = self.known(app)
        if choice not in known:
            self.fail(f"unknown {self.what} {quoted(str(value))}; choose from: {', '.join(known)}", param, ctx)
        return choice


class CategoryType(_LoadedName):
    """A category of the loaded facts, in any case ('PEOPLE' is people)."""

    name = what = "category"

    def known(self, app: App) -> list[str]:
        return app.fact_set.categories()

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from mila_cli import completion

        return completion.categories(ctx, param, incomplete)


class SourceType(_LoadedName):
    """The id of a loaded source, in any case."""

    name = what = "source"

    def known(self, app: App) -> list[str]:
        return list(app.fact_set.source_by_id)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from mila_cli import completion

        return completion.sources(ctx, param, incomplete)


class FolderType(_TextType):
    """A folder name, kept as typed (the pack loader says what is wrong with it); TAB offers folders."""

    name = "directory"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not str(value).strip():
            self.fail("the folder name is empty", param, ctx)
        return str(value)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(incomplete, type="dir")]


class ScoreType(click.FloatRange):
    """A score from 0 to 100; not 'nan', which every range check lets through."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number from 0 to 100.", param, ctx)
        return number


CATEGORY = CategoryType()
SOURCE = SourceType()
SCORE = ScoreType(0, 100)


def _add_facts_dirs(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    ctx.meta.setdefault(DIRS_KEY, []).extend(value)


def _set_color(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:  # the last one given wins, before or after the command
        ctx.meta[COLOR_KEY] = value.lower()


def _no_pager(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[NO_PAGER_KEY] = True


def shared_options(f: F) -> F:
    """--facts-dir, --color and --no-pager, accepted after the command as well as before
    it, as git and rg do.

    Both keep their values in ctx.meta, which every context of the run shares, for the
    App to read when the command first needs them.
    """
    f = click.option(
        "--no-pager",
        is_flag=True,
        expose_value=False,
        callback=_no_pager,
        help="Never page long output on a terminal (MILA_PAGER, PAGER or less -FRX).",
    )(f)
    f = click.option(
        "--color",
        type=click.Choice(("auto", "always", "never"), case_sensitive=False),
        expose_value=False,
        is_eager=True,
        callback=_set_color,
        help="Colour and layout: auto (on a terminal), always, never.  [default: auto]",
    )(f)
    return click.option(
        "--facts-dir",
        multiple=True,
        metavar="DIR",
        type=FolderType(),
        expose_value=False,
        is_eager=True,  # before --category and --source, whose values come from the packs
        callback=_add_facts_dirs,
        help="Also load the fact pack in DIR (repeatable; MILA_FACTS_PATH adds more).",
    )(f)


def json_option(f: F) -> F:
    """The one output switch every command shares."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON (UTF-8) instead of text; see the README for fields."
    )(f)
