"""How mila runs as a program: the click classes, every ending turned into an exit code and
one line on stderr, and the standard streams made safe to write before anything runs.

cli.py holds the commands; this module holds what they run inside.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import click

from mila_cli import __version__
from mila_cli.errors import OUTPUT, USAGE, MilaError
from mila_cli.text import one_line


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

    def invoke(self, ctx: click.Context) -> None:
        """Run the command. A usage error found by the core (a blank id, a name too long)
        is shown as click shows its own: the command's usage, then the error."""
        try:
            super().invoke(ctx)
        except MilaError as error:
            if error.exit_code != USAGE:
                raise
            raise click.UsageError(one_line(error.message), ctx) from None


class MilaGroup(MilaCommand, click.Group):
    """mila's groups: commands made when first asked for, and every ending an exit code.

    A command's click objects (its options, their types) are made by a function
    registered with `lazy`, when click looks the command up: a run pays for the one it
    runs, not for all of them (a millisecond). Help and click's own completion list
    them all, and so make them all.
    """

    command_class = MilaCommand
    group_class = type  # subgroups (bookmark) are MilaGroups too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._makers: dict[str, Callable[[], None]] = {}

    def lazy(self, name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
        """Register a function that defines the command `name` (with self.command or
        self.group) when click first looks it up."""

        def register(make: Callable[[], None]) -> Callable[[], None]:
            self._makers[name] = make
            return make

        return register

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        make = self._makers.pop(cmd_name, None)
        if make is not None:
            make()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self._makers})

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as missing:
            # click suggests among the commands made so far; every name is a candidate.
            raise click.exceptions.NoSuchCommand(
                missing.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

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
        except OSError as error:
            # Reading is checked where it happens (DataError); what is left is writing:
            # a full disk (> /dev/full), a closed stdout (>&-), an I/O error.
            code = _output_failed(error)
        sys.exit(code)

    def invoke(self, ctx: click.Context) -> None:
        # Nothing is returned: a command's return value must never become an exit code.
        try:
            super().invoke(ctx)
        except MilaError as error:
            raise _Reported(error) from None
        except BrokenPipeError:
            # Caught here, before click's own handler (which exits 1): a reader that
            # has what it wanted is not an error.
            _silence_stdout()
            raise click.exceptions.Exit(0) from None


def print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"mila {__version__}")
        ctx.exit()


def _output_failed(error: OSError | ValueError) -> int:
    """Say that the output could not be written (ValueError: a closed stream); its exit code."""
    _silence_stdout()
    _show_line(f"mila: cannot write the output: {getattr(error, 'strerror', None) or error}")
    return OUTPUT


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
    import gc

    from mila_cli.cli import cli

    # Start-up is over (mila_cli.main turned the collector off for it). What it made is
    # frozen, so that no pass of the collector, nor the one at exit, walks it again; the
    # collector is on for the command, which may read a pack of a million facts.
    gc.freeze()
    gc.enable()
    _prepare_streams()
    code: object = 0
    try:
        cli.main(prog_name="mila")
    except SystemExit as done:  # always: cli.main exits
        code = done.code
    _leave(code)


def _leave(code: object) -> NoReturn:
    """End the process without tearing the interpreter down: freeing every object and
    module one by one would cost each run 1-2 ms, a search more. Nothing is lost by it:
    mila's output is flushed here, and what it writes to files is closed before
    (bookmarks fsynced and renamed into place, the pack index committed)."""
    if code is None:
        code = 0
    elif not isinstance(code, int):
        _show_line(str(code))
        code = 1
    try:
        sys.stdout.flush()  # a command flushes its output; an error may leave some behind
    except BrokenPipeError:
        pass  # the reader has what it wanted
    except (OSError, ValueError) as error:
        failed = _output_failed(error)  # said even when the run had failed already
        code = code or failed
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)
