"""Long output on a terminal goes through a pager, as git and gh do.

The pager is MILA_PAGER, then PAGER, then `less`; an empty value or `cat` means none.
`less` gets LESS=FRX unless LESS is set (quit if one screen, keep colour, leave the
screen as it was), as git gives it. Never in a pipe (the caller only pages a terminal),
and --no-pager turns it off.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys


def command() -> list[str] | None:
    """The pager to run, as argv; None when the user asked for none or it cannot be found."""
    chosen = os.environ.get("MILA_PAGER")
    if chosen is None:
        chosen = os.environ.get("PAGER")
    if chosen is None:
        chosen = "less"
    try:
        argv = shlex.split(chosen)
    except ValueError:  # an unbalanced quote: not a command we can run
        return None
    if not argv or argv == ["cat"] or shutil.which(argv[0]) is None:
        return None
    return argv


def page(text: str, encoding: str | None = None) -> bool:
    """Show text through the pager; False (nothing shown) when there is no pager to run.

    Written in `encoding` (JSON is always UTF-8), else as stdout would write it. A pager
    other than less gets no colour codes and no padding: `more` counts them as text.
    """
    argv = command()
    if argv is None:
        return False
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")  # lv, a pager some systems use, keeps colour with -c
    try:
        sys.stdout.flush()
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    assert process.stdin is not None
    try:
        if os.path.basename(argv[0]) != "less":
            text = _plain(text)
        process.stdin.write(text.encode(encoding or sys.stdout.encoding or "utf-8", "replace"))
        process.stdin.close()
    except BrokenPipeError:  # the reader quit the pager before the end: that is fine
        pass
    while True:
        try:
            process.wait()
            break
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager while it runs, as in git
            continue
    return True


def _plain(text: str) -> str:
    import re

    return "".join(line.rstrip() + "\n" for line in re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines())
