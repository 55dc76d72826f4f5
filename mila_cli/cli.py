"""The commands, and nothing else: each parses its arguments, asks the App (facts, search,
bookmarks) and hands what it got to the run's output. How a run starts and ends (exit
codes, errors, streams) is in program.py; shared options and types in params.py.

Imports only click and the dependency-free core at start-up; rich, rapidfuzz and
platformdirs come in inside the modules that use them, when they are used.
"""

from __future__ import annotations

import os
import sys

import click

from mila_cli.app import App, did_you_mean
from mila_cli.errors import MilaError, NotFound
from mila_cli.params import CATEGORY, SCORE, SOURCE, json_option, offers, shared_options
from mila_cli.program import ClosedInput, MilaGroup, print_version
from mila_cli.text import quoted

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
Exit codes: 0 found, 1 not found, 2 usage error, 3 bad data or user files,
4 output not written.
Pack files over 1 MiB, or all of them once they total 8 MiB, are indexed for
fast search in a cache folder (MILA_CACHE_DIR, else the user cache folder,
~/.cache/mila on Linux); to clear it, delete the folder: the next run makes the
index again.
"""


# A plain eager option rather than click.version_option, whose translated help text
# costs a gettext lookup on every run, TAB included.
@click.group(cls=MilaGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=print_version,
    help="Show the version and exit.",
)
@shared_options
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Answers questions about Mila, the Quebec AI Institute, from facts bundled with it."""
    ctx.obj = App(ctx.meta)


@cli.lazy("facts")
def _facts() -> None:
    @cli.command(short_help="List every fact, or those of one category or source.")
    @shared_options
    @click.option("--category", "-c", type=CATEGORY, metavar="C", help="Only facts of category C (any case).")
    @click.option("--source", "-s", type=SOURCE, metavar="ID", help="Only facts from source ID.")
    @json_option
    @click.pass_obj
    def facts(app: App, category: str | None, source: str | None, as_json: bool) -> None:
        """List every fact, or those of one category or one source.

        \b
        Examples:
          mila facts --category history
          mila facts --source core-expertise
        """
        rows = [f for f in app.fact_set.in_category(category) if source is None or f["source"] == source]
        app.output(as_json).facts(rows)


@cli.lazy("sources")
def _sources() -> None:
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
        fact_set = app.fact_set
        app.output(as_json).sources([{**s, "facts": fact_set.citing(s["id"])} for s in fact_set.sources])


@cli.lazy("show")
def _show() -> None:
    @cli.command(short_help="Show one fact by its id, with its source.")
    @shared_options
    @click.argument("fact_id", metavar="ID", shell_complete=offers("fact_ids"))
    @json_option
    @click.pass_obj
    def show(app: App, fact_id: str, as_json: bool) -> None:
        """Show one fact by its id, with its source.

        \b
        Example:
          mila show lisa-founded
        """
        app.output(as_json).fact(app.fact(fact_id), app.fact_set)


@cli.lazy("history")
def _history() -> None:
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
        events = app.fact_set.dated(since, until)
        app.output(as_json).history(events)
        if not events:
            raise NotFound("no dated facts in that range")


@cli.lazy("areas")
def _areas() -> None:
    @cli.command(short_help="Research areas and topics, or one area and what mentions it.")
    @shared_options
    @click.argument("name", nargs=-1, metavar="[NAME]...", shell_complete=offers("areas"))
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
        if not name:
            app.output(as_json).areas(app.fact_set.area_groups())
            return
        from mila_cli.names import mention_words, mentions

        area = app.named(" ".join(name), app.fact_set.areas(), "area")
        related = mentions(area, app.fact_set.holding(mention_words(area)))
        app.output(as_json).fact(area, app.fact_set, related=related)
        _notes(app)


@cli.lazy("people")
def _people() -> None:
    @cli.command(short_help="Everyone the documents name, or one person.")
    @shared_options
    @click.argument("name", nargs=-1, metavar="[NAME]...", shell_complete=offers("people"))
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
        persons = app.fact_set.people()
        if not name:
            app.output(as_json).people(persons)
            return
        app.output(as_json).fact(app.named(" ".join(name), persons, "person"), app.fact_set)
        _notes(app)


@cli.lazy("search")
def _search() -> None:
    @cli.command("search", short_help="Ask a question or search every fact, in English or French.")
    @shared_options
    @click.argument("query", nargs=-1, required=True)
    @click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True, help="At most N results.")
    @click.option("--category", "-c", type=CATEGORY, metavar="C", help="Only facts of category C (any case).")
    @click.option(
        "--min-score",
        type=SCORE,
        default=None,
        metavar="S",
        help="Drop results scoring below S (0-100)  [default: 60, or 4 less for each term beyond 3, down to 48]",
    )
    @json_option
    @click.pass_obj
    def search_command(
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
        index = app.index
        outcome = index.search(text, limit=limit, category=category, min_score=min_score)
        app.output(as_json).search(outcome, index.answer(outcome), app.fact_set)
        if not outcome.results:
            from mila_cli.explain import no_answer

            raise NotFound(no_answer(index, outcome, text))


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


@cli.lazy("bookmark")
def _bookmark() -> None:
    @cli.group(short_help="Keep facts for later: add, list, remove, clear, path.")
    @shared_options
    def bookmark() -> None:
        """Keep facts for later. Bookmarks live in one file in your user data
        directory (MILA_DATA_DIR overrides it); see 'mila bookmark path'.

        \b
        Example:
          mila bookmark add yoshua-bengio --note "read his papers"
        """

    @bookmark.command("add", short_help="Bookmark a fact, with a note or a new note.")
    @shared_options
    @click.argument("fact_id", metavar="ID", shell_complete=offers("fact_ids"))
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
        created = app.store.add(fact_id, note)
        _notices(app)
        _say(f"{'bookmarked' if created else 'updated bookmark'} {fact_id}")

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
        app.output(as_json).bookmarks([{**b, "fact": app.fact_set.get(b["id"])} for b in app.store.read()])

    @bookmark.command("remove", short_help="Remove a bookmark.")
    @shared_options
    @click.argument("fact_id", metavar="ID", shell_complete=offers("bookmarked"))
    @click.pass_obj
    def bookmark_remove(app: App, fact_id: str) -> None:
        """Remove the bookmark ID.

        \b
        Example:
          mila bookmark remove iclr
        """
        removed = app.store.remove(fact_id)
        _notices(app)
        if not removed:
            from mila_cli.names import closest

            ids = [b["id"] for b in app.store.read()]
            raise NotFound(f"{quoted(fact_id)} is not bookmarked" + did_you_mean(closest(fact_id, ids)))
        _say(f"removed bookmark {fact_id}")

    @bookmark.command("clear", short_help="Remove every bookmark (asks first).")
    @shared_options
    @click.option("--yes", "-y", is_flag=True, help="Do not ask; for scripts.")
    @click.pass_obj
    def bookmark_clear(app: App, yes: bool) -> None:
        """Remove every bookmark. Asks first unless --yes is given.

        \b
        Example:
          mila bookmark clear --yes
        """
        if not yes:
            click.confirm("Remove every bookmark?", abort=True, err=True)
        count = app.store.clear()
        _notices(app)
        _say(f"removed {count} bookmark{'s' if count != 1 else ''}")

    @bookmark.command("path", short_help="Print where the bookmarks file is.")
    @shared_options
    @click.pass_obj
    def bookmark_path(app: App) -> None:
        """Print the path of the bookmarks file (it may not exist yet).

        \b
        Example:
          mila bookmark path
        """
        click.echo(str(app.store.path))


def _say(text: str) -> None:
    from mila_cli.output import message

    message(text)


def _notes(app: App) -> None:
    """After the answer: other things the name fits, on stderr (stdout stays the answer)."""
    for note in app.notes:
        _say(f"mila: {note}")


def _notices(app: App) -> None:
    for notice in app.store.notices:
        _say(f"mila: {notice}")


@cli.lazy("completion")
def _completion() -> None:
    @cli.command("completion", short_help="Print or install the TAB-completion script for a shell.")
    @shared_options
    @click.argument("words", nargs=-1, metavar="[install] [SHELL]", shell_complete=offers("completion_words"))
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
