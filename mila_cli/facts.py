"""Loading, validating and indexing fact files: the bundled ones and users' packs.

A fact file is a JSON array of fact objects (the same shape `mila facts --json`
prints). Facts are kept as plain dicts, in file order, exactly as stored, so that
JSON output is the data itself. The checks here mirror facts/schema.json; a test
holds the two to the same verdicts.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mila_cli.errors import DataError

Fact = dict[str, Any]

# A pack file larger than this is refused before it is read.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_TEXT = 10_000
MAX_SLUG = 80

PEOPLE = "people"
HISTORY = "history"
AREAS = "areas"
AREA_GROUPS = ("key research area", "research topic", "expertise", "application")
COUNT_QUALIFIERS = ("exact", "approximately", "more than")

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_AS_OF = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?\Z")


def bundled_dir() -> Path:
    """Where the bundled facts are: inside the package in a wheel, beside it in a checkout.

    hatchling's force-include copies the top-level facts/ into the wheel as
    mila_cli/facts; an editable install runs from the checkout, where the folder
    stays at the top level.
    """
    here = Path(__file__).parent
    inside = here / "facts"
    return inside if inside.is_dir() else here.parent / "facts"


def pack_dirs_from_env() -> list[str]:
    """Pack folders named by MILA_FACTS_PATH (separated like PATH); blanks ignored."""
    return [p for p in os.environ.get("MILA_FACTS_PATH", "").split(os.pathsep) if p.strip()]


class FactSet:
    """Every loaded fact, in load order, with the indexes the commands need."""

    def __init__(self, facts: list[Fact], origins: dict[str, str]) -> None:
        self.facts = facts
        self.by_id: dict[str, Fact] = {f["id"]: f for f in facts}
        self.origins = origins  # id -> the file it came from

    def get(self, fact_id: str) -> Fact | None:
        return self.by_id.get(fact_id)

    def categories(self) -> list[str]:
        """Categories in order of first appearance (bundled ones first)."""
        return list(dict.fromkeys(f["category"] for f in self.facts))

    def in_category(self, category: str | None) -> list[Fact]:
        if category is None:
            return list(self.facts)
        return [f for f in self.facts if f["category"] == category]

    def people(self) -> list[Fact]:
        return self.in_category(PEOPLE)

    def areas(self) -> list[Fact]:
        """Areas ordered by group (as AREA_GROUPS lists them), then as stored."""
        rank = {g: i for i, g in enumerate(AREA_GROUPS)}
        return sorted(self.in_category(AREAS), key=lambda f: rank.get(f["group"], len(rank)))

    def dated(self, since: int | None = None, until: int | None = None) -> list[Fact]:
        """Every fact with a year, oldest first; a stable sort keeps file order in ties."""
        events = [
            f
            for f in self.facts
            if "year" in f and (since is None or f["year"] >= since) and (until is None or f["year"] <= until)
        ]
        events.sort(key=lambda f: (f["year"], f.get("month", 0)))
        return events


def load(pack_dirs: Iterable[str] = ()) -> FactSet:
    """Load the bundled facts and then each pack folder, in the order given."""
    facts: list[Fact] = []
    origins: dict[str, str] = {}
    for path in _fact_files(bundled_dir(), bundled=True):
        _add(path, facts, origins)
    for folder in pack_dirs:
        for path in _fact_files(Path(folder), bundled=False):
            _add(path, facts, origins)
    return FactSet(facts, origins)


def _fact_files(folder: Path, *, bundled: bool) -> list[Path]:
    what = "bundled facts folder" if bundled else "facts folder"
    if not folder.exists():
        raise DataError(f"{what} not found: {folder}")
    if not folder.is_dir():
        raise DataError(f"{what} is not a folder: {folder}")
    try:
        # scandir, not Path.glob: glob compiles a pattern, and every TAB pays for it.
        with os.scandir(folder) as entries:
            files = sorted(folder / e.name for e in entries if e.name.endswith(".json"))
    except OSError as exc:
        raise DataError(f"cannot read {what} {folder}: {exc.strerror or exc}") from None
    # The bundled schema.json describes fact files; it is not one. In a pack, every
    # .json file is a fact file, whatever its name.
    return [p for p in files if not (bundled and p.name == "schema.json")]


def _add(path: Path, facts: list[Fact], origins: dict[str, str]) -> None:
    for fact in read_file(path):
        fact_id = fact["id"]
        if fact_id in origins:
            raise DataError(f"duplicate id '{fact_id}' in {origins[fact_id]} and {path}")
        origins[fact_id] = str(path)
        facts.append(fact)


def read_file(path: Path) -> list[Fact]:
    """One fact file, parsed and validated, or a DataError naming what is wrong."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DataError(
                f"{path}: {size} bytes is over the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit for a fact file"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(data, list):
        raise DataError(f"{path}: a fact file must be a JSON array of facts")
    for index, fact in enumerate(data):
        problem = check_fact(fact)
        if problem is not None:
            field, message = problem
            label = f"fact #{index + 1}"
            if isinstance(fact, dict) and isinstance(fact.get("id"), str):
                label += f" '{fact['id']}'"
            where = f", field '{field}'" if field else ""
            raise DataError(f"{path}: {label}{where}: {message}")
    return data


def check_fact(fact: Any) -> tuple[str, str] | None:
    """The first problem with a fact as (field, message), or None when it is valid."""
    if not isinstance(fact, dict):
        return "", "must be a JSON object"
    for field in ("id", "category", "text", "source"):
        if field not in fact:
            return field, "is required"
    for field in ("id", "category"):
        value = fact[field]
        if not isinstance(value, str) or len(value) > MAX_SLUG or not _SLUG.match(value):
            return field, f"must be lowercase ASCII words joined by '-', at most {MAX_SLUG} characters"
    if text_problem := _check_text(fact["text"], MAX_TEXT):
        return "text", text_problem
    if source_problem := _check_source(fact["source"]):
        return "source", source_problem
    for field in ("name", "url"):
        if field in fact and (problem := _check_text(fact[field], 1000)):
            return field, problem
    for field in ("aliases", "tags", "roles"):
        if field in fact and (problem := _check_strings(fact[field])):
            return field, problem
    if field_problem := _check_dates(fact) or _check_count(fact):
        return field_problem
    if "degrees" in fact and (problem := _check_degrees(fact["degrees"])):
        return "degrees", problem
    if "group" in fact and fact["group"] not in AREA_GROUPS:
        return "group", "must be one of: " + ", ".join(AREA_GROUPS)
    return _check_category_fields(fact)


def _check_category_fields(fact: Fact) -> tuple[str, str] | None:
    category = fact["category"]
    required: Sequence[str] = ()
    if category == PEOPLE:
        required = ("name", "roles")
    elif category == AREAS:
        required = ("name", "group")
    elif category == HISTORY:
        required = ("year",)
    for field in required:
        if field not in fact:
            return field, f"is required for a fact in category '{category}'"
    if category == PEOPLE and not fact["roles"]:
        return "roles", "must name at least one role"
    return None


def _check_text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if len(value) > limit:
        return f"must be at most {limit} characters"
    return None


def _check_strings(value: Any) -> str | None:
    if not isinstance(value, list):
        return "must be an array of strings"
    for item in value:
        if _check_text(item, 1000):
            return "must be an array of non-empty strings"
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_source(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be an object with a 'title'"
    if _check_text(value.get("title"), 1000):
        return "must have a non-empty 'title'"
    for key in ("file", "url"):
        if key in value and _check_text(value[key], 1000):
            return f"'{key}' must be a non-empty string"
    return None


def _check_dates(fact: Fact) -> tuple[str, str] | None:
    if "year" in fact and (not _is_int(fact["year"]) or not 1 <= fact["year"] <= 9999):
        return "year", "must be a whole number from 1 to 9999"
    if "month" in fact:
        if "year" not in fact:
            return "month", "needs a 'year'"
        if not _is_int(fact["month"]) or not 1 <= fact["month"] <= 12:
            return "month", "must be a whole number from 1 to 12"
    if "as_of" in fact and (not isinstance(fact["as_of"], str) or not _AS_OF.match(fact["as_of"])):
        return "as_of", "must be a date written YYYY, YYYY-MM or YYYY-MM-DD"
    return None


def _check_count(fact: Fact) -> tuple[str, str] | None:
    if "count" in fact and (not _is_int(fact["count"]) or fact["count"] < 0):
        return "count", "must be a whole number, 0 or more"
    if "count_qualifier" in fact:
        if "count" not in fact:
            return "count_qualifier", "needs a 'count'"
        if fact["count_qualifier"] not in COUNT_QUALIFIERS:
            return "count_qualifier", "must be one of: " + ", ".join(COUNT_QUALIFIERS)
    return None


def _check_degrees(value: Any) -> str | None:
    if not isinstance(value, list):
        return "must be an array of objects"
    for item in value:
        if not isinstance(item, dict) or _check_text(item.get("degree"), 100):
            return "each needs a non-empty 'degree'"
        if "year" in item and (not _is_int(item["year"]) or not 1 <= item["year"] <= 9999):
            return "each 'year' must be a whole number from 1 to 9999"
        if "lab" in item and _check_text(item["lab"], 1000):
            return "each 'lab' must be a non-empty string"
    return None
