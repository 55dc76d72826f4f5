"""The click layer: parse, call the core, hand plain data to jsonout or render.

Imports only click and the dependency-free core at start-up; rich, rapidfuzz and
platformdirs come in inside the modules that use them, when they are used.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from mila_cli import __version__, completion
from mila_cli.errors import OUTPUT, MilaError, NotFound
from mila_cli.text import one_line, quoted

if TYPE_CHECKING:
    from mila_cli.bookmarks import BookmarkStore
    from mila_cli.facts import Fact, FactSet
    from mila_cli.search import SearchIndex

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    _TextType = click.ParamType[str, str]
else:  # ParamType is generic only in newer click
    _TextType = click.ParamType


class App:
    """What every command shares: the pack folders asked for, and the facts, loaded once."""

    def __init__(self, facts_dirs: list[str]) -> None:
        # The same list the --facts-dir callbacks extend: a subcommand's own --facts-dir
        # is read after this object is made, and before the facts are first loaded.
        self._dirs = facts_dirs
        self._facts: FactSet | None = None
        self._index: SearchIndex | None = None

    @property
    def facts_dirs(self) -> list[str]:
        from mila_cli.facts import pack_dirs_from_env

        return [*pack_dirs_from_env(), *self._dirs]

    @property
    def facts(self) -> FactSet:
        if self._facts is None:
            from mila_cli import facts

            self._facts = facts.load(self.facts_dirs)
        return self._facts

    @property
    def index(self) -> SearchIndex:
        """The search index, with the bundled vocabulary and every pack's own."""
        if self._index is None:
            from mila_cli.search import index_for

            self._index = index_for(self.facts)
        return self._index

    def fact(self, fact_id: str) -> Fact:
        """The fact with this id, or NotFound suggesting the closest ids."""
        if not fact_id.strip():
            raise click.UsageError("the fact id is empty")
        # Ids are lower-case slugs; 'Yoshua-Bengio' is a way of typing one, not a typo.
        found = self.facts.get(fact_id) or self.facts.get(fact_id.strip().lower())
        if found is None:
            from mila_cli.names import closest

            raise NotFound(f"no fact has the id {quoted(fact_id)}" + _hint(closest(fact_id, list(self.facts.by_id))))
        return found

    def with_conflicts(self, fact: Fact) -> Fact:
        """A fact as stored, plus 'conflicts': the facts that disagree with it, when there are any."""
        others = self.facts.conflicts(fact)
        return {**fact, "conflicts": others} if others else fact


class _Reported(click.ClickException):
    """A MilaError on its way out: one line on stderr, and the error's own exit code."""

    def __init__(self, error: MilaError) -> None:
        super().__init__(error.message)
        self.exit_code = error.exit_code  # type: ignore[misc]  # click declares a class default

    def show(self, file: Any = None) -> None:
        click.echo(f"mila: {one_line(self.message)}", file=file, err=True)


def _show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit()


class MilaCommand(click.Command):
    _plain_help: click.Option | None = None

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """click's -h/--help, with its help text written here rather than looked up.

        click asks gettext for that text on every run, TAB included, and each lookup
        searches the filesystem for translations; this option behaves the same.
        """
        names = self.get_help_option_names(ctx)
        if not names or not self.add_help_option:
            return None
        if self._plain_help is None:  # made once per command, as click does
            self._plain_help = click.Option(
                names,
                is_flag=True,
                is_eager=True,
                expose_value=False,
                callback=_show_help,
                help="Show this message and exit.",
            )
        return self._plain_help


class MilaGroup(MilaCommand, click.Group):
    command_class = MilaCommand
    group_class = type  # subgroups (bookmark) are MilaGroups too

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run, and in standalone mode turn every ending into an exit code.

        Done here rather than left to click so that errors (click's own included,
        which quote what the user typed) are made safe for the terminal, and so
        that the console script and CliRunner behave the same.
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        code = 0
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
            code = result if isinstance(result, int) else 0
            sys.stdout.flush()
        except click.ClickException as error:
            _show_error(error)
            code = error.exit_code
        except click.Abort as abort:
            interrupted = isinstance(abort.__cause__, KeyboardInterrupt)
            _show_line("Interrupted." if interrupted else "Aborted.")
            code = 130 if interrupted else 1
        except BrokenPipeError:
            code = _silence_stdout()
        except KeyboardInterrupt:  # outside a command, where click makes it Abort
            _show_line("Interrupted.")
            code = 130
        except OSError as error:
            # Reading is checked where it happens (DataError); what is left is writing:
            # a full disk (> /dev/full), a closed stdout (>&-), an I/O error.
            _silence_stdout()
            _show_line(f"mila: cannot write the output: {error.strerror or error}")
            code = OUTPUT
        sys.exit(code)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MilaError as error:
            raise _Reported(error) from None
        except BrokenPipeError:
            # Caught here, before click's own handler (which exits 1): a reader that
            # has what it wanted is not an error.
            _silence_stdout()
            raise click.exceptions.Exit(0) from None


def json_option(f: F) -> F:
    """The one output switch every command shares."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON (UTF-8) instead of text; see the README for fields."
    )(f)


def _hint(suggestions: Sequence[str]) -> str:
    return f"; did you mean {', '.join(suggestions)}?" if suggestions else ""


def _check_source(app: App, source: str | None) -> str | None:
    """The source id meant (ids are lower-case slugs, so case is forgiven), or a usage error."""
    if source is None or source in app.facts.source_by_id:
        return source
    if source.strip().lower() in app.facts.source_by_id:
        return source.strip().lower()
    raise click.BadParameter(
        f"unknown source {quoted(source)}; choose from: {', '.join(app.facts.source_by_id)}",
        param_hint="'--source'",
    )


class _Category(_TextType):
    """A category of the loaded facts, in any case ('PEOPLE' is people); TAB offers them."""

    name = "category"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        choice = str(value).strip().lower()
        app = ctx.find_object(App) if ctx is not None else None
        if app is None:  # completing: no facts are loaded to check against
            return choice
        known = app.facts.categories()
        if choice not in known:
            self.fail(f"unknown category {quoted(str(value))}; choose from: {', '.join(known)}", param, ctx)
        return choice

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        return completion.categories(ctx, param, incomplete)


CATEGORY = _Category()


class _Folder(_TextType):
    """A folder name, kept as typed (the pack loader reports what is wrong with it); TAB offers folders."""

    name = "directory"

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(incomplete, type="dir")]


_DIRS = "mila.facts_dirs"  # ctx.meta key: every --facts-dir given, before or after the command


def _add_facts_dirs(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    for folder in value:
        if not folder.strip():
            raise click.BadParameter("the folder name is empty", ctx, param)
    ctx.meta.setdefault(_DIRS, []).extend(value)


def _set_color(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:  # the last one given wins, before or after the command
        ctx.meta["mila.color"] = value.lower()  # read by render._color


def shared_options(f: F) -> F:
    """--facts-dir and --color, accepted after the command as well as before it, as git and rg do."""
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
        type=_Folder(),
        expose_value=False,
        is_eager=True,  # before --category, whose values come from the packs
        callback=_add_facts_dirs,
        help="Also load the fact pack in DIR (repeatable; MILA_FACTS_PATH adds more).",
    )(f)


EPILOG = """\b
Examples:
  mila facts --category people      every fact about people
  mila facts --source encyclopedia  every fact one document states
  mila sources                      the documents the facts come from
  mila show yoshua-bengio           one fact and its source
  mila history --since 2000         Mila's history as a timeline
  mila areas nlp                    an area and the facts that mention it
  mila people joelle                a person, typos and accents forgiven
  mila search "who founded LISA"    ask a question, in English or French
  mila bookmark add iclr            keep a fact for later
  mila completion install           TAB-completion for your shell
Exit codes: 0 found, 1 not found, 2 usage error, 3 bad data or user files.
"""


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"mila {__version__}")
        ctx.exit()


# A plain eager option rather than click.version_option, whose translated help text
# costs a gettext lookup on every run, TAB included.
@click.group(cls=MilaGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@shared_options
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Answers questions about Mila, the Quebec AI Institute, from facts bundled with it."""
    ctx.obj = App(ctx.meta.setdefault(_DIRS, []))


@cli.command(short_help="List every fact, or those of one category or source.")
@shared_options
@click.option("--category", "-c", type=CATEGORY, metavar="C", help="Only facts of category C (any case).")
@click.option("--source", "-s", metavar="ID", shell_complete=completion.sources, help="Only facts from source ID.")
@json_option
@click.pass_obj
def facts(app: App, category: str | None, source: str | None, as_json: bool) -> None:
    """List every fact, or those of one category or one source.

    \b
    Examples:
      mila facts --category history
      mila facts --source core-expertise
    """
    source = _check_source(app, source)
    rows = [f for f in app.facts.in_category(category) if source is None or f["source"] == source]
    _emit(as_json, rows, lambda r: r.facts_list(rows))


@cli.command(short_help="The documents the facts come from.")
@shared_options
@json_option
@click.pass_obj
def sources(app: App, as_json: bool) -> None:
    """The documents the facts come from, and how many facts cite each.

    \b
    Example:
      mila sources --json
    """
    rows = [{**s, "facts": len(app.facts.citing(s["id"]))} for s in app.facts.sources]
    _emit(as_json, rows, lambda r: r.sources(rows))


@cli.command(short_help="Show one fact by its id, with its source.")
@shared_options
@click.argument("fact_id", metavar="ID", shell_complete=completion.fact_ids)
@json_option
@click.pass_obj
def show(app: App, fact_id: str, as_json: bool) -> None:
    """Show one fact by its id, with its source.

    \b
    Example:
      mila show lisa-founded
    """
    fact = app.fact(fact_id)
    _emit(as_json, app.with_conflicts(fact), lambda r: r.fact(fact, app.facts))


@cli.command(short_help="Mila's history as a timeline, oldest first.")
@shared_options
@click.option("--since", type=int, metavar="YEAR", help="Only events in YEAR or later.")
@click.option("--until", type=int, metavar="YEAR", help="Only events in YEAR or earlier.")
@json_option
@click.pass_obj
def history(app: App, since: int | None, until: int | None, as_json: bool) -> None:
    """Mila's history as a timeline: every dated fact, oldest first.

    \b
    Example:
      mila history --since 2010 --until 2020
    """
    if since is not None and until is not None and since > until:
        raise click.UsageError(f"--since {since} is after --until {until}: no year is in that range")
    events = app.facts.dated(since, until)
    _emit(as_json, events, lambda r: r.history(events))
    if not events:
        raise NotFound("no dated facts in that range")


@cli.command(short_help="Research areas and topics, or one area and what mentions it.")
@shared_options
@click.argument("name", nargs=-1, metavar="[NAME]...", shell_complete=completion.areas)
@json_option
@click.pass_obj
def areas(app: App, name: tuple[str, ...], as_json: bool) -> None:
    """Research areas, topics and applications, grouped; or, with NAME, the best
    match and the facts that mention it.

    \b
    Examples:
      mila areas
      mila areas "reinforcement lerning"
    """
    all_areas = app.facts.areas()
    if not name:
        from itertools import groupby

        groups = [(g, list(fs)) for g, fs in groupby(all_areas, key=lambda f: f["group"])]
        _emit(as_json, all_areas, lambda r: r.areas(groups))
        return
    from mila_cli.names import mentions

    area = _named(app, " ".join(name), all_areas, "area")
    related = mentions(area, app.facts.facts)
    _emit(as_json, {**area, "mentioned_in": related}, lambda r: r.fact(area, app.facts, related))


@cli.command(short_help="Everyone the documents name, or one person.")
@shared_options
@click.argument("name", nargs=-1, metavar="[NAME]...", shell_complete=completion.people)
@json_option
@click.pass_obj
def people(app: App, name: tuple[str, ...], as_json: bool) -> None:
    """Everyone the documents name and what each is noted for; with NAME, one
    person (case, accents and typos forgiven).

    \b
    Examples:
      mila people
      mila people benjio
    """
    persons = app.facts.people()
    if not name:
        _emit(as_json, persons, lambda r: r.people(persons))
        return
    person = _named(app, " ".join(name), persons, "person")
    _emit(as_json, person, lambda r: r.fact(person, app.facts))


def _named(app: App, name: str, candidates: list[Fact], what: str) -> Fact:
    """The candidate a name means: by name, alias or id first; else the best search answer
    among them that is called by every word asked, through the vocabulary (so
    'apprentissage profond' finds Deep Learning, but 'quantum' finds no area); else NotFound."""
    from mila_cli.names import MAX_NAME_CHARS, MAX_NAME_WORDS, closest, find_named
    from mila_cli.text import words

    if not name.strip():
        raise click.UsageError(f"the {what}'s name is empty; leave it out to list them all")
    if len(name) > MAX_NAME_CHARS or len(words(name)) > MAX_NAME_WORDS:
        raise click.UsageError(
            f"a {what}'s name is at most {MAX_NAME_WORDS} words and {MAX_NAME_CHARS:,} characters; "
            "to search every fact, use 'mila search'"
        )
    found = find_named(name, candidates) or app.index.called(name, {c["id"] for c in candidates})
    if found is None:
        labels = [str(c.get("name") or c["id"]) for c in candidates]
        raise NotFound(f"no {what} matches {quoted(name)}" + _hint(closest(name, labels)))
    return found


class _Score(click.FloatRange):
    """A score from 0 to 100; not 'nan', which every range check lets through."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import math

        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number from 0 to 100.", param, ctx)
        return number


_SCORE = _Score(0, 100)


@cli.command(short_help="Ask a question or search every fact, in English or French.")
@shared_options
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True, help="At most N results.")
@click.option("--category", "-c", type=CATEGORY, metavar="C", help="Only facts of category C (any case).")
@click.option(
    "--min-score",
    type=_SCORE,
    default=None,
    metavar="S",
    help="Drop results scoring below S (0-100)  [default: 60, or 4 less for each term beyond 3, down to 48]",
)
@json_option
@click.pass_obj
def search(
    app: App, query: tuple[str, ...], limit: int, category: str | None, min_score: float | None, as_json: bool
) -> None:
    """Ask a question, or search every fact by words, in English or French.
    Questions are understood (who, when, how many, where, what is), synonyms and
    typos are forgiven, and a question no fact answers gets no answer. A QUERY of
    '-' is read from standard input.

    \b
    Examples:
      mila search "who founded LISA"
      mila search "combien de chercheurs"
      mila search reinforcment lerning --limit 3
      echo "qui a fondé Mila" | mila search -
    """
    text = _stdin_query() if query == ("-",) else " ".join(query)
    if not text.strip():
        raise click.UsageError("the search query is empty")
    outcome = app.index.search(text, limit=limit, category=category, min_score=min_score)
    if as_json:
        from mila_cli import jsonout

        jsonout.write([{**app.with_conflicts(r.fact), "score": r.score} for r in outcome.results])
    else:
        from mila_cli import render

        render.search_results(outcome, app.index.answer(outcome), app.facts)
    if not outcome.results:
        from mila_cli.explain import no_answer

        raise NotFound(no_answer(app.index, outcome, text))


_STDIN_LIMIT = 100_000  # characters of a query read from stdin; a question is far shorter


def _stdin_query() -> str:
    """The query piped in ('echo bengio | mila search -'): every line, read as one query."""
    stream = sys.stdin
    if stream is None or isinstance(stream, ClosedInput):
        raise click.UsageError("the query was to be read from standard input, which is closed")
    raw = (
        stream.buffer.read(_STDIN_LIMIT * 4 + 1)
        if hasattr(stream, "buffer")
        else stream.read(_STDIN_LIMIT + 1).encode()
    )
    text = raw.decode("utf-8", errors="replace")
    if len(raw) > _STDIN_LIMIT * 4 or len(text) > _STDIN_LIMIT:
        raise click.UsageError(f"the query on standard input is longer than {_STDIN_LIMIT:,} characters")
    return " ".join(text.split())


@cli.group(short_help="Keep facts for later: add, list, remove, clear, path.")
def bookmark() -> None:
    """Keep facts for later. Bookmarks live in one file in your user data
    directory (MILA_DATA_DIR overrides it); see 'mila bookmark path'.

    \b
    Example:
      mila bookmark add yoshua-bengio --note "read his papers"
    """


@bookmark.command("add", short_help="Bookmark a fact, with a note or a new note.")
@shared_options
@click.argument("fact_id", metavar="ID", shell_complete=completion.fact_ids)
@click.option("--note", metavar="TEXT", help="A note to keep with it.")
@click.pass_obj
def bookmark_add(app: App, fact_id: str, note: str | None) -> None:
    """Bookmark the fact ID, with an optional note. Adding it again keeps one
    bookmark: a --note replaces its note, --note "" clears it, none keeps it.

    \b
    Example:
      mila bookmark add iclr --note "conference"
    """
    fact_id = app.fact(fact_id)["id"]  # only existing facts, by their ids as stored
    store = _store()
    created = store.add(fact_id, note)
    _notices(store)
    from mila_cli import render

    render.message(f"{'bookmarked' if created else 'updated bookmark'} {fact_id}")


@bookmark.command("list", short_help="Your bookmarks with their facts.")
@shared_options
@json_option
@click.pass_obj
def bookmark_list(app: App, as_json: bool) -> None:
    """Your bookmarks, oldest first, each with its fact's text, note and when it
    was added. A bookmark whose fact is gone is shown as missing, never dropped.

    \b
    Example:
      mila bookmark list --json
    """
    items = [{**b, "fact": app.facts.get(b["id"])} for b in _store().read()]
    if as_json:
        from mila_cli import jsonout

        jsonout.write([{**i, "missing": i["fact"] is None} for i in items])
    else:
        from mila_cli import render

        if items:
            render.bookmarks(items)
        else:
            render.message("no bookmarks yet; add one with 'mila bookmark add ID'")


@bookmark.command("remove", short_help="Remove a bookmark.")
@shared_options
@click.argument("fact_id", metavar="ID", shell_complete=completion.bookmarked)
def bookmark_remove(fact_id: str) -> None:
    """Remove the bookmark ID.

    \b
    Example:
      mila bookmark remove iclr
    """
    store = _store()
    removed = store.remove(fact_id)
    _notices(store)
    if not removed:
        from mila_cli.names import closest

        ids = [b["id"] for b in store.read()]
        raise NotFound(f"{quoted(fact_id)} is not bookmarked" + _hint(closest(fact_id, ids)))
    from mila_cli import render

    render.message(f"removed bookmark {fact_id}")


@bookmark.command("clear", short_help="Remove every bookmark (asks first).")
@shared_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask; for scripts.")
def bookmark_clear(yes: bool) -> None:
    """Remove every bookmark. Asks first unless --yes is given.

    \b
    Example:
      mila bookmark clear --yes
    """
    if not yes:
        click.confirm("Remove every bookmark?", abort=True, err=True)
    store = _store()
    count = store.clear()
    _notices(store)
    from mila_cli import render

    render.message(f"removed {count} bookmark{'s' if count != 1 else ''}")


@bookmark.command("path", short_help="Print where the bookmarks file is.")
@shared_options
def bookmark_path() -> None:
    """Print the path of the bookmarks file (it may not exist yet).

    \b
    Example:
      mila bookmark path
    """
    click.echo(str(_store().path))


def _store() -> BookmarkStore:
    from mila_cli.bookmarks import BookmarkStore

    return BookmarkStore()


def _notices(store: BookmarkStore) -> None:
    from mila_cli import render

    for notice in store.notices:
        render.message(f"mila: {notice}")


@cli.command("completion", short_help="Print or install the TAB-completion script for a shell.")
@click.argument("words", nargs=-1, metavar="[install] [SHELL]", shell_complete=completion.completion_words)
def completion_command(words: tuple[str, ...]) -> None:
    """Print the TAB-completion script for SHELL (bash, zsh or fish), or install it
    where that shell finds it for you: 'install' alone takes the shell from $SHELL.
    Installing again is harmless; it says what it did and any line you must add.

    \b
    Examples:
      mila completion install
      mila completion install fish
      eval "$(mila completion bash)"
    """
    from mila_cli import shells

    names = ", ".join(shells.SHELLS)
    if len(words) == 1 and words[0] in shells.SHELLS:
        click.echo(shells.script(words[0]), nl=False)
        return
    if not words or words[0] != "install" or len(words) > 2:
        raise click.UsageError(f"name a shell ({names}), or 'install' and optionally a shell")
    if len(words) == 2 and words[1] not in shells.SHELLS:
        raise click.UsageError(f"unknown shell {quoted(words[1])}; choose from: {names}")
    shell = words[1] if len(words) == 2 else shells.shell_from_env()
    if shell is None:
        raise click.UsageError(
            f"cannot tell your shell from SHELL={quoted(os.environ.get('SHELL', ''))}; name one: {names}"
        )
    try:
        done = shells.install(shell)
    except OSError as error:
        raise MilaError(f"cannot install the {shell} completion: {error.strerror or error}") from None
    for line in shells.report(done):
        click.echo(line)


def _emit(as_json: bool, data: Any, draw: Callable[[Any], None]) -> None:
    """Write data as JSON, or hand the render module to draw."""
    if as_json:
        from mila_cli import jsonout

        jsonout.write(data)
    else:
        from mila_cli import render

        draw(render)


def _silence_stdout() -> int:
    # The reader went away (mila facts | head -1), or the output cannot be written: stop,
    # and point stdout at devnull so the interpreter's final flush has nothing to complain about.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor, as under a test runner
        pass
    return 0


def _show_line(text: str) -> None:
    from mila_cli.text import safe

    try:
        sys.stderr.write(safe(text) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # nobody is listening, or stderr is full: nothing else to do
        pass


def _show_error(error: click.ClickException) -> None:
    """Click's rendering of an error (usage lines, then the message), the message on one
    line: a newline typed or read from data must not start a line that looks like ours."""
    import io

    buffer = io.StringIO()
    error.show(file=buffer)
    shown = buffer.getvalue().rstrip("\n")
    _show_line(shown.replace(error.message, one_line(error.message)) if error.message else shown)


class _ClosedOutput(io.TextIOBase):
    """Standard output or error that was closed before mila started (mila facts >&-):
    writing to it is an output error; a command that writes nothing there still works."""

    def __init__(self, name: str) -> None:
        self.stream_name = name

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, f"{self.stream_name} is closed")

    def isatty(self) -> bool:
        return False


class ClosedInput(io.StringIO):
    """Standard input that was closed before mila started: it reads as empty."""


def _prepare_streams() -> None:
    if sys.stdin is None:
        sys.stdin = ClosedInput()
    if sys.stdout is None:
        sys.stdout = _ClosedOutput("standard output")
    if sys.stderr is None:
        sys.stderr = _ClosedOutput("standard error")
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            # An encoding that cannot show a character (PYTHONIOENCODING=ascii) gets '?'.
            reconfigure(errors="replace")
        try:
            # A parent may leave a pipe non-blocking: a write would then stop part way
            # (65,536 bytes) and lose the rest. Every byte is written or it fails loudly.
            if not os.get_blocking(stream.fileno()):
                os.set_blocking(stream.fileno(), True)
        except (OSError, ValueError, AttributeError):
            pass


def main() -> NoReturn:
    """The console script: set up the streams, then run (cli.main exits)."""
    _prepare_streams()
    cli.main(prog_name="mila")
    raise SystemExit(0)  # not reached: cli.main always exits
