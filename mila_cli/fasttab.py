"""A TAB answered before click is imported: from a small index of the commands and the
bundled facts' values (mila_cli/_tab_index.py, made by mila_cli.tabindex from the real
click objects), in click's own output format for bash, zsh and fish.

Only requests the index can answer exactly are answered here: plain words (no quotes,
no option before the word being completed but the one whose value it is), ASCII. With
packs (MILA_FACTS_PATH), only fact ids, and only when a record says every pack fact is
in a pack index that a load has checked (mila_cli.layout): the ids come from the index.
Everything else returns False and click answers, as it always did. A test runs every
command, option and value position in the three shells through both and compares the
bytes, with and without packs.
"""

from __future__ import annotations

import os

# The bash script joins the words with newlines (its IFS), zsh and fish with spaces.
_PLAIN = frozenset(" \nabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:@%+/=")


def _words(text: str) -> list[str] | None:
    # click splits with shlex; on text with no quotes, escapes or other whitespace, str.split agrees.
    if any(c not in _PLAIN for c in text):
        return None
    return text.split()


def request(env: os._Environ[str] | dict[str, str]) -> tuple[str, list[str], str] | None:
    """(shell, complete args, incomplete) as click would read them, or None when this
    request is not one for the fast path."""
    instruction = env.get("_MILA_COMPLETE", "")
    shell, _, what = instruction.partition("_")
    if what != "complete" or shell not in ("bash", "zsh", "fish"):
        return None
    words = _words(env.get("COMP_WORDS", ""))
    if words is None:
        return None
    cword = env.get("COMP_CWORD", "")
    if shell == "fish":
        typed = _words(cword)
        if typed is None:
            return None
        incomplete = typed[0] if typed else ""
        args = words[1:]
        if incomplete and args and args[-1] == incomplete:
            args.pop()
        return shell, args, incomplete
    if not cword.isdigit():
        return None
    index = int(cword)
    args = words[1:index]
    incomplete = words[index] if index < len(words) else ""
    return shell, args, incomplete


def _position(args: list[str], positions: dict[str, tuple[str, list[tuple[str, ...]]]]) -> str | None:
    key = " ".join(args)
    if key in positions:
        return key
    # More words after a NAME that takes many (people, areas): click offers nothing more.
    if len(args) >= 2 and not any(a.startswith("-") for a in args) and f"{args[0]} *" in positions:
        return f"{args[0]} *"
    return None


def _matching(rule: str, items: list[tuple[str, ...]], incomplete: str) -> list[tuple[str, ...]]:
    if rule == "exact":  # command names: as click compares them
        return [i for i in items if i[0].startswith(incomplete)]
    typed = incomplete.lower()  # ASCII only here: text.fold is lower() for ASCII
    if rule == "folded":
        return [i for i in items if i[0].startswith(typed)]
    if rule == "sources":
        return [i for i in items if i[0].startswith(typed) or any(w.startswith(typed) for w in i[2:])]
    return _ids_first(_named_by(items, typed), typed)


def _named_by(items: list[tuple[str, ...]], typed: str) -> list[tuple[str, ...]]:
    """The facts whose id, or a word of whose names, begins with typed."""
    return [i for i in items if not typed or i[0].startswith(typed) or any(k.startswith(typed) for k in i[2:])]


def _ids_first(found: list[tuple[str, ...]], typed: str) -> list[tuple[str, ...]]:
    """The ids that start with what was typed; only when none does, those named by it."""
    starting = [i for i in found if i[0].startswith(typed)]
    return starting or found


# Where fact ids are offered, and of which category: what a pack index can answer.
_FACT_POSITIONS = {"show": None, "bookmark add": None, "people": "people"}


def _with_packs(
    items: list[tuple[str, ...]], incomplete: str, packs: list[str], category: str | None
) -> list[tuple[str, ...]] | None:
    """The bundled values and the indexed packs' ids, as completion.matching and _items
    choose them; None when the packs' index cannot answer (click then does)."""
    from mila_cli.layout import MAX_OFFERS, indexed_offers

    typed = incomplete.lower()
    found = _named_by(items, typed)
    indexed = indexed_offers(packs, typed, category, MAX_OFFERS - len(found))
    if indexed is None:
        return None
    found += indexed
    if len(found) > MAX_OFFERS:
        return []
    return _ids_first(found, typed)


def _format(shell: str, value: str, help_: str) -> str:
    if shell == "bash":
        return f"plain,{value}"
    if shell == "zsh":
        shown = help_ or "_"
        return f"plain\n{value.replace(':', chr(92) + ':') if shown != '_' else value}\n{shown}"
    if help_:
        return f"plain,{value}\t{help_}"
    return f"plain,{value}"


def answer(env: os._Environ[str] | dict[str, str]) -> bytes | None:
    """The bytes click would print for this completion request, or None to let click answer."""
    asked = request(env)
    if asked is None:
        return None
    shell, args, incomplete = asked
    if not incomplete.isascii() or incomplete[:1] in ("-", "=") or "=" in incomplete:
        return None
    from mila_cli._tab_index import POSITIONS

    key = _position(args, POSITIONS)
    if key is None:
        return None
    rule, items = POSITIONS[key]
    packs = [p for p in env.get("MILA_FACTS_PATH", "").split(os.pathsep) if p.strip()]
    if packs:
        if key not in _FACT_POSITIONS:
            return None
        with_packs = _with_packs(items, incomplete, packs, _FACT_POSITIONS[key])
        if with_packs is None:
            return None
        chosen = with_packs
    else:
        chosen = _matching(rule, items, incomplete)
    return ("\n".join(_format(shell, i[0], i[1]) for i in chosen) + "\n").encode()


def run() -> bool:
    """Answer this process's completion request and return True, or return False for click."""
    data = answer(os.environ)
    if data is None:
        return False
    try:
        while data:
            data = data[os.write(1, data) :]
    except OSError:  # the shell went away: nothing to tell it
        pass
    return True
