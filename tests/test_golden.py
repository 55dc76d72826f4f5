"""Every terminal view at 40, 80 and 120 columns is what tests/golden/ holds, and the
README's terminal samples are what mila draws at 80 columns (tests/golden.py redraws both)."""

from __future__ import annotations

import pytest
from conftest import ROOT
from golden import GOLDEN, VIEWS, WIDTHS, draw, readme_with_samples

CASES = [(name, width) for name in VIEWS for width in WIDTHS]


@pytest.mark.parametrize(("name", "width"), CASES, ids=[f"{n}@{w}" for n, w in CASES])
def test_view_is_its_golden_file(name: str, width: int) -> None:
    golden = (GOLDEN / f"{name}@{width}.txt").read_text(encoding="utf-8")
    assert draw(VIEWS[name], width) == golden, "redraw with: python tests/golden.py --write (and look at it)"


@pytest.mark.parametrize(("name", "width"), CASES, ids=[f"{n}@{w}" for n, w in CASES])
def test_no_line_is_wider_than_the_terminal(name: str, width: int) -> None:
    golden = (GOLDEN / f"{name}@{width}.txt").read_text(encoding="utf-8")
    assert max(len(line) for line in golden.splitlines()) <= width


def test_readme_terminal_samples_are_drawn_at_80_columns() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_samples(readme) == readme, "redraw with: python tests/golden.py --write"
