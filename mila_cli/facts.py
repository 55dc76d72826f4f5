"""Loading, validating and indexing fact folders: the bundled one and users' packs.

A folder holds fact files (JSON arrays of facts, the shape `mila facts --json`
prints), and may hold `sources.json` (the documents its facts cite) and
`vocabulary.json` (search words; read by mila_cli.vocabulary, only when searching).
Facts are kept as plain dicts, in file order, exactly as stored, so that JSON
output is the data itself. The checks here mirror the JSON Schemas in
facts/schema/; tests hold the two to the same verdicts.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from mila_cli.errors import DataError
from mila_cli.layout import bundled_dir

if TYPE_CHECKING:
    from mila_cli.packindex import Range, Store

Fact = dict[str, Any]

# A pack file larger than this is refused; no more than this is ever read.
MAX_FILE_BYTES = 64 * 1024 * 1024
# An extra field's value may nest lists and objects this deep (a fact is level 1).
MAX_DEPTH = 16
MAX_TEXT = 10_000
MAX_SLUG = 80
SOURCES_FILE = "sources.json"
VOCABULARY_FILE = "vocabulary.json"

PEOPLE = "people"
HISTORY = "history"
AREAS = "areas"
AREA_GROUPS = ("key research area", "research topic", "expertise", "application")
COUNT_QUALIFIERS = ("exact", "approximately", "more than")

# Patterns are compiled on first use (re caches them), not at import: every run imports
# this module, few meet a field mila does not know.
# A field's name is shown as a label beside its value: lowercase words joined by _ or -.
_FIELD_NAME = r"[a-z0-9]+(?:[_-][a-z0-9]+)*\Z"
# What --json adds to a fact: a pack's field of the same name would be hidden or mistaken for it.
RESERVED_FIELDS = frozenset(("score", "conflicts", "mentioned_in"))
_KNOWN_FIELDS = frozenset(
    "id category text source conflicts_with name url place count_of aliases tags roles year month as_of "
    "count count_qualifier degrees group".split()
)
_DIGITS = frozenset("0123456789")


def pack_dirs_from_env() -> list[str]:
    """Pack folders named by MILA_FACTS_PATH (separated like PATH); blanks ignored."""
    return [p for p in os.environ.get("MILA_FACTS_PATH", "").split(os.pathsep) if p.strip()]


Source = dict[str, Any]


class FactList(Sequence["Fact"]):
    """Every loaded fact in load order, made of parts: lists read into memory, and
    ranges of a pack index (packindex.Range) read as they are asked for."""

    def __init__(self, parts: Sequence[list[Fact] | Range]) -> None:
        self.parts = [p for p in parts if len(p)]
        self.starts: list[int] = []
        total = 0
        for part in self.parts:
            self.starts.append(total)
            total += len(part)
        self._total = total

    def __len__(self) -> int:
        return self._total

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._total))]
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError(index)
        import bisect

        k = bisect.bisect_right(self.starts, index) - 1
        return self.parts[k][index - self.starts[k]]

    def __iter__(self) -> Iterator[Fact]:
        for part in self.parts:
            yield from part

    def in_memory(self) -> Iterator[tuple[int, Fact]]:
        """(place, fact) of the facts read into memory."""
        for start, part in zip(self.starts, self.parts, strict=True):
            if isinstance(part, list):
                yield from enumerate(part, start)

    def place_of(self, number: int) -> int:
        """The place in load order of a pack index's fact number."""
        for start, part in self.indexed():
            if part.lo <= number < part.hi:
                return start + number - part.lo
        raise IndexError(number)

    def indexed(self) -> list[tuple[int, Range]]:
        """(place of its first fact, range) of each range of a pack index."""
        return [
            (start, part) for start, part in zip(self.starts, self.parts, strict=True) if not isinstance(part, list)
        ]


class FactSet:
    """Every loaded fact, in load order, with the sources they cite and the indexes the commands need."""

    def __init__(
        self,
        facts: Sequence[Fact],
        sources: list[Source] | None = None,
        vocabularies: list[str] | None = None,
    ) -> None:
        self.facts = facts if isinstance(facts, FactList) else FactList([list(facts)])
        self.by_id: dict[str, Fact] = {f["id"]: f for _, f in self.facts.in_memory()}  # the facts in memory
        self._place = {f["id"]: i for i, f in self.facts.in_memory()}
        self.store = next((part.store for _, part in self.facts.indexed()), None)
        self.sources = sources or []
        self.source_by_id: dict[str, Source] = {s["id"]: s for s in self.sources}
        self.vocabularies = vocabularies or []  # vocabulary files, bundled first
        self.bundled_count = 0  # the first facts are the bundled ones
        # Conflict links count both ways, even when only one side (a pack) names the
        # other: per fact, (the place of the fact that declared the link, the other side).
        self._links: dict[str, list[tuple[int, str]]] = {}
        for place, fact in self.facts.in_memory():
            for other in fact.get("conflicts_with", ()):
                self._links.setdefault(fact["id"], []).append((place, other))
                self._links.setdefault(other, []).append((place, fact["id"]))

    def get(self, fact_id: str) -> Fact | None:
        found = self.by_id.get(fact_id)
        if found is None and self.store is not None:
            place = self.place(fact_id)
            return None if place is None else self.facts[place]
        return found

    def place(self, fact_id: str) -> int | None:
        """Where the fact with this id is in load order."""
        found = self._place.get(fact_id)
        if found is None and self.store is not None:
            number = self.store.find(fact_id)
            if number is not None:
                return self.place_of(number)
        return found

    def place_of(self, number: int) -> int:
        """The place in load order of a pack index's fact number."""
        return self.facts.place_of(number)

    def ids(self) -> Iterator[str]:
        for part in self.facts.parts:
            yield from (f["id"] for f in part) if isinstance(part, list) else part.ids()

    def source(self, fact: Fact) -> Source:
        """The source a fact cites (loading has checked that it exists)."""
        return self.source_by_id[fact["source"]]

    def conflicts(self, fact: Fact) -> list[Fact]:
        """The facts that disagree with this one, whichever side declared the link, in the
        order the links were declared."""
        fact_id = fact["id"]
        links = list(self._links.get(fact_id, ()))
        if self.store is not None:
            links += [(self.place_of(pos), b if a == fact_id else a) for pos, a, b in self.store.links(fact_id)]
            links.sort(key=lambda link: link[0])  # stable: a fact's own links keep their order
        others = dict.fromkeys(other for _, other in links)
        return [f for other in others if (f := self.get(other)) is not None]

    def citing(self, source_id: str) -> int:
        """How many facts cite this source."""
        count = sum(1 for _, f in self.facts.in_memory() if f["source"] == source_id)
        return count + (self.store.citing(source_id) if self.store is not None else 0)

    def categories(self) -> list[str]:
        """Categories in order of first appearance (bundled ones first)."""
        return list(self.category_counts())

    def category_counts(self) -> dict[str, int]:
        """Each category, in order of first appearance, with its number of facts."""
        found: dict[str, int] = {}
        for part in self.facts.parts:
            if isinstance(part, list):
                for fact in part:
                    found[fact["category"]] = found.get(fact["category"], 0) + 1
            else:
                for category, count in part.categories().items():
                    found[category] = found.get(category, 0) + count
        return found

    def holding(self, words: set[str]) -> Iterator[Fact]:
        """In load order, every fact in memory and those of a pack index that hold one of
        these words (folded, as search's words of a fact's text): fewer than all, never
        one less than the facts that hold them."""
        for part in self.facts.parts:
            if isinstance(part, list):
                yield from part
            else:
                yield from part.holding(words)

    def in_category(self, category: str | None) -> list[Fact]:
        if category is None:
            return list(self.facts)
        out: list[Fact] = []
        for part in self.facts.parts:
            out += [f for f in part if f["category"] == category] if isinstance(part, list) else part.select(category)
        return out

    def people(self) -> list[Fact]:
        return self.in_category(PEOPLE)

    def areas(self) -> list[Fact]:
        """Areas ordered by group (as AREA_GROUPS lists them), then as stored."""
        return sort_areas(self.in_category(AREAS))

    def area_groups(self) -> list[tuple[str, list[Fact]]]:
        """The areas in their groups, in AREA_GROUPS order: [(group, areas), ...]."""
        groups: dict[str, list[Fact]] = {}
        for area in self.areas():
            groups.setdefault(area["group"], []).append(area)
        return list(groups.items())

    def dated(self, since: int | None = None, until: int | None = None) -> list[Fact]:
        """Every fact with a year, oldest first; a stable sort keeps file order in ties."""
        events: list[Fact] = []
        for part in self.facts.parts:
            events += [f for f in part if "year" in f] if isinstance(part, list) else part.select(dated=True)
        events = [f for f in events if (since is None or f["year"] >= since) and (until is None or f["year"] <= until)]
        events.sort(key=lambda f: (f["year"], f.get("month", 0)))
        return events


def sort_areas(areas: list[Fact]) -> list[Fact]:
    """Areas ordered by group (as AREA_GROUPS lists them), then as given."""
    rank = {g: i for i, g in enumerate(AREA_GROUPS)}
    return sorted(areas, key=lambda f: rank.get(f.get("group", ""), len(rank)))


def load(pack_dirs: Iterable[str] = (), progress: Any = None, *, wait_for_index: bool = True) -> FactSet:
    """Load the bundled folder and then each pack folder, in the order given. Pack files
    over a mebibyte are read through their index (packindex), when one can be kept;
    progress(done, total) hears how far making it is. Without wait_for_index (a TAB),
    an index that is not made yet and would take long is not made: its files are left
    out, so that a shell is never frozen while it is made."""
    parts: list[list[Fact] | Range] = []
    origins: dict[str, str] = {}
    sources: list[Source] = []
    source_origins: dict[str, str] = {}
    vocabularies: list[str] = []
    pack_dirs = [os.fspath(d) for d in pack_dirs]
    folders = [(bundled_dir(), True), *((d, False) for d in pack_dirs)]
    bundled_count = 0
    seen: set[str] = set()
    files: list[tuple[str, bool]] = []
    for folder, bundled in folders:
        # The same folder named twice (MILA_FACTS_PATH and --facts-dir, 'p' and 'p/') is loaded once.
        real = os.path.realpath(folder)
        if real in seen:
            continue
        seen.add(real)
        files += [(path, bundled) for path in _json_files(folder, bundled=bundled)]
    from mila_cli import layout

    before = layout.stamps([path for path, _ in files]) if pack_dirs else None  # for the TAB record
    store, unread = _store([p for p, bundled in files if not bundled and _is_facts(p)], progress, wait_for_index)
    ranges = {r.path: r for r in store.ranges()} if store is not None else {}
    read_packs = False  # whether a pack fact file was read into memory
    for path, bundled in files:
        name = os.path.basename(path)
        if name == SOURCES_FILE:
            # Packs may declare the same source again, word for word; not differently.
            known = {s["id"]: s for s in sources}
            fresh = [s for s in read_sources(path) if known.get(s["id"]) != s]
            _add(fresh, "source id", path, sources, source_origins)
        elif name == VOCABULARY_FILE:
            vocabularies.append(path)
        elif path in ranges:
            parts.append(ranges[path])
        elif path in unread:
            read_packs = True  # not all of the packs: no record for a fast TAB
        else:
            read_packs |= not bundled
            items: list[Fact] = []
            _add(read_file(path), "id", path, items, origins)
            parts.append(items)
            if bundled:
                bundled_count += len(items)
    fact_list = FactList(parts)
    _check_links(fact_list, origins, source_origins, store, [path for path, _ in files])
    fact_set = FactSet(fact_list, sources, vocabularies)
    fact_set.bundled_count = bundled_count
    if store is not None and not read_packs:  # every pack fact is in the index: a TAB may read it
        layout.write_record(
            os.path.dirname(store.path), list(pack_dirs), [path for path, _ in files], store.path, before
        )
    return fact_set


def _is_facts(path: str) -> bool:
    return os.path.basename(path) not in (SOURCES_FILE, VOCABULARY_FILE)


def _store(paths: list[str], progress: Any, wait: bool) -> tuple[Store | None, set[str]]:
    """The pack index of the large pack files, or None (none large, or no index can be
    kept); and the files left unread: those of an index too long to make without `wait`."""
    if not paths:
        return None, set()  # no pack: nothing to import for one
    from mila_cli import packindex

    large = packindex.worth_indexing(paths)
    if not large:
        return None, set()
    quick = wait or sum(large.values()) <= packindex.TAB_BUILD_BYTES  # sizes as stat gave them once
    store = packindex.open_store(list(large), FileReader, progress, build=quick)
    return store, set() if store is not None or quick else set(large)


def _json_files(folder: str, *, bundled: bool) -> list[str]:
    from mila_cli.layout import json_files

    what = "bundled facts folder" if bundled else "facts folder"
    if not os.path.exists(folder):
        raise DataError(f"{what} not found: {folder}")
    if not os.path.isdir(folder):
        raise DataError(f"{what} is not a folder: {folder}")
    try:
        return json_files(folder)
    except OSError as exc:
        raise DataError(f"cannot read {what} {folder}: {exc.strerror or exc}") from None


def _add(items: list[dict[str, Any]], what: str, path: str, into: list[Any], origins: dict[str, str]) -> None:
    for item in items:
        item_id = item["id"]
        if item_id in origins:
            raise DataError(f"duplicate {what} '{item_id}' in {origins[item_id]} and {path}")
        origins[item_id] = str(path)
        into.append(item)


def _check_links(
    facts: FactList, origins: dict[str, str], source_origins: dict[str, str], store: Store | None, files: list[str]
) -> None:
    """Ids are not repeated between the facts in memory and a pack index; every cited
    source and every conflict link names something loaded. Of several problems, the
    one a load without the index meets first is told: the earliest in load order."""
    places = {f["id"]: place for place, f in facts.in_memory()}
    place_of = facts.place_of
    if store is not None:
        repeated = store.present(list(origins))
        if repeated:
            # Met at its second place: the later of its two.
            fact_id = min(repeated, key=lambda i: max(places[i], place_of(repeated[i])))
            first, second = sorted([origins[fact_id], store.file_of(repeated[fact_id])], key=files.index)
            raise DataError(f"duplicate id '{fact_id}' in {first} and {second}")
    known = ", ".join(source_origins) or "none"
    problems: list[tuple[int, int, str]] = []  # (place, 0 for the source and 1 for a link, message)
    for place, fact in facts.in_memory():
        where = f"{origins[fact['id']]}: fact '{fact['id']}'"
        if fact["source"] not in source_origins:
            problems.append((place, 0, f"{where}, field 'source': no source has the id '{fact['source']}'"))
        for other in fact.get("conflicts_with", ()):
            if other not in origins and (store is None or store.find(other) is None):
                problems.append((place, 1, f"{where}, field 'conflicts_with': no fact has the id '{other}'"))
                break
    if store is not None:
        for source, number in store.cited.items():
            if source not in source_origins:
                where = f"{store.file_of(number)}: fact '{store.fact(number)['id']}'"
                problems.append((place_of(number), 0, f"{where}, field 'source': no source has the id '{source}'"))
        for number, fact_id, other in store.outside:
            if other not in origins:
                where = f"{store.file_of(number)}: fact '{fact_id}'"
                problems.append((place_of(number), 1, f"{where}, field 'conflicts_with': no fact has the id '{other}'"))
    if problems:
        _, kind, message = min(problems)
        raise DataError(message + (f" (known: {known})" if kind == 0 else ""))


class NotRegularFile(Exception):
    """The path names a pipe, a device, a folder: anything but a regular file."""


class TooLarge(Exception):
    """The file is over the limit; size is what stat said, or None if reading found it."""

    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """A regular file's bytes, at most `limit` of them: the one way a user's file is read.

    What is read is bounded, not what stat claims: /dev/zero says it is empty. A named
    pipe is opened without waiting for a writer, then refused like any non-file. Raises
    NotRegularFile, TooLarge, or the OSError of opening or reading (FileNotFoundError).
    """
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:  # where a folder cannot even be opened
        raise NotRegularFile from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile
        if info.st_size > limit:
            raise TooLarge(info.st_size)
        chunks: list[bytes] = []
        left = limit + 1  # one byte over tells a file that grew past the limit
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    if left <= 0:
        raise TooLarge(None)
    return b"".join(chunks)


def read_bytes(path: str, what: str) -> bytes:
    """A pack file's bytes (read_regular, at most MAX_FILE_BYTES), or a DataError."""
    limit = f"the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit for {what}"
    try:
        return read_regular(path, MAX_FILE_BYTES)
    except NotRegularFile:
        raise DataError(f"{path}: not a regular file") from None
    except TooLarge as large:
        over = f"{large.size} bytes is over" if large.size is not None else "over"
        raise DataError(f"{path}: {over} {limit}") from None
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:20]} is out of range")
    return number


BOM = b"\xef\xbb\xbf"  # UTF-8's byte order mark, which some editors write first


def _decoded(raw: bytes, path: str) -> str:
    """UTF-8 text (a BOM is ignored), or a DataError saying where it is not."""
    # removeprefix rather than the utf-8-sig codec, whose module every run would import.
    text = raw.removeprefix(BOM)
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start + len(raw) - len(text)})") from None


def loads(raw: bytes, path: str) -> Any:
    """JSON text parsed strictly: UTF-8 (a BOM is ignored), no NaN or Infinity, no number
    too large to print back, no nesting deep enough to exhaust the parser."""
    text = _decoded(raw, path)
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise DataError(f"{path}: JSON nested too deeply") from None
    except ValueError as exc:  # NaN, Infinity, 1e400, or an integer of thousands of digits
        message = str(exc).split(";")[0] if "digits" not in str(exc) else "an integer with too many digits"
        raise DataError(f"{path}: {message}") from None


def read_json(path: str, what: str) -> Any:
    """A JSON file parsed, or a DataError naming the file and what is wrong with it."""
    return loads(read_bytes(path, what), path)


def _checked(path: str, items: Any, what: str, check: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise DataError(f"{path}: a {what} file must be a JSON array")
    return [_checked_one(path, item, number, what, check) for number, item in enumerate(items, 1)]


def _checked_one(path: str, item: Any, number: int, what: str, check: Any) -> dict[str, Any]:
    """The item, or the DataError naming its first problem (number counts from 1)."""
    problem = check(item)
    if problem is not None:
        field, message = problem
        label = f"{what} #{number}"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            label += f" '{item['id']}'"
        where = f", field '{field}'" if field else ""
        raise DataError(f"{path}: {label}{where}: {message}")
    return item  # type: ignore[no-any-return]


def read_file(path: str | os.PathLike[str]) -> list[Fact]:
    """One fact file, parsed and validated, or a DataError naming what is wrong."""
    path = os.fspath(path)
    data = read_json(path, "a fact file")
    if not isinstance(data, list):
        raise DataError(f"{path}: a fact file must be a JSON array of facts")
    return _checked(path, data, "fact", check_fact)


class FileReader:
    """One fact file's facts one at a time, each checked as read_file checks it: a pack
    index reads a large file this way, so that its facts are never all in memory at
    once. A file that is not a well-formed array is read again by read_file, so that its
    error is the one read_file gives."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._text = _decoded(read_bytes(path, "a fact file"), path)
        self.position = 0  # how far the reading is, in characters

    def __len__(self) -> int:
        return len(self._text)

    def __iter__(self) -> Iterator[Fact]:
        text = self._text
        decoder = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)
        at = _after_blanks(text, 0)
        if not text.startswith("[", at):
            self._fail()
        at = _after_blanks(text, at + 1)
        number = 0
        while not text.startswith("]", at):
            if number:
                if not text.startswith(",", at):
                    self._fail()
                at = _after_blanks(text, at + 1)
            try:
                item, at = decoder.raw_decode(text, at)
            except (ValueError, RecursionError):
                self._fail()
            number += 1
            try:
                fact = _checked_one(self.path, item, number, "fact", check_fact)
            except DataError:
                self._fail()  # read_file parses the whole file first: a JSON error further on is told first
            yield fact
            at = _after_blanks(text, at)
            self.position = at
        if _after_blanks(text, at + 1) < len(text):
            self._fail()  # something after the array
        self.position = len(text)

    def _fail(self) -> NoReturn:
        """Raise the error read_file gives for this file."""
        read_file(self.path)
        raise DataError(f"{self.path}: invalid JSON")  # read_file found nothing: never here


_BLANKS = r"[ \t\n\r]*"  # JSON's whitespace


def _after_blanks(text: str, at: int) -> int:
    found = re.compile(_BLANKS).match(text, at)  # compiled once, on first use (re's cache)
    return found.end() if found else at


def read_sources(path: str) -> list[Source]:
    """A sources.json file, parsed and validated."""
    return _checked(path, read_json(path, "a sources file"), "source", check_source)


def check_source(source: Any) -> tuple[str, str] | None:
    """The first problem with a source as (field, message), or None when it is valid."""
    if not isinstance(source, dict):
        return "", "must be a JSON object"
    for field in ("id", "title"):
        if field not in source:
            return field, "is required"
    if not is_slug(source["id"]):
        return "id", f"must be lowercase ASCII words joined by '-', at most {MAX_SLUG} characters"
    for field in ("title", "kind", "file", "url", "note"):
        if field in source and (problem := _check_text(source[field], 1000)):
            return field, problem
    return None


def check_fact(fact: Any) -> tuple[str, str] | None:
    """The first problem with a fact as (field, message), or None when it is valid."""
    if not isinstance(fact, dict):
        return "", "must be a JSON object"
    for field in ("id", "category", "text", "source"):
        if field not in fact:
            return field, "is required"
    if extra_problem := _check_extra(fact):
        return extra_problem
    _whole_numbers(fact)
    for field in ("id", "category"):
        if not is_slug(fact[field]):
            return field, f"must be lowercase ASCII words joined by '-', at most {MAX_SLUG} characters"
    if text_problem := _check_text(fact["text"], MAX_TEXT):
        return "text", text_problem
    if not is_slug(fact["source"]):
        return "source", "must be the id of a source listed in a sources.json file"
    if "conflicts_with" in fact and (problem := _check_links_field(fact["conflicts_with"], fact["id"])):
        return "conflicts_with", problem
    for field in ("name", "url", "place", "count_of"):
        if field in fact and (problem := _check_text(fact[field], 1000)):
            return field, problem
    for field in ("aliases", "tags", "roles"):
        if field in fact and (problem := _check_strings(fact[field])):
            return field, problem
    if field_problem := _check_dates(fact) or _check_count(fact):
        return field_problem
    if "degrees" in fact and (problem := _check_degrees(fact["degrees"])):
        return "degrees", problem
    if "degrees" in fact and _deeper_than(fact["degrees"], MAX_DEPTH - 1):
        return "degrees", f"nests lists and objects more than {MAX_DEPTH} levels deep"
    if "group" in fact and fact["group"] not in AREA_GROUPS:
        return "group", "must be one of: " + ", ".join(AREA_GROUPS)
    return _check_category_fields(fact)


def _check_extra(fact: Fact) -> tuple[str, str] | None:
    """Fields mila does not know are kept and shown by name: names that are safe labels,
    values that do not nest without end."""
    for field, value in fact.items():
        if field in _KNOWN_FIELDS:
            continue
        if not isinstance(field, str) or len(field) > MAX_SLUG or not re.match(_FIELD_NAME, field):
            name = field.encode("unicode_escape").decode("ascii")[:MAX_SLUG]
            return "", f"the field name '{name}' must be lowercase ASCII words joined by '_' or '-'"
        if field in RESERVED_FIELDS:
            return field, "is a name mila's JSON output gives a field of its own"
        if _deeper_than(value, MAX_DEPTH - 1):
            return field, f"nests lists and objects more than {MAX_DEPTH} levels deep"
    return None


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels in value (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _whole_numbers(fact: Fact) -> None:
    """2000.0 is the whole number 2000, as JSON Schema counts it: kept as 2000."""
    for field in ("year", "month", "count"):
        value = fact.get(field)
        if isinstance(value, float) and value.is_integer():
            fact[field] = int(value)
    for degree in fact.get("degrees", ()) if isinstance(fact.get("degrees"), list) else ():
        if isinstance(degree, dict) and isinstance(degree.get("year"), float) and degree["year"].is_integer():
            degree["year"] = int(degree["year"])


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


def is_slug(value: Any) -> bool:
    """Lowercase ASCII letters and digits, in words joined by single hyphens."""
    # String methods, not a pattern: compiling one would cost every run more than the
    # bundled facts' checks take.
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_SLUG
        and value.isascii()
        and value == value.lower()
        and all(word.isalnum() for word in value.split("-"))
    )


def _is_as_of(value: Any) -> bool:
    """A date written YYYY, YYYY-MM or YYYY-MM-DD, in ASCII digits."""
    if not isinstance(value, str):
        return False
    parts = value.split("-")
    return (
        len(parts) <= 3
        and len(parts[0]) == 4
        and all(len(part) == 2 for part in parts[1:])
        and all(set(part) <= _DIGITS for part in parts)
    )


def _check_links_field(value: Any, own_id: Any) -> str | None:
    if not isinstance(value, list) or not value or not all(is_slug(v) for v in value):
        return "must be a non-empty array of fact ids"
    if len(set(value)) != len(value) or own_id in value:
        return "must name each other fact once, and not the fact itself"
    return None


def _check_dates(fact: Fact) -> tuple[str, str] | None:
    if "year" in fact and (not _is_int(fact["year"]) or not 1 <= fact["year"] <= 9999):
        return "year", "must be a whole number from 1 to 9999"
    if "month" in fact:
        if "year" not in fact:
            return "month", "needs a 'year'"
        if not _is_int(fact["month"]) or not 1 <= fact["month"] <= 12:
            return "month", "must be a whole number from 1 to 12"
    if "as_of" in fact and not _is_as_of(fact["as_of"]):
        return "as_of", "must be a date written YYYY, YYYY-MM or YYYY-MM-DD"
    return None


def _check_count(fact: Fact) -> tuple[str, str] | None:
    if "count" in fact and (not _is_int(fact["count"]) or fact["count"] < 0):
        return "count", "must be a whole number, 0 or more"
    for field in ("count_qualifier", "count_of"):
        if field in fact and "count" not in fact:
            return field, "needs a 'count'"
    if "count_qualifier" in fact and fact["count_qualifier"] not in COUNT_QUALIFIERS:
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
