"""Make mila_cli/_tab_index.py, the index the fast TAB path answers from (mila_cli.fasttab).

    python -m mila_cli.tabindex    # after changing commands, options or the bundled facts

Each position is the words before the one being completed, with the rule that filters
its values by what was typed and the values as click offers them for an empty word
(value, help, and the words a value is also found by). The values come from click's own
completion of the real commands, so the index cannot drift from them without a test
noticing (tests/test_fasttab.py).
"""

from __future__ import annotations

import os
import pprint
from typing import Any

INDEX_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_tab_index.py")


def _offers(args: list[str]) -> list[Any]:
    from click.shell_completion import ShellComplete

    from mila_cli.cli import cli

    return ShellComplete(cli, {}, "mila", "_MILA_COMPLETE").get_completions(args, "")


def build() -> dict[str, tuple[str, list[tuple[str, ...]]]]:
    """Every position the fast path answers, from the real commands and bundled facts."""
    from mila_cli import facts
    from mila_cli.text import fold, words

    fact_set = facts.load()

    def fact_keys(fact_id: str) -> tuple[str, ...]:
        fact = fact_set.by_id[fact_id]
        keys: list[str] = []
        for name in (fact.get("name"), *fact.get("aliases", [])):
            if name:
                folded = fold(name)
                keys += [folded, *words(folded)]
        return tuple(dict.fromkeys(keys))

    def plain(args: list[str]) -> list[tuple[str, ...]]:
        return [(i.value, i.help or "") for i in _offers(args)]

    def valued(args: list[str]) -> list[tuple[str, ...]]:
        return [(i.value, i.help or "", *fact_keys(i.value)) for i in _offers(args)]

    positions: dict[str, tuple[str, list[tuple[str, ...]]]] = {
        "": ("exact", plain([])),
        "bookmark": ("exact", plain(["bookmark"])),
        "completion": ("exact", plain(["completion"])),
        "completion install": ("exact", plain(["completion", "install"])),
        "show": ("facts", valued(["show"])),
        "bookmark add": ("facts", valued(["bookmark", "add"])),
        "people": ("facts", valued(["people"])),
        "areas": ("facts", valued(["areas"])),
        "people *": ("exact", []),
        "areas *": ("exact", []),
    }
    titles = {s["id"]: tuple(words(fold(s["title"]))) for s in fact_set.sources}
    for command in ("facts", "search"):
        for option in ("--category", "-c"):
            positions[f"{command} {option}"] = ("folded", plain([command, option]))
    for option in ("--source", "-s"):
        positions[f"facts {option}"] = (
            "sources",
            [(i.value, i.help or "", *titles[i.value]) for i in _offers(["facts", option])],
        )
    return positions


def text() -> str:
    """The module's source. Values offered at more than one position (fact ids for `show`
    and `bookmark add`, categories after -c and --category) are written once and shared:
    every TAB reads this module, so its size is start-up time."""
    positions = build()
    seen: dict[str, int] = {}
    for _, values in positions.values():
        seen[repr(values)] = seen.get(repr(values), 0) + 1
    names: dict[str, str] = {}
    shared: list[str] = []
    for _, values in positions.values():
        written = repr(values)
        if values and seen[written] > 1 and written not in names:
            names[written] = f"_VALUES_{len(names)}"
            shared.append(f"{names[written]}: list[tuple[str, ...]] = {pprint.pformat(values, width=120)}\n\n")
    entries = [
        f"    {key!r}: ({rule!r}, {names.get(repr(values)) or pprint.pformat(values, width=120)}),\n"
        for key, (rule, values) in positions.items()
    ]
    return (
        '"""Made by mila_cli.tabindex from the commands and the bundled facts; do not edit.\n\n'
        'Regenerate with: python -m mila_cli.tabindex\n"""\n\n'
        + "".join(shared)
        + "# position -> (how what was typed is matched, [(value, help, words it is also found by), ...])\n"
        + "POSITIONS: dict[str, tuple[str, list[tuple[str, ...]]]] = {\n"
        + "".join(entries)
        + "}\n"
    )


def main() -> None:
    with open(INDEX_PATH, "w", encoding="utf-8") as handle:
        handle.write(text())
    print(f"wrote {INDEX_PATH}")


if __name__ == "__main__":
    main()
