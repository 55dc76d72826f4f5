"""mila: answers questions about Mila, the Quebec AI Institute, from facts bundled with it."""

import os

__version__ = "0.1.0"

if os.environ.get("_MILA_COMPLETE"):
    # A TAB given up on (Ctrl-C) ends at once and silently: whatever it printed would
    # land in the user's prompt. Set first thing, before the imports a TAB waits on;
    # through signal's C core, since signal.py itself costs a TAB half a millisecond.
    try:
        import _signal as signal  # type: ignore[import-not-found]
    except ImportError:  # another Python than CPython
        import signal
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def main() -> None:
    """The console script. Ctrl-C while Python is still importing ends as it does later."""
    # Start-up makes only what lives until exit (modules, classes, click's commands), so
    # the collector's passes over it would free nothing: it is off until start-up is done
    # (program.main turns it back on for the command). About 2 ms of every run.
    import gc

    gc.disable()
    try:
        if os.environ.get("_MILA_COMPLETE"):
            # A TAB: answered from the index when it can be, before click is imported.
            from mila_cli import fasttab

            if fasttab.run():
                raise SystemExit(0)
        from mila_cli.program import main as run

        run()
    except KeyboardInterrupt:
        import sys

        sys.stderr.write("Interrupted.\n")
        raise SystemExit(130) from None
    finally:
        gc.enable()  # for a caller in the same process (a test), whatever ended the run
